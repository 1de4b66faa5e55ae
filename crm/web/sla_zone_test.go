package web_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
	"hotline/internal/i18n"
)

// TestSLADueInPlanHoursShownInCentreZone: a plan in Asia/Yekaterinburg
// (UTC+5) counts its targets in its own business hours and holidays; the
// request page of a Moscow centre (UTC+3) shows the due time in Moscow.
func TestSLADueInPlanHoursShownInCentreZone(t *testing.T) {
	t.Parallel()
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	yekt, err := time.LoadLocation("Asia/Yekaterinburg")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load(i18n.Options{Default: i18n.Russian, Zone: msk})
	if err != nil {
		t.Fatal(err)
	}
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU", I18n: cat})
	httpapi.RegisterTickets(api, ticketAPI(st))
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountTickets(ticketPageDeps(st, true))
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	if _, err := auth.CreateUser(context.Background(), st.Users, crm.User{Login: "admin", Name: "Anna Admin", Role: crm.RoleAdmin}, adminPassword); err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, store: st, ts: ts}
	ctx := context.Background()

	// Ural office: Monday to Friday 09:00-18:00 Yekaterinburg, Tuesday 24 Nov a holiday.
	plan := service.StandardPlan()
	plan.Name, plan.TimeZone, plan.Default, plan.Holidays = "Урал", "Asia/Yekaterinburg", false, []string{"2026-11-24"}
	if err := st.SLA.SaveSLAPlan(ctx, &plan); err != nil {
		t.Fatal(err)
	}
	c := crm.Client{Name: "Екатеринбургский клиент", Priority: "A"}
	if err := st.Clients.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	// Monday 23 Nov 17:45 in Yekaterinburg = 15:45 in Moscow; critical: respond in 30 business minutes.
	created := time.Date(2026, 11, 23, 17, 45, 0, 0, yekt)
	tk := service.Ticket{ClientID: c.ID, Subject: "Нет связи", Priority: service.PriorityCritical, PlanID: &plan.ID, CreatedAt: created}
	if err := st.Tickets.CreateTicket(ctx, &tk); err != nil {
		t.Fatal(err)
	}
	// 15 minutes on Monday, the holiday skipped, 15 on Wednesday: 09:15 Yekaterinburg = 07:15 Moscow.
	// (In Moscow's own hours it would have been Monday 16:15.)
	want := time.Date(2026, 11, 25, 9, 15, 0, 0, yekt)
	if tk.SLA.ResponseDue == nil || !tk.SLA.ResponseDue.Equal(want) {
		t.Fatalf("response due %v, want %v", tk.SLA.ResponseDue, want)
	}
	b := s.browser()
	b.login("admin")
	resp, body := b.get("/tickets/" + strconv.FormatInt(tk.ID, 10))
	if resp.StatusCode != 200 {
		t.Fatalf("request page: %d", resp.StatusCode)
	}
	if !strings.Contains(body, `<dd id="response-due">25.11.2026 07:15`) {
		i := strings.Index(body, `id="response-due"`)
		t.Errorf("response due not in Moscow time: %.120s", body[max(i, 0):])
	}
}
