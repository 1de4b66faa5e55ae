package httpapi_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"hotline/crm"
)

// TestCSVHeadersInTheReadersLanguage: a CSV fetched from the pages (a
// session) names its columns in the reader's language; a bearer token
// gets the English identifiers integrators' scripts rely on. The rows are
// the same either way.
func TestCSVHeadersInTheReadersLanguage(t *testing.T) {
	e := newFunnelEnv(t)
	ru := e.users[crm.RoleAdmin]
	ru.Language = "ru"
	if err := e.store.Users.UpdateUser(context.Background(), &ru); err != nil {
		t.Fatal(err)
	}
	const path = "/api/v1/funnel-report.csv?period=month&date=2026-11-10"
	get := func(c *client) [][]string {
		t.Helper()
		resp, body := c.do("GET", path, nil)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %s", resp.StatusCode, body)
		}
		rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("csv %q: %v", body, err)
		}
		return rows
	}
	token := get(e.tokenClient(crm.RoleAdmin))
	russian := get(e.login(crm.RoleAdmin))
	english := get(e.login(crm.RoleSupervisor))
	if got := strings.Join(token[0][:4], ","); got != "period,start,end,time_zone" {
		t.Errorf("token header = %q", token[0])
	}
	if got := strings.Join(russian[0][:4], ","); got != "Период,Начало периода,Конец периода,Часовой пояс" {
		t.Errorf("Russian session header = %q", russian[0])
	}
	if got := strings.Join(english[0][:4], ","); got != "Period,Start,End,Time zone" {
		t.Errorf("English session header = %q", english[0])
	}
	for i, h := range russian[0] {
		if h == token[0][i] && h != "NPS" {
			t.Errorf("column %d %q not translated", i, h)
		}
	}
	if strings.Join(token[1], ",") != strings.Join(russian[1], ",") || len(token) != len(russian) {
		t.Errorf("rows differ: %q vs %q", token[1:], russian[1:])
	}
	// A Russian browser without a chosen language reads Russian too.
	sup := e.login(crm.RoleSupervisor)
	req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
	req.Header.Set("Accept-Language", "ru-RU,ru;q=0.9")
	resp, err := sup.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || rows[0][0] != "Период" {
		t.Errorf("Accept-Language ru: %q %v", rows, err)
	}
}
