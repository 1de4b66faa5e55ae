package screenpop

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"hotline/crm"
)

// partSources are the separate card sources over fixed data, each part
// failing when its error is set.
type partSources struct {
	clients                                       *fakeClients
	recent                                        fakeRecent
	tickets                                       fakeTickets
	products                                      map[int64][]Product
	surveys                                       map[int64][]SurveyScore
	names                                         map[int64]string
	recentErr, ticketsErr, productsErr, surveyErr error
	nameCalls                                     int
	lookupErr                                     error // LookupCard fails as a whole
	// visibility answers Seen for a viewer; lookups counts LookupCard calls
	visibility fakeVisibility
	lookups    int
}

func (s *partSources) RecentInteractions(ctx context.Context, ids []int64, n int) (map[int64][]crm.Interaction, error) {
	if s.recentErr != nil {
		return nil, s.recentErr
	}
	return s.recent.RecentInteractions(ctx, ids, n)
}

func (s *partSources) OpenTickets(ctx context.Context, id int64, n int) ([]Ticket, error) {
	if s.ticketsErr != nil {
		return nil, s.ticketsErr
	}
	return s.tickets.OpenTickets(ctx, id, n)
}

func (s *partSources) PurchasedProducts(_ context.Context, id int64, _ int) ([]Product, error) {
	if s.productsErr != nil {
		return nil, s.productsErr
	}
	return s.products[id], nil
}

func (s *partSources) LastSurveyScores(_ context.Context, id int64, _ int) ([]SurveyScore, error) {
	if s.surveyErr != nil {
		return nil, s.surveyErr
	}
	return s.surveys[id], nil
}

func (s *partSources) UserNames(_ context.Context, ids []int64) (map[int64]string, error) {
	s.nameCalls++
	out := map[int64]string{}
	for _, id := range ids {
		if n, ok := s.names[id]; ok {
			out[id] = n
		}
	}
	return out, nil
}

func (s *partSources) ListPriorityClasses(context.Context) ([]crm.PriorityClass, error) {
	return []crm.PriorityClass{{Code: "VIP", Name: "VIP", Rank: 0}, {Code: "C", Name: "Class C", Rank: 3}}, nil
}

// LookupCard answers the same data at once, as the CRM store's batch does.
func (s *partSources) LookupCard(ctx context.Context, e164 string, n int, viewer string) (CardData, error) {
	s.lookups++
	if s.lookupErr != nil {
		return CardData{}, s.lookupErr
	}
	clients, err := s.clients.FindClientsByPhone(ctx, e164)
	if err != nil {
		return CardData{}, err
	}
	d := CardData{RecentErr: s.recentErr, TicketsErr: s.ticketsErr, ProductsErr: s.productsErr, SurveysErr: s.surveyErr}
	for _, c := range clients {
		cc := CardClient{Client: c}
		if c.OwnerID != nil {
			cc.OwnerName = s.names[*c.OwnerID]
		}
		if s.recentErr == nil {
			cc.Recent = s.recent[c.ID]
		}
		if s.ticketsErr == nil {
			cc.Tickets = s.tickets[c.ID]
		}
		if s.productsErr == nil {
			cc.Products = s.products[c.ID]
		}
		if s.surveyErr == nil {
			cc.Surveys = s.surveys[c.ID]
		}
		d.Clients = append(d.Clients, cc)
	}
	if viewer != "" && s.visibility != nil {
		d.Seen = map[int64]bool{}
		for _, c := range d.Clients {
			for _, t := range c.Tickets {
				d.Seen[t.ID] = slices.Contains(s.visibility[viewer], t.ID)
			}
			for _, it := range c.Recent {
				if id := ticketRef(it); id != 0 {
					d.Seen[id] = slices.Contains(s.visibility[viewer], id)
				}
			}
		}
	}
	return d, nil
}

var (
	_ CardLookup         = (*partSources)(nil)
	_ RecentInteractions = (*partSources)(nil)
	_ Directory          = (*partSources)(nil)
)

// TestCardLookupMatchesTheSeparateSources: a card built through CardLookup
// equals the one the separate sources build, also when parts fail, when
// the clients cannot be read, and when modules are missing (their parts
// stay off the card); owner names come with the lookup.
func TestCardLookupMatchesTheSeparateSources(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	owner := int64(7)
	fail := errors.New("boom")
	newSources := func() *partSources {
		return &partSources{
			clients: &fakeClients{byPhone: map[string][]crm.Client{
				ivanPhone: {{ID: 1, Name: "Ivan Petrov", Priority: "VIP", OwnerID: &owner, Tags: []string{"key"}}},
				twoPhone:  {{ID: 3, Name: "Anna", Priority: "C"}, {ID: 2, Name: "Boris", OwnerID: &owner}},
			}},
			recent: fakeRecent{1: {{Kind: crm.InteractionTicket, At: at, Summary: "opened", RefType: "ticket", RefID: "10"},
				{Kind: crm.InteractionNote, At: at.Add(-time.Hour), Summary: "a note"}}, 2: {{Kind: crm.InteractionCall, At: at, Summary: "call"}}},
			tickets:  fakeTickets{1: {{ID: 10, Title: "Broken", Status: "new", Due: at}}, 3: {{ID: 11, Title: "Other"}}},
			products: map[int64][]Product{1: {{ID: 5, Name: "Router", Support: "8x5"}}},
			surveys:  map[int64][]SurveyScore{2: {{Survey: "CSAT", Score: 4, Max: 5, At: at}}},
			names:    map[int64]string{owner: "Olga"},
		}
	}
	now := func() time.Time { return at }
	for _, tc := range []struct {
		name   string
		number string
		change func(*partSources)
		parts  func(*CardSources)
	}{
		{name: "one client", number: ivanPhone},
		{name: "shared number", number: twoPhone},
		{name: "unknown", number: "+74950000000"},
		{name: "withheld", number: "anonymous"},
		{name: "clients fail", number: ivanPhone, change: func(s *partSources) { s.clients.err = fail }},
		{name: "recent fails", number: twoPhone, change: func(s *partSources) { s.recentErr = fail }},
		{name: "tickets and scores fail", number: twoPhone, change: func(s *partSources) { s.ticketsErr, s.surveyErr = fail, fail }},
		{name: "products fail", number: ivanPhone, change: func(s *partSources) { s.productsErr = fail }},
		{name: "no modules", number: twoPhone, parts: func(c *CardSources) { c.Tickets, c.Products, c.Surveys, c.Recent = nil, nil, nil, nil }},
		{name: "no directory", number: ivanPhone, parts: func(c *CardSources) { c.Directory = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSources()
			if tc.change != nil {
				tc.change(s)
			}
			src := CardSources{Clients: s.clients, Recent: s, Directory: s, Tickets: s, Products: s, Surveys: s, Now: now}
			if tc.parts != nil {
				tc.parts(&src)
			}
			ctx := context.Background()
			want, err := NewCardBuilder(src).Build(ctx, tc.number, "Caller", "7001")
			if err != nil {
				t.Fatal(err)
			}
			s.nameCalls = 0
			src.Lookup, src.Clients = s, nil
			got, err := NewCardBuilder(src).Build(ctx, tc.number, "Caller", "7001")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("through the lookup:\n%+v\nfrom the sources:\n%+v", got, want)
			}
			if s.nameCalls != 0 {
				t.Errorf("the directory was asked for names %d times; the lookup brings them", s.nameCalls)
			}
		})
	}
}

// TestCancelledLookupReturnsTheError: as with the separate sources, only a
// cancelled context makes Build fail.
func TestCancelledLookupReturnsTheError(t *testing.T) {
	s := &partSources{clients: &fakeClients{err: context.Canceled}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewCardBuilder(CardSources{Lookup: s}).Build(ctx, ivanPhone, "", ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Build = %v, want the context's error", err)
	}
}

// TestFailedLookupFallsBackToTheSources: when the lookup fails as a whole
// (a statement of the batch cannot even be prepared), the card is built
// part by part, missing only what fails there too.
func TestFailedLookupFallsBackToTheSources(t *testing.T) {
	s := &partSources{
		clients: &fakeClients{byPhone: map[string][]crm.Client{ivanPhone: {{ID: 1, Name: "Ivan Petrov"}}}},
		tickets: fakeTickets{1: {{ID: 10, Title: "Broken"}}}, surveyErr: errors.New("no such column"),
		lookupErr: errors.New("prepare failed")}
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	src := CardSources{Clients: s.clients, Tickets: s, Surveys: s, Now: func() time.Time { return at }}
	ctx := context.Background()
	want, err := NewCardBuilder(src).Build(ctx, ivanPhone, "", "")
	if err != nil {
		t.Fatal(err)
	}
	src.Lookup = s
	got, err := NewCardBuilder(src).Build(ctx, ivanPhone, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) || len(got.Clients) != 1 || len(got.Clients[0].Tickets) != 1 || got.Error != "could not load [survey scores]" {
		t.Errorf("card = %+v, want the sources' %+v", got, want)
	}
	if n := s.clients.calls.Load(); n != 2 {
		t.Errorf("%d client lookups, want one for each card", n)
	}
}

// countedVisibility is a TicketVisibility that counts its questions.
type countedVisibility struct {
	fakeVisibility
	asked []string
}

func (c *countedVisibility) VisibleTickets(ctx context.Context, login string, ids []int64) (map[int64]bool, error) {
	c.asked = append(c.asked, login)
	return c.fakeVisibility.VisibleTickets(ctx, login, ids)
}

// TestLookupReadsTheFirstAgentsVisibility: with a CardLookup, what the
// first ringing agent may see comes with the card (no question of its
// own); the other agents of a ring-all are asked as before, and each sees
// what they may, as with the separate sources. A refresh reads it for the
// agent who asked.
func TestLookupReadsTheFirstAgentsVisibility(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	rules := fakeVisibility{"alice": {10, 11}, "bob": {11}}
	s := &partSources{
		clients: &fakeClients{byPhone: map[string][]crm.Client{ivanPhone: {{ID: 1, Name: "Ivan Petrov"}}}},
		tickets: fakeTickets{1: {{ID: 10, Title: "Alice's secret subject"}, {ID: 11, Title: "Shared subject"}}},
		recent: fakeRecent{1: {
			{Kind: crm.InteractionTicket, At: at, Summary: "Alice's secret subject", RefType: "ticket", RefID: "10"},
			{Kind: crm.InteractionNote, At: at, Summary: "a note"},
		}},
		visibility: rules,
	}
	src := CardSources{Clients: s.clients, Recent: s, Tickets: s, Now: func() time.Time { return at }}
	ring := func(src CardSources) (alice, bob Pop, asked []string, p *Popper, hub *LocalHub) {
		hub = NewLocalHub(0)
		t.Cleanup(func() { _ = hub.Close() })
		vis := &countedVisibility{fakeVisibility: rules}
		p = NewPopper(Options{Cards: NewCardBuilder(src), Hub: hub, Agents: fakeAgents{"PJSIP/1001": "alice", "PJSIP/1002": "bob"},
			Tickets: vis, Now: func() time.Time { return at }})
		sa, sb := subscribe(t, hub, "alice"), subscribe(t, hub, "bob")
		for _, ep := range []string{"PJSIP/1001", "PJSIP/1002"} {
			if err := p.Ringing(context.Background(), Ringing{CallID: "c1", Endpoint: ep, Caller: ivanPhone, At: at}); err != nil {
				t.Fatal(err)
			}
		}
		alice, _ = next(t, sa)
		bob, _ = next(t, sb)
		return alice, bob, vis.asked, p, hub
	}
	wantAlice, wantBob, asked, _, _ := ring(src)
	if !slices.Equal(asked, []string{"alice", "bob"}) {
		t.Fatalf("separate sources asked for %v", asked)
	}
	src.Lookup = s
	alice, bob, asked, p, hub := ring(src)
	if !slices.Equal(asked, []string{"bob"}) {
		t.Errorf("with the lookup, visibility asked for %v, want bob only", asked)
	}
	for _, pops := range [][2]Pop{{alice, wantAlice}, {bob, wantBob}} {
		got, want := pops[0], pops[1]
		got.Seq, want.Seq = 0, 0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s's pop through the lookup:\n%+v\nfrom the sources:\n%+v", got.Agent, got, want)
		}
	}
	if n := len(alice.Card.Clients[0].Tickets); n != 2 || len(bob.Card.Clients[0].Tickets) != 1 {
		t.Errorf("alice sees %d requests, bob %d; want 2 and 1", n, len(bob.Card.Clients[0].Tickets))
	}

	lookups := s.lookups
	sb := subscribe(t, hub, "bob")
	pop, err := p.Refresh(context.Background(), "bob", "c1")
	if err != nil {
		t.Fatal(err)
	}
	if s.lookups != lookups+1 || len(pop.Card.Clients[0].Tickets) != 1 || len(pop.Card.Clients[0].Recent) != 1 {
		t.Errorf("refreshed pop of bob: %+v after %d lookups", pop.Card, s.lookups-lookups)
	}
	if got, _ := next(t, sb); len(got.Card.Clients[0].Tickets) != 1 {
		t.Errorf("bob's console got %+v", got.Card)
	}
}
