package postgres_test

import (
	"context"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
)

// TestServiceCost: a 30-minute call by agent anna (1 000/h) and 90 minutes
// of a supervisor's logged work (2 000/h) plus a 500 router: 500 + 3 000 + 500.
func TestServiceCost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	anna := mustUser(t, s, "anna", crm.RoleAgent)
	sup := mustUser(t, s, "sveta", crm.RoleSupervisor)
	c := mustClient(t, s, crm.Client{Name: "Costly"})
	for role, rate := range map[crm.Role]int64{crm.RoleAgent: 1000_00, crm.RoleSupervisor: 2000_00} {
		if err := s.Tickets.SetRoleRate(ctx, role, rate); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	if _, err := s.DB.Pool().Exec(ctx, `INSERT INTO calls (node, linkedid, version, direction, outcome, customer, client_id, agent, started_at, ended_at, talk_seconds)
		VALUES ('pbx1', 'cost.1', 1, 'inbound', 'answered', '+74951234567', $1, 'anna', $2, $2, 1800)`, c.ID, now); err != nil {
		t.Fatal(err)
	}
	tk := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "Router", Calls: []string{"cost.1"}, AssigneeID: &anna.ID})
	if err := s.Tickets.LogWork(ctx, service.Work{TicketID: tk.ID, UserID: sup.ID, Minutes: 90, Note: "site visit"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Tickets.AddMaterial(ctx, service.Material{TicketID: tk.ID, Description: "Router", Amount: 500_00}); err != nil {
		t.Fatal(err)
	}
	cost, err := s.Tickets.ServiceCost(ctx, c.ID, 0, now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if cost.Tickets != 1 || cost.CallHours != 0.5 || cost.WorkHours != 1.5 || cost.Labor != 3500_00 || cost.Total != 4000_00 {
		t.Fatalf("cost %+v", cost)
	}
	if err := s.Tickets.LogWork(ctx, service.Work{TicketID: tk.ID, UserID: sup.ID, Minutes: 0}); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("zero minutes: %v", err)
	}
	if err := s.Tickets.LogWork(ctx, service.Work{TicketID: 999999, UserID: sup.ID, Minutes: 5}); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("unknown ticket: %v", err)
	}
	if err := s.Tickets.AddMaterial(ctx, service.Material{TicketID: tk.ID, Description: " ", Amount: 1}); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("empty material: %v", err)
	}
}
