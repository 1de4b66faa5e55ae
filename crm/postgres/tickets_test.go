package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
	"hotline/survey"
)

// deskClock is a settable clock shared by stores in a test.
type deskClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *deskClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *deskClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func mskTime(s string) time.Time {
	loc, _ := time.LoadLocation("Europe/Moscow")
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func openDesk(t *testing.T, dsn string, clk *deskClock) *postgres.Services {
	t.Helper()
	s := pgtest.Open(t, dsn, postgres.Options{Now: clk.Now})
	return s
}

func mustTicket(t *testing.T, s *postgres.Services, tk service.Ticket) service.Ticket {
	t.Helper()
	if err := s.Tickets.CreateTicket(context.Background(), &tk); err != nil {
		t.Fatalf("create ticket: %v", err)
	}
	return tk
}

func TestTicketWorkflowAndHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &deskClock{t: mskTime("2026-11-26 10:00")} // Thursday
	s := openDesk(t, pgtest.NewDSN(t), clk)
	agent := mustUser(t, s, "desk.agent", crm.RoleAgent)
	vip := mustClient(t, s, crm.Client{Name: "VIP Client", Priority: "VIP"})
	tk := mustTicket(t, s, service.Ticket{ClientID: vip.ID, Subject: "Printer jams", Description: "Every page",
		CreatedBy: &agent.ID, Calls: []string{"1764140000.1"}})
	if tk.Priority != service.PriorityHigh || tk.Status != service.StatusNew || tk.PublicToken == "" || len(tk.PublicToken) < 30 {
		t.Fatalf("created %+v", tk)
	}
	if !tk.SLA.ResponseDue.Equal(mskTime("2026-11-26 11:00")) || !tk.SLA.ResolveDue.Equal(mskTime("2026-11-26 18:00")) {
		t.Fatalf("dues %v %v", tk.SLA.ResponseDue, tk.SLA.ResolveDue)
	}
	got, err := s.Tickets.GetTicket(ctx, tk.ID)
	if err != nil || len(got.Calls) != 1 || got.ClientName != "VIP Client" {
		t.Fatalf("get %+v %v", got, err)
	}
	tl, _ := s.Clients.Timeline(ctx, vip.ID, "", 10)
	if len(tl.Items) != 1 || tl.Items[0].Kind != crm.InteractionTicket {
		t.Fatalf("timeline %+v", tl.Items)
	}

	step := func(at string, st service.Status) service.Ticket {
		t.Helper()
		clk.Set(mskTime(at))
		out, err := s.Tickets.UpdateTicket(ctx, tk.ID, service.TicketUpdate{Status: &st}, &agent.ID)
		if err != nil {
			t.Fatalf("to %s: %v", st, err)
		}
		return out
	}
	step("2026-11-26 10:10", service.StatusInProgress)
	clk.Set(mskTime("2026-11-26 10:20"))
	if _, err := s.Tickets.AddMessage(ctx, &service.Event{TicketID: tk.ID, Kind: service.EventEmailOut, UserID: &agent.ID,
		To: "c@example.com", Body: "Please send a photo", Public: true}); err != nil {
		t.Fatal(err)
	}
	w := step("2026-11-26 12:00", service.StatusWaiting)
	if w.SLA.RespondedAt == nil || w.SLA.ResolveDue != nil || w.SLA.PausedAt == nil {
		t.Fatalf("waiting clocks %+v", w.SLA)
	}
	// The customer answers Friday 11:00: the ticket resumes with 8h paused.
	clk.Set(mskTime("2026-11-27 11:00"))
	ok, err := s.Tickets.AddMessage(ctx, &service.Event{TicketID: tk.ID, Kind: service.EventEmailIn, From: "c@example.com",
		Body: "Photo attached", MessageID: "<m1@example.com>", Public: true})
	if err != nil || !ok {
		t.Fatalf("email in: %v %v", ok, err)
	}
	if dup, err := s.Tickets.AddMessage(ctx, &service.Event{TicketID: tk.ID, Kind: service.EventEmailIn, Body: "again",
		MessageID: "<m1@example.com>", Public: true}); err != nil || dup {
		t.Fatalf("duplicate email recorded: %v %v", dup, err)
	}
	got, _ = s.Tickets.GetTicket(ctx, tk.ID)
	if got.Status != service.StatusInProgress || got.SLA.Paused != 8*time.Hour || !got.SLA.ResolveDue.Equal(mskTime("2026-11-27 17:00")) {
		t.Fatalf("after customer reply: %s paused %v due %v", got.Status, got.SLA.Paused, got.SLA.ResolveDue)
	}
	bad := service.StatusNew
	if _, err := s.Tickets.UpdateTicket(ctx, tk.ID, service.TicketUpdate{Status: &bad}, &agent.ID); !crm.IsKind(err, crm.KindConflict) {
		t.Fatalf("in_progress -> new: %v", err)
	}
	step("2026-11-27 12:00", service.StatusResolved)
	r := step("2026-11-27 13:00", service.StatusReopened)
	if r.Reopens != 1 || r.ResolvedAt != nil {
		t.Fatalf("reopened %+v", r)
	}
	thread, err := s.Tickets.Thread(ctx, tk.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[service.EventKind]int{}
	for _, e := range thread {
		kinds[e.Kind]++
	}
	// created, call; changes: in_progress, waiting, in_progress (by the email), resolved, reopened
	if kinds[service.EventCreated] != 1 || kinds[service.EventCall] != 1 || kinds[service.EventEmailOut] != 1 ||
		kinds[service.EventEmailIn] != 1 || kinds[service.EventChange] != 5 {
		t.Fatalf("history kinds %v", kinds)
	}
	public, _ := s.Tickets.Thread(ctx, tk.ID, true)
	for _, e := range public {
		if e.Kind == service.EventCall {
			t.Fatal("a call shows on the customer's page")
		}
	}
	if _, err := s.Tickets.TicketByToken(ctx, tk.PublicToken); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tickets.TicketByToken(ctx, "guess"); !crm.IsKind(err, crm.KindNotFound) {
		t.Fatalf("guessed token: %v", err)
	}
}

func TestTicketVisibilityAndFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	a1 := mustUser(t, s, "vis.a1", crm.RoleAgent)
	a2 := mustUser(t, s, "vis.a2", crm.RoleAgent)
	sup := mustUser(t, s, "vis.sup", crm.RoleSupervisor)
	team := service.Team{Name: "Line 1", LeadID: &sup.ID, Members: []int64{a1.ID}}
	if err := s.Teams.CreateTeam(ctx, &team); err != nil {
		t.Fatal(err)
	}
	c := mustClient(t, s, crm.Client{Name: "Filter Client", Priority: "C"})
	teamTicket := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "Team ticket", TeamID: &team.ID})
	mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "Other ticket", Priority: service.PriorityLow})
	if teamTicket.Priority != service.PriorityNormal {
		t.Fatalf("class C priority %s", teamTicket.Priority)
	}
	list := func(f service.TicketFilter) []string {
		t.Helper()
		p, err := s.Tickets.ListTickets(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tk := range p.Items {
			out = append(out, tk.Subject)
		}
		return out
	}
	if got := list(service.TicketFilter{Viewer: &service.Viewer{UserID: a1.ID, Role: crm.RoleAgent}}); len(got) != 1 || got[0] != "Team ticket" {
		t.Fatalf("agent in team sees %v", got)
	}
	if got := list(service.TicketFilter{Viewer: &service.Viewer{UserID: a2.ID, Role: crm.RoleAgent}}); len(got) != 0 {
		t.Fatalf("agent outside team sees %v", got)
	}
	if got := list(service.TicketFilter{Viewer: &service.Viewer{UserID: sup.ID, Role: crm.RoleSupervisor}}); len(got) != 2 {
		t.Fatalf("supervisor sees %v", got)
	}
	if got := list(service.TicketFilter{Priority: service.PriorityLow}); len(got) != 1 || got[0] != "Other ticket" {
		t.Fatalf("priority filter %v", got)
	}
	if got := list(service.TicketFilter{Query: "team"}); len(got) != 1 {
		t.Fatalf("query filter %v", got)
	}
	p, _ := s.Tickets.ListTickets(ctx, service.TicketFilter{Limit: 1})
	p2, _ := s.Tickets.ListTickets(ctx, service.TicketFilter{Limit: 1, After: p.Next})
	if p.Next == "" || len(p2.Items) != 1 || p2.Items[0].ID == p.Items[0].ID {
		t.Fatalf("paging %v %v", p, p2)
	}
	if ok, _ := s.Tickets.CanSeeTicket(ctx, &service.Viewer{UserID: a2.ID, Role: crm.RoleAgent}, teamTicket); ok {
		t.Fatal("agent outside team may see the ticket")
	}
	if err := s.Tickets.CreateTicket(ctx, &service.Ticket{ClientID: 999999, Subject: "x"}); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("unknown client: %v", err)
	}
	if err := s.Tickets.CreateTicket(ctx, &service.Ticket{ClientID: c.ID, Subject: "x", AssigneeID: ptr(int64(999999))}); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("unknown assignee: %v", err)
	}
}

func TestTicketsForScreenPopAndSurveys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	c := mustClient(t, s, crm.Client{Name: "Pop client"})
	open := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "Open one"})
	done := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "Done one"})
	closed := service.StatusClosed
	if _, err := s.Tickets.UpdateTicket(ctx, done.ID, service.TicketUpdate{Status: &closed}, nil); err != nil {
		t.Fatal(err)
	}
	cards, err := s.Tickets.OpenTickets(ctx, c.ID, 5)
	if err != nil || len(cards) != 1 || cards[0].ID != open.ID || cards[0].URL == "" || cards[0].Due.IsZero() {
		t.Fatalf("open tickets %+v %v", cards, err)
	}
	f := postgres.SurveyTickets{Tickets: s.Tickets}
	fu := survey.FollowUp{Survey: survey.Survey{Name: "CSAT"}, Question: survey.Question{Key: "agent"}, Value: 1,
		Response: survey.Response{ID: 7, ClientID: &c.ID, LinkedID: "1764140000.5", Agent: "ivan"}}
	for i := 0; i < 2; i++ { // a retried follow-up opens one ticket
		if err := f.OpenFollowUp(ctx, fu); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := s.Tickets.ListTickets(ctx, service.TicketFilter{ClientID: c.ID, Query: "survey score"})
	if len(p.Items) != 1 || p.Items[0].Priority != service.PriorityHigh || len(p.Items[0].Calls) != 1 {
		t.Fatalf("follow-up tickets %+v", p.Items)
	}
	fu.Response.ClientID = nil
	if err := f.OpenFollowUp(ctx, fu); err != nil {
		t.Fatalf("unknown caller: %v", err)
	}
}
