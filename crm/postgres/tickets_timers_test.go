package postgres_test

import (
	"context"
	"sync"
	"testing"

	"hotline/crm"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
)

// TestEscalationExactlyOnceAcrossWorkersAndRestart runs two escalators on
// one database at once, then "restarts": a fresh store fires what came due
// while nothing ran, and firing again finds nothing.
func TestEscalationExactlyOnceAcrossWorkersAndRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewDSN(t)
	clk := &deskClock{t: mskTime("2026-11-26 10:00")}
	first := openDesk(t, dsn, clk)
	lead := mustUser(t, first, "esc.lead", crm.RoleSupervisor)
	agent := mustUser(t, first, "esc.agent", crm.RoleAgent)
	team := service.Team{Name: "Escalations", LeadID: &lead.ID, Members: []int64{agent.ID}}
	if err := first.Teams.CreateTeam(ctx, &team); err != nil {
		t.Fatal(err)
	}
	c := mustClient(t, first, crm.Client{Name: "Escalated", Priority: "A"}) // high: 1h response, 8h resolution
	const n = 20
	var ids []int64
	for i := 0; i < n; i++ {
		tk := mustTicket(t, first, service.Ticket{ClientID: c.ID, Subject: "Down", TeamID: &team.ID, AssigneeID: &agent.ID})
		ids = append(ids, tk.ID)
	}
	// At 10:50 only the response clock's 80% level (10:48) is due.
	clk.Set(mskTime("2026-11-26 10:50"))
	second := openDesk(t, dsn, clk)
	w1 := service.NewEscalator(service.EscalatorOptions{Store: first.Tickets, Now: clk.Now, Worker: "w1", Batch: 3})
	w2 := service.NewEscalator(service.EscalatorOptions{Store: second.Tickets, Now: clk.Now, Worker: "w2", Batch: 3})
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, w := range []*service.Escalator{w1, w2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := w.Tick(ctx)
			if err != nil {
				t.Error(err)
			}
			counts[i] = got
		}()
	}
	wg.Wait()
	if counts[0]+counts[1] != n {
		t.Fatalf("fired %v, want %d in total", counts, n)
	}
	// Restart: the first store goes away; the next day a new one fires the rest.
	first.DB.Close()
	clk.Set(mskTime("2026-11-27 12:00"))
	third := openDesk(t, dsn, clk)
	w3 := service.NewEscalator(service.EscalatorOptions{Store: third.Tickets, Now: clk.Now, Worker: "w3"})
	// Per ticket: response 100% (level 0); resolution 80% (1), 100% (0), 100% (2).
	if got, err := w3.Tick(ctx); err != nil || got != 4*n {
		t.Fatalf("after restart fired %d (%v), want %d", got, err, 4*n)
	}
	if got, _ := w3.Tick(ctx); got != 0 {
		t.Fatalf("second round fired %d", got)
	}
	for _, id := range ids {
		thread, _ := third.Tickets.Thread(ctx, id, false)
		kinds := map[service.EventKind]int{}
		for _, e := range thread {
			kinds[e.Kind]++
		}
		if kinds[service.EventEscalated] != 3 || kinds[service.EventBreach] != 2 {
			t.Fatalf("ticket %d history %v", id, kinds)
		}
		br, _ := third.Tickets.TicketBreaches(ctx, id)
		if len(br) != 2 {
			t.Fatalf("ticket %d breaches %v", id, br)
		}
		tk, _ := third.Tickets.GetTicket(ctx, id)
		if tk.AssigneeID == nil || *tk.AssigneeID != lead.ID || tk.Priority != service.PriorityCritical {
			t.Fatalf("ticket %d not reassigned to lead / raised: %+v", id, tk)
		}
	}
	var fired, notes int
	_ = third.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM ticket_timers WHERE fired_at IS NOT NULL`).Scan(&fired)
	_ = third.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM ticket_notifications`).Scan(&notes)
	// The agent hears of the assignment, both 80% levels and both
	// breaches; the lead of both breaches and of level 2, which made them
	// the owner.
	if fired != 5*n || notes != 8*n {
		t.Fatalf("fired timers %d, notifications %d", fired, notes)
	}
	mine, err := third.Notify.Notifications(ctx, agent.ID, 200)
	if err != nil || len(mine) != 5*n || mine[0].ReadAt != nil {
		t.Fatalf("agent's notifications: %d %v", len(mine), err)
	}
	if marked, err := third.Notify.MarkNotificationsRead(ctx, agent.ID, mine[0].ID); err != nil || marked != 5*n {
		t.Fatalf("marked %d %v", marked, err)
	}
	leads, err := third.Notify.Notifications(ctx, lead.ID, 200)
	if err != nil || len(leads) != 3*n {
		t.Fatalf("lead's notifications: %d %v", len(leads), err)
	}
	level2 := 0
	for _, k := range leads {
		if k.Kind == "escalation" && k.Args["level"] == "2" && k.Subject == "Down" {
			level2++
		}
	}
	if level2 != n {
		t.Fatalf("the lead got %d level-2 notices, want %d", level2, n)
	}
}

// TestWaitingTicketDoesNotEscalate checks that pausing removes the timers and
// resolving stops them.
func TestWaitingTicketDoesNotEscalate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &deskClock{t: mskTime("2026-11-26 10:00")}
	s := openDesk(t, pgtest.NewDSN(t), clk)
	c := mustClient(t, s, crm.Client{Name: "Patient"})
	tk := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "Question"})
	waiting := service.StatusWaiting
	if _, err := s.Tickets.UpdateTicket(ctx, tk.ID, service.TicketUpdate{Status: &waiting}, nil); err != nil {
		t.Fatal(err)
	}
	clk.Set(mskTime("2026-12-10 10:00"))
	if n, err := s.Tickets.FireDueTimers(ctx, clk.Now(), "w", 100); err != nil || len(n) != 0 {
		t.Fatalf("waiting ticket fired %d %v", len(n), err)
	}
}

// TestLevelTellsSupervisorsWhenThePlanSays: a level with
// notify_supervisors tells every enabled supervisor, once each, besides
// the owner; disabled users hear nothing.
func TestLevelTellsSupervisorsWhenThePlanSays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &deskClock{t: mskTime("2026-11-26 10:00")}
	s := openDesk(t, pgtest.NewDSN(t), clk)
	agent := mustUser(t, s, "sv.agent", crm.RoleAgent)
	sv := mustUser(t, s, "sv.on", crm.RoleSupervisor)
	off := mustUser(t, s, "sv.off", crm.RoleSupervisor)
	off.Disabled = true
	if err := s.Users.UpdateUser(ctx, &off); err != nil {
		t.Fatal(err)
	}
	plan := service.StandardPlan()
	plan.Name, plan.Default = "Loud", false
	plan.Levels = []service.Level{{Level: 1, Clock: service.ClockResponse, Percent: 50, Notify: true, NotifySupervisors: true}}
	if err := s.SLA.SaveSLAPlan(ctx, &plan); err != nil {
		t.Fatal(err)
	}
	c := mustClient(t, s, crm.Client{Name: "Loud client", Priority: "B"})
	if err := s.SLA.SetClientSLAPlan(ctx, c.ID, plan.ID); err != nil {
		t.Fatal(err)
	}
	tk := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "Noisy", AssigneeID: &agent.ID})
	clk.Set(mskTime("2026-11-26 13:00")) // past half of the 4h response target
	if fired, err := s.Tickets.FireDueTimers(ctx, clk.Now(), "w", 10); err != nil || len(fired) != 1 {
		t.Fatalf("fired %v %v", fired, err)
	}
	for _, u := range []struct {
		user crm.User
		want int
	}{{agent, 2 /* assigned, level 1 */}, {sv, 1}, {off, 0}} {
		got, err := s.Notify.Notifications(ctx, u.user.ID, 10)
		if err != nil || len(got) != u.want {
			t.Errorf("%s: %d notices (%v), want %d", u.user.Login, len(got), err, u.want)
		}
		for _, n := range got {
			if n.TicketID != tk.ID {
				t.Errorf("%s: notice about %d", u.user.Login, n.TicketID)
			}
		}
	}
}
