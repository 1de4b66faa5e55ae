package postgres_test

import (
	"context"
	"testing"

	"hotline/crm"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
)

// TestOverdueFilterAndDueOrder: "overdue" keeps open requests past a
// running due time (an answered request is measured by its resolution, a
// waiting one not at all); ordering by due puts overdue ones on top and
// pages through every request once.
func TestOverdueFilterAndDueOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &deskClock{t: mskTime("2026-11-26 10:00")}
	s := openDesk(t, pgtest.NewDSN(t), clk)
	agent := mustUser(t, s, "due.agent", crm.RoleAgent)
	c := mustClient(t, s, crm.Client{Name: "Due", Priority: "B"}) // normal: 4h response, 24h resolution
	old := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "old", AssigneeID: &agent.ID})
	answered := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "answered", AssigneeID: &agent.ID})
	waiting := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "waiting"})
	if _, err := s.Tickets.AddMessage(ctx, &service.Event{TicketID: answered.ID, Kind: service.EventComment, Body: "on it", Public: true}); err != nil {
		t.Fatal(err)
	}
	w := service.StatusWaiting
	if _, err := s.Tickets.UpdateTicket(ctx, waiting.ID, service.TicketUpdate{Status: &w}, nil); err != nil {
		t.Fatal(err)
	}
	clk.Set(mskTime("2026-11-26 15:00")) // past the response due (14:00), not the resolution
	fresh := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "fresh", AssigneeID: &agent.ID})

	page, err := s.Tickets.ListTickets(ctx, service.TicketFilter{Overdue: true, OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != old.ID || !page.Items[0].Overdue(clk.Now()) {
		t.Fatalf("overdue: %+v", page.Items)
	}
	mine, _ := s.Tickets.ListTickets(ctx, service.TicketFilter{Overdue: true, AssigneeID: agent.ID})
	if len(mine.Items) != 1 {
		t.Fatalf("my overdue: %d", len(mine.Items))
	}
	var order []int64
	after := ""
	for {
		p, err := s.Tickets.ListTickets(ctx, service.TicketFilter{ByDue: true, Limit: 1, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range p.Items {
			order = append(order, tk.ID)
		}
		if after = p.Next; after == "" {
			break
		}
	}
	want := []int64{old.ID, fresh.ID, answered.ID, waiting.ID} // 14:00, 19:00, next day 10:00, none
	if len(order) != len(want) {
		t.Fatalf("by due %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("by due %v, want %v", order, want)
		}
	}
}
