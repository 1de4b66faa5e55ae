package screenpop

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hotline/crm"
)

// fakeClients is a hand-written ClientFinder over a fixed phone book.
type fakeClients struct {
	byPhone map[string][]crm.Client
	calls   atomic.Int64
	err     error
}

var _ ClientFinder = (*fakeClients)(nil)

func (f *fakeClients) FindClientsByPhone(_ context.Context, e164 string) ([]crm.Client, error) {
	f.calls.Add(1)
	return f.byPhone[e164], f.err
}

// fakeAgents maps endpoints to agent logins.
type fakeAgents map[string]string

func (f fakeAgents) AgentForEndpoint(_ context.Context, ep string) (string, bool, error) {
	a, ok := f[ep]
	return a, ok, nil
}

// fakeTimeline records saved interactions.
type fakeTimeline struct {
	mu    sync.Mutex
	saved []crm.Interaction
}

func (f *fakeTimeline) AddInteraction(_ context.Context, i *crm.Interaction) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	i.ID = int64(len(f.saved) + 1)
	f.saved = append(f.saved, *i)
	return nil
}

const (
	ivanPhone = "+79161234567"
	twoPhone  = "+74951112233"
)

type rig struct {
	clients *fakeClients
	hub     *LocalHub
	popper  *Popper
	now     time.Time
	mu      sync.Mutex
}

func newRig(t *testing.T) *rig {
	t.Helper()
	owner := int64(7)
	r := &rig{
		clients: &fakeClients{byPhone: map[string][]crm.Client{
			ivanPhone: {{ID: 1, Name: "Ivan Petrov", Company: "Acme", Priority: "VIP", OwnerID: &owner}},
			twoPhone:  {{ID: 3, Name: "Anna"}, {ID: 2, Name: "Boris"}},
		}},
		hub: NewLocalHub(0),
		now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC),
	}
	clock := func() time.Time { r.mu.Lock(); defer r.mu.Unlock(); return r.now }
	cards := NewCardBuilder(CardSources{Clients: r.clients, Now: clock})
	r.popper = NewPopper(Options{Cards: cards, Hub: r.hub, Now: clock,
		Agents: fakeAgents{"PJSIP/1001": "alice", "PJSIP/1002": "bob", "PJSIP/1011": "alice"}})
	t.Cleanup(func() { _ = r.hub.Close() })
	return r
}

func (r *rig) advance(d time.Duration) {
	r.mu.Lock()
	r.now = r.now.Add(d)
	r.mu.Unlock()
}

func subscribe(t *testing.T, h Hub, agent string) *Subscription {
	t.Helper()
	s, err := h.Subscribe(context.Background(), agent)
	if err != nil {
		t.Fatalf("subscribe %s: %v", agent, err)
	}
	t.Cleanup(s.Close)
	return s
}

// next returns the next pop on s, failing after a second.
func next(t *testing.T, s *Subscription) (Pop, Message) {
	t.Helper()
	select {
	case m, ok := <-s.C:
		if !ok {
			t.Fatalf("subscription closed: %v", s.Err())
		}
		var p Pop
		if err := json.Unmarshal(m.Data, &p); err != nil {
			t.Fatalf("decode pop: %v", err)
		}
		return p, m
	case <-time.After(3 * time.Second):
		t.Fatal("no pop arrived")
	}
	return Pop{}, Message{}
}

func nothing(t *testing.T, s *Subscription) {
	t.Helper()
	select {
	case m := <-s.C:
		t.Fatalf("unexpected message for %s: %s", s.agent, m.Data)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestPopReachesOnlyTheRingingAgent(t *testing.T) {
	r := newRig(t)
	alice, bob := subscribe(t, r.hub, "alice"), subscribe(t, r.hub, "bob")
	ctx := context.Background()
	if err := r.popper.Ringing(ctx, Ringing{CallID: "c1", Endpoint: "PJSIP/1001", Caller: "89161234567", Dialled: "8005"}); err != nil {
		t.Fatal(err)
	}
	p, m := next(t, alice)
	if p.State != StateRinging || p.Agent != "alice" || p.CallID != "c1" {
		t.Fatalf("pop = %+v", p)
	}
	if m.Popped.IsZero() {
		t.Error("first pop carries no received time for the latency histogram")
	}
	c := p.Card
	if c.CallerE164 != ivanPhone || c.Caller != "89161234567" || c.Dialled != "8005" {
		t.Errorf("card numbers = %q %q %q", c.CallerE164, c.Caller, c.Dialled)
	}
	if len(c.Clients) != 1 || c.Clients[0].Name != "Ivan Petrov" || c.Clients[0].Priority.Code != "VIP" ||
		c.Clients[0].URL != "/clients/1" || c.Clients[0].OwnerID != 7 {
		t.Errorf("clients = %+v", c.Clients)
	}
	if c.Modules.Tickets || c.Modules.Products || c.Modules.Surveys {
		t.Errorf("modules = %+v, want all absent", c.Modules)
	}
	nothing(t, bob)
}

func TestTwoDevicesOfOneAgentPopOnce(t *testing.T) {
	r := newRig(t)
	alice := subscribe(t, r.hub, "alice")
	ctx := context.Background()
	for _, ep := range []string{"PJSIP/1001", "PJSIP/1011"} {
		if err := r.popper.Ringing(ctx, Ringing{CallID: "c1", Endpoint: ep, Caller: ivanPhone}); err != nil {
			t.Fatal(err)
		}
	}
	next(t, alice)
	nothing(t, alice)
}

func TestQueueRingAllClosesOthersOnAnswer(t *testing.T) {
	r := newRig(t)
	alice, bob := subscribe(t, r.hub, "alice"), subscribe(t, r.hub, "bob")
	ctx := context.Background()
	for _, ep := range []string{"PJSIP/1001", "PJSIP/1002"} {
		if err := r.popper.Ringing(ctx, Ringing{CallID: "q1", Endpoint: ep, Caller: ivanPhone}); err != nil {
			t.Fatal(err)
		}
	}
	next(t, alice)
	next(t, bob)
	if n := r.clients.calls.Load(); n != 1 {
		t.Errorf("lookups = %d, want one per call", n)
	}
	r.advance(5 * time.Second)
	if err := r.popper.Answered(ctx, Answered{CallID: "q1", Endpoint: "PJSIP/1002"}); err != nil {
		t.Fatal(err)
	}
	pb, _ := next(t, bob)
	if pb.State != StateAnswered || !pb.AnsweredAt.Equal(r.now) {
		t.Errorf("bob's pop = %s at %v", pb.State, pb.AnsweredAt)
	}
	pa, ma := next(t, alice)
	if pa.State != StateTaken || pa.AnsweredBy != "bob" || ma.Live {
		t.Errorf("alice's pop = %s by %q live=%v, want taken by bob, not live", pa.State, pa.AnsweredBy, ma.Live)
	}
	if live, _ := r.hub.Live(ctx, "alice"); len(live) != 0 {
		t.Errorf("alice still has %d live pops", len(live))
	}
	r.advance(90 * time.Second)
	if err := r.popper.Ended(ctx, Ended{CallID: "q1"}); err != nil {
		t.Fatal(err)
	}
	pb, _ = next(t, bob)
	if pb.State != StateEnded || pb.TalkSeconds != 90 {
		t.Errorf("bob's pop = %s talk %ds, want ended 90s", pb.State, pb.TalkSeconds)
	}
	nothing(t, alice)
}

func TestTransferAndClickToCallAreNoted(t *testing.T) {
	r := newRig(t)
	alice, bob := subscribe(t, r.hub, "alice"), subscribe(t, r.hub, "bob")
	ctx := context.Background()
	must(t, r.popper.Ringing(ctx, Ringing{CallID: "t1", AgentLogin: "alice", Caller: ivanPhone, ClickToCall: true}))
	must(t, r.popper.Answered(ctx, Answered{CallID: "t1", AgentLogin: "alice"}))
	must(t, r.popper.Ringing(ctx, Ringing{CallID: "t1", Endpoint: "PJSIP/1002", Caller: ivanPhone, Transfer: true, FromAgent: "alice"}))
	pa, _ := next(t, alice)
	if !pa.ClickToCall {
		t.Error("click-to-call not noted")
	}
	pb, _ := next(t, bob)
	if !pb.Transfer || pb.FromAgent != "alice" || pb.Card.Clients[0].Name != "Ivan Petrov" {
		t.Errorf("transfer pop = %+v", pb)
	}
	must(t, r.popper.Answered(ctx, Answered{CallID: "t1", AgentLogin: "bob"}))
	if p, _ := next(t, bob); p.State != StateAnswered {
		t.Errorf("bob = %s", p.State)
	}
	if p, _ := next(t, alice); p.State != StateAnswered {
		t.Errorf("alice = %s", p.State)
	}
	nothing(t, alice) // bob answering the transfer does not close alice's card

}

func TestReconnectReplaysLivePops(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	must(t, r.popper.Ringing(ctx, Ringing{CallID: "c1", AgentLogin: "alice", Caller: ivanPhone}))
	must(t, r.popper.Ringing(ctx, Ringing{CallID: "c2", AgentLogin: "alice", Caller: "+70000000000"}))
	must(t, r.popper.Ended(ctx, Ended{CallID: "c2"}))
	must(t, r.popper.Close(ctx, "alice", "c2"))
	s := subscribe(t, r.hub, "alice")
	p, m := next(t, s)
	if p.CallID != "c1" || !m.Replay || p.State != StateRinging {
		t.Errorf("replayed %s %s replay=%v", p.CallID, p.State, m.Replay)
	}
	nothing(t, s)
	if err := r.popper.Close(ctx, "alice", "c9"); !crm.IsKind(err, crm.KindNotFound) {
		t.Errorf("close of an unknown card: %v", err)
	}
}

func TestUnknownAndWithheldCallers(t *testing.T) {
	r := newRig(t)
	s := subscribe(t, r.hub, "alice")
	ctx := context.Background()
	must(t, r.popper.Ringing(ctx, Ringing{CallID: "u1", AgentLogin: "alice", Caller: "+74957654321"}))
	p, _ := next(t, s)
	if p.Card.CallerE164 != "+74957654321" || len(p.Card.Clients) != 0 || p.Card.Error != "" {
		t.Errorf("unknown caller card = %+v", p.Card)
	}
	must(t, r.popper.Ringing(ctx, Ringing{CallID: "u2", AgentLogin: "alice", Caller: "anonymous"}))
	p, _ = next(t, s)
	if p.Card.CallerE164 != "" || p.Card.Caller != "anonymous" {
		t.Errorf("withheld caller card = %+v", p.Card)
	}
	if n := r.clients.calls.Load(); n != 1 {
		t.Errorf("lookups = %d, want none for a withheld number", n)
	}
	must(t, r.popper.Ringing(ctx, Ringing{CallID: "u3", AgentLogin: "alice", Caller: twoPhone}))
	p, _ = next(t, s)
	if len(p.Card.Clients) != 2 || p.Card.Clients[0].ID != 3 {
		t.Errorf("shared number clients (in the store's order) = %+v", p.Card.Clients)
	}
	r.clients.err = errors.New("db down")
	must(t, r.popper.Ringing(ctx, Ringing{CallID: "u4", AgentLogin: "alice", Caller: ivanPhone}))
	p, _ = next(t, s)
	if p.Card.Error == "" || p.Card.CallerE164 != ivanPhone {
		t.Errorf("lookup failure must still pop the number with an error: %+v", p.Card)
	}
}

func TestWrapUpSavesNoteOnTimeline(t *testing.T) {
	r := newRig(t)
	s := subscribe(t, r.hub, "alice")
	ctx := context.Background()
	tl := &fakeTimeline{}
	must(t, r.popper.Ringing(ctx, Ringing{CallID: "w1", AgentLogin: "alice", Caller: ivanPhone}))
	must(t, r.popper.Answered(ctx, Answered{CallID: "w1", AgentLogin: "alice"}))
	in := WrapUpInput{Agent: "alice", UserID: 5, CallID: "w1", ClientID: 1, Note: "  wants a callback "}
	if _, err := r.popper.WrapUp(ctx, in, tl); !crm.IsKind(err, crm.KindConflict) {
		t.Errorf("wrap-up during the call: %v", err)
	}
	r.advance(time.Minute)
	must(t, r.popper.Ended(ctx, Ended{CallID: "w1"}))
	if _, err := r.popper.WrapUp(ctx, WrapUpInput{Agent: "alice", CallID: "w1", ClientID: 99, Note: "x"}, tl); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("wrap-up for a client not on the card: %v", err)
	}
	if _, err := r.popper.WrapUp(ctx, WrapUpInput{Agent: "bob", CallID: "w1", ClientID: 1, Note: "x"}, tl); !crm.IsKind(err, crm.KindNotFound) {
		t.Errorf("wrap-up of another agent's card: %v", err)
	}
	pop, err := r.popper.WrapUp(ctx, in, tl)
	must(t, err)
	if len(tl.saved) != 1 {
		t.Fatalf("saved %d interactions", len(tl.saved))
	}
	it := tl.saved[0]
	if it.ClientID != 1 || it.Kind != crm.InteractionCall || it.Body != "wants a callback" || *it.UserID != 5 || it.RefID != "w1" {
		t.Errorf("interaction = %+v", it)
	}
	if pop.WrapUp == nil || pop.WrapUp.InteractionID != 1 {
		t.Errorf("pop wrap-up = %+v", pop.WrapUp)
	}
	for range 3 {
		next(t, s) // ringing, answered, ended
	}
	if p, _ := next(t, s); p.WrapUp == nil || p.State != StateEnded {
		t.Errorf("consoles not told of the wrap-up: %+v", p)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestQueueRotationRingsAMissedAgentAgain(t *testing.T) {
	r := newRig(t)
	alice := subscribe(t, r.hub, "alice")
	ctx := context.Background()
	must(t, r.popper.Ringing(ctx, Ringing{CallID: "rot", AgentLogin: "alice", Caller: ivanPhone}))
	must(t, r.popper.Ended(ctx, Ended{CallID: "rot", AgentLogin: "alice"})) // ring timeout, the queue moves on
	must(t, r.popper.Ringing(ctx, Ringing{CallID: "rot", AgentLogin: "bob", Caller: ivanPhone}))
	must(t, r.popper.Ended(ctx, Ended{CallID: "rot", AgentLogin: "bob"}))
	must(t, r.popper.Ringing(ctx, Ringing{CallID: "rot", AgentLogin: "alice", Caller: ivanPhone}))
	for _, want := range []State{StateRinging, StateMissed, StateRinging} {
		if p, _ := next(t, alice); p.State != want {
			t.Errorf("alice's pop = %s, want %s", p.State, want)
		}
	}
	if n := r.clients.calls.Load(); n != 1 {
		t.Errorf("lookups = %d, want one for the whole call", n)
	}
}

func TestRefreshFindsTheClientCreatedDuringTheCall(t *testing.T) {
	r := newRig(t)
	s := subscribe(t, r.hub, "alice")
	ctx := context.Background()
	const newPhone = "+74957770000"
	must(t, r.popper.Ringing(ctx, Ringing{CallID: "n1", AgentLogin: "alice", Caller: newPhone}))
	if p, _ := next(t, s); len(p.Card.Clients) != 0 {
		t.Fatalf("unknown caller has clients: %+v", p.Card.Clients)
	}
	r.clients.byPhone[newPhone] = []crm.Client{{ID: 9, Name: "Created Now"}}
	pop, err := r.popper.Refresh(ctx, "alice", "n1")
	must(t, err)
	if len(pop.Card.Clients) != 1 || pop.State != StateRinging {
		t.Errorf("refreshed pop = %+v", pop)
	}
	if p, _ := next(t, s); len(p.Card.Clients) != 1 || p.Card.Clients[0].Name != "Created Now" {
		t.Errorf("console got %+v", p.Card)
	}
	must(t, r.popper.Answered(ctx, Answered{CallID: "n1", AgentLogin: "alice"}))
	if p, _ := next(t, s); len(p.Card.Clients) != 1 {
		t.Error("later updates lost the refreshed card")
	}
	if _, err := r.popper.Refresh(ctx, "bob", "n1"); !crm.IsKind(err, crm.KindNotFound) {
		t.Errorf("refresh of another agent's card: %v", err)
	}
}
