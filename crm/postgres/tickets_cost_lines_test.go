package postgres_test

import (
	"context"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// TestTicketCostAtPersonalRates: anna's own rate (1 500/h) beats her
// role's (1 000/h); sveta has only her role's (2 000/h); two routers at
// 1 234,50 each. The money report's service costs include all of it.
func TestTicketCostAtPersonalRates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	anna := mustUser(t, s, "anna", crm.RoleAgent)
	sveta := mustUser(t, s, "sveta", crm.RoleSupervisor)
	c := mustClient(t, s, crm.Client{Name: "Costly"})
	for role, rate := range map[crm.Role]int64{crm.RoleAgent: 1000_00, crm.RoleSupervisor: 2000_00} {
		if err := s.Tickets.SetRoleRate(ctx, role, rate); err != nil {
			t.Fatal(err)
		}
	}
	rate := int64(1500_00)
	if err := s.Tickets.SetUserRate(ctx, anna.ID, &rate); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Tickets.UserRate(ctx, anna.ID); err != nil || got == nil || *got != 1500_00 {
		t.Fatalf("anna's rate %v %v", got, err)
	}
	bad := int64(-1)
	if err := s.Tickets.SetUserRate(ctx, anna.ID, &bad); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("a negative rate: %v", err)
	}
	if err := s.Tickets.SetUserRate(ctx, 999999, &rate); !crm.IsKind(err, crm.KindNotFound) {
		t.Errorf("no such user: %v", err)
	}
	tk := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "Router", AssigneeID: &anna.ID})
	for _, w := range []service.Work{{TicketID: tk.ID, UserID: anna.ID, Minutes: 40, Note: "настройка"}, {TicketID: tk.ID, UserID: sveta.ID, Minutes: 30}} {
		if err := s.Tickets.LogWork(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	price := int64(1234_50)
	if err := s.Tickets.AddMaterial(ctx, service.Material{TicketID: tk.ID, Description: "Роутер", Quantity: 2, UnitPrice: &price}); err != nil {
		t.Fatal(err)
	}
	if err := s.Tickets.AddMaterial(ctx, service.Material{TicketID: tk.ID, Description: "Кабель", Quantity: -1, UnitPrice: &price}); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("a negative quantity: %v", err)
	}
	cost, err := s.Tickets.TicketCost(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cost.Work) != 2 || cost.Work[0].Rate != 1500_00 || cost.Work[0].Cost != 1000_00 || cost.Work[1].Rate != 2000_00 || cost.Work[1].Cost != 1000_00 {
		t.Errorf("work lines %+v", cost.Work)
	}
	if len(cost.Materials) != 1 || cost.Materials[0].Amount != 2469_00 || cost.Materials[0].Quantity != 2 {
		t.Errorf("material lines %+v", cost.Materials)
	}
	if cost.Total != 4469_00 {
		t.Errorf("total %v, want 446 900 kopecks", cost.Total)
	}
	now := time.Now()
	sc, err := s.Money.ServiceCosts(ctx, resource.Period{From: now.Add(-time.Hour), To: now.Add(time.Hour), Currency: "RUB"})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Total != 446900 || sc.TicketCost != 446900 || sc.Tickets != 1 || sc.Clients != 1 {
		t.Errorf("money report's service costs %+v, want 446 900 kopecks on one ticket", sc)
	}
	if own, err := s.Tickets.ServiceCost(ctx, c.ID, 0, now.Add(-time.Hour), now.Add(time.Hour)); err != nil || own.Total != sc.TicketCost {
		t.Errorf("the client's service cost %+v %v, want the money report's %d kopecks", own, err, sc.TicketCost)
	}
	if sc, _ := s.Money.ServiceCosts(ctx, resource.Period{From: now.Add(-time.Hour), To: now.Add(time.Hour), Currency: "EUR"}); sc.Total != 0 {
		t.Errorf("roubles counted in a EUR report: %+v", sc)
	}
}

// TestServiceCostRatesMigration: up adds the columns, down removes them
// keeping the materials.
func TestServiceCostRatesMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, conn := migratedTo(t, 261)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns WHERE (table_name, column_name) IN
		(('users', 'hourly_rate'), ('ticket_materials', 'quantity'), ('ticket_materials', 'unit_price'))`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("after up: %d columns, %v", n, err)
	}
	if err := postgres.MigrateDown(ctx, dsn, 1); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns WHERE (table_name, column_name) IN
		(('users', 'hourly_rate'), ('ticket_materials', 'quantity'), ('ticket_materials', 'unit_price'))`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("after down: %d columns, %v", n, err)
	}
}
