package web_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"
)

// TestSLAPlanFormErrorsInTheReadersLanguage: a Russian admin's refused
// plan form says what is wrong with durations, hours and holidays in
// Russian, and accepts "выходной" for a day off.
func TestSLAPlanFormErrorsInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	a := newAdminSiteWith(t, true)
	admin := a.users["admin"]
	admin.Language = "ru"
	if err := a.store.Users.UpdateUser(context.Background(), &admin); err != nil {
		t.Fatal(err)
	}
	b := a.browser()
	csrf := b.login("admin")
	v := planValues(a.plan(t))
	v.Set("csrf_token", csrf)
	v.Set("name", "Золотой")
	v.Del("default")
	v.Set("hours_sat", "выходной")
	v.Set("hours_tue", "9-18")
	v.Set("holidays", "2026-01-01\n2026-13-40")
	v.Set("response_critical", "4ч")
	v.Set("response_high", "1h30")
	v.Set("resolution_low", "")
	v.Set("zone_other", "Марс/Олимп")
	v.Set("zone", "other")
	resp, body := b.post("/admin/sla-plans", v)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad plan: %d, want 422", resp.StatusCode)
	}
	for id, msg := range map[string]string{
		"error-hours_tue":         "«9-18» — не часы работы",
		"error-holidays":          "«2026-13-40»: не дата ГГГГ-ММ-ДД",
		"error-response_critical": "«4ч» — не длительность",
		"error-response_high":     "у числа 30 нет единицы",
		"error-resolution_low":    "Обязательно",
		"error-time_zone":         "«Марс/Олимп» — неизвестный часовой пояс",
	} {
		if !regexp.MustCompile(`id="` + id + `">[^<]*` + regexp.QuoteMeta(msg)).MatchString(body) {
			t.Errorf("no %q at %s", msg, id)
		}
	}
	if regexp.MustCompile(`id="error-hours_sat"`).MatchString(body) {
		t.Error("«выходной» refused as a day off")
	}
	if n := len(b.apiPlans(t)); n != 1 {
		t.Fatalf("%d plans after a refused form, want 1", n)
	}
}
