package postgres_test

import (
	"context"
	"math"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
)

// TestServiceReportFigures builds a hand-checked day: agent anna answers
// three tickets in 10, 20 and 60 minutes and resolves two of them in 1 h
// and 3 h (one after waiting 2 business hours for the customer), reopens
// one; boris's single ticket breaches; one call of anna's tickets got a
// CSAT of 4.
func TestServiceReportFigures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &deskClock{t: mskTime("2026-11-26 09:00")}
	s := openDesk(t, pgtest.NewDSN(t), clk)
	anna := mustUser(t, s, "anna", crm.RoleAgent)
	boris := mustUser(t, s, "boris", crm.RoleAgent)
	c := mustClient(t, s, crm.Client{Name: "Report client"})
	at := func(hm string) { clk.Set(mskTime("2026-11-26 " + hm)) }
	status := func(id int64, st service.Status) {
		t.Helper()
		if _, err := s.Tickets.UpdateTicket(ctx, id, service.TicketUpdate{Status: &st}, nil); err != nil {
			t.Fatal(err)
		}
	}
	reply := func(id int64) {
		t.Helper()
		if _, err := s.Tickets.AddMessage(ctx, &service.Event{TicketID: id, Kind: service.EventComment, Body: "answer", Public: true, UserID: &anna.ID}); err != nil {
			t.Fatal(err)
		}
	}
	t1 := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "one", AssigneeID: &anna.ID, Calls: []string{"r.1"}})
	t2 := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "two", AssigneeID: &anna.ID})
	t3 := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "three", AssigneeID: &anna.ID})
	t4 := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "four", AssigneeID: &boris.ID, Priority: service.PriorityCritical})
	at("09:10")
	reply(t1.ID)
	at("09:20")
	reply(t2.ID)
	at("10:00")
	reply(t3.ID)
	status(t1.ID, service.StatusResolved) // 1 h
	status(t2.ID, service.StatusWaiting)
	at("12:00")
	status(t2.ID, service.StatusInProgress) // 2 h paused
	at("14:00")
	status(t2.ID, service.StatusResolved) // 5 h wall, 3 h without the pause
	status(t1.ID, service.StatusReopened)
	at("18:00")
	if _, err := s.Tickets.FireDueTimers(ctx, clk.Now(), "w", 100); err != nil {
		t.Fatal(err)
	}
	var sid, rid int64
	_ = s.DB.Pool().QueryRow(ctx, `INSERT INTO survey_definitions (name, definition) VALUES ('CSAT', '{}') RETURNING id`).Scan(&sid)
	_ = s.DB.Pool().QueryRow(ctx, `INSERT INTO survey_responses (survey_id, node, channel_id, linkedid, started_at)
		VALUES ($1, 'pbx1', 'ch1', 'r.1', now()) RETURNING id`, sid).Scan(&rid)
	if _, err := s.DB.Pool().Exec(ctx, `INSERT INTO survey_answers (response_id, idx, key, value, scale, at) VALUES ($1, 0, 'agent', 4, 'csat', now())`, rid); err != nil {
		t.Fatal(err)
	}

	rows, err := s.Tickets.ServiceReport(ctx, service.ReportFilter{From: mskTime("2026-11-26 00:00"), To: mskTime("2026-11-27 00:00"), By: "agent"})
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %+v %v", rows, err)
	}
	a, b := rows[0], rows[1]
	if a.Group != "User anna" || a.Handled != 3 || a.Resolved != 1 {
		t.Fatalf("anna %+v", a)
	}
	near := func(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1 }
	// Responses 600, 1200, 3600 s: median 1200, p90 = 1200 + 0.8*2400 = 3120.
	if !near(a.ResponseMedian, 1200) || !near(a.ResponseP90, 3120) {
		t.Fatalf("anna response median %v p90 %v", *a.ResponseMedian, *a.ResponseP90)
	}
	// Only t2 stays resolved (t1 was reopened): 5 h wall minus 2 h waiting.
	if !near(a.ResolutionMedian, (3 * time.Hour).Seconds()) {
		t.Fatalf("anna resolution %v", *a.ResolutionMedian)
	}
	if math.Abs(a.ReopenRate-1.0/3) > 1e-9 || a.BreachRate != 0 || a.Satisfaction == nil || *a.Satisfaction != 4 {
		t.Fatalf("anna rates %+v", a)
	}
	if b.Group != "User boris" || b.Handled != 1 || b.BreachRate != 1 || b.ResponseMedian != nil || b.Satisfaction != nil {
		t.Fatalf("boris %+v", b)
	}
	if _, err := s.Tickets.ServiceReport(ctx, service.ReportFilter{From: clk.Now(), To: clk.Now(), By: "agent"}); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("empty period: %v", err)
	}
	_ = t4
}
