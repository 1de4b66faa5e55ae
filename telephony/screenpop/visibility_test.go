package screenpop

import (
	"context"
	"strings"
	"testing"
	"time"

	"hotline/crm"
)

// fakeTickets lists each client's open requests.
type fakeTickets map[int64][]Ticket

func (f fakeTickets) OpenTickets(_ context.Context, clientID int64, _ int) ([]Ticket, error) {
	return f[clientID], nil
}

// fakeRecent gives each client its timeline.
type fakeRecent map[int64][]crm.Interaction

func (f fakeRecent) RecentInteractions(_ context.Context, ids []int64, _ int) (map[int64][]crm.Interaction, error) {
	out := map[int64][]crm.Interaction{}
	for _, id := range ids {
		out[id] = f[id]
	}
	return out, nil
}

// fakeVisibility lets each login see the listed requests.
type fakeVisibility map[string][]int64

var _ TicketVisibility = fakeVisibility{}

func (f fakeVisibility) VisibleTickets(_ context.Context, login string, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	for _, id := range f[login] {
		out[id] = true
	}
	return out, nil
}

// TestCardHidesRequestsTheAgentCannotSee: a ring-all call pops one card on
// two agents' consoles; each sees only the requests (and the timeline
// entries about them) the service desk lets them see.
func TestCardHidesRequestsTheAgentCannotSee(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	clients := &fakeClients{byPhone: map[string][]crm.Client{ivanPhone: {{ID: 1, Name: "Ivan Petrov"}}}}
	cards := NewCardBuilder(CardSources{Clients: clients,
		Tickets: fakeTickets{1: {{ID: 10, Title: "Alice's secret subject"}, {ID: 11, Title: "Shared subject"}}},
		Recent: fakeRecent{1: {
			{Kind: crm.InteractionTicket, At: at, Summary: "Alice's secret subject", RefType: "ticket", RefID: "10"},
			{Kind: crm.InteractionNote, At: at, Summary: "a note"},
		}}})
	hub := NewLocalHub(0)
	defer hub.Close()
	popper := NewPopper(Options{Cards: cards, Hub: hub, Agents: fakeAgents{"PJSIP/1001": "alice", "PJSIP/1002": "bob"},
		Tickets: fakeVisibility{"alice": {10, 11}, "bob": {11}}})
	alice, bob := subscribe(t, hub, "alice"), subscribe(t, hub, "bob")
	ctx := context.Background()
	for _, ep := range []string{"PJSIP/1001", "PJSIP/1002"} {
		if err := popper.Ringing(ctx, Ringing{CallID: "c1", Endpoint: ep, Caller: ivanPhone}); err != nil {
			t.Fatal(err)
		}
	}
	pa, ma := next(t, alice)
	pb, mb := next(t, bob)
	if len(pa.Card.Clients[0].Tickets) != 2 || len(pa.Card.Clients[0].Recent) != 2 {
		t.Errorf("alice's card: %s", ma.Data)
	}
	if strings.Contains(string(mb.Data), "secret") || len(pb.Card.Clients[0].Tickets) != 1 || len(pb.Card.Clients[0].Recent) != 1 {
		t.Errorf("bob's card shows what he may not see: %s", mb.Data)
	}
}
