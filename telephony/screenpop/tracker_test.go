package screenpop

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hotline/telephony"
)

func ptr(t time.Time) *time.Time { return &t }

// A queue call that an IVR answered first rings two agents; the second
// answers: the first's card closes, the second's runs, and the end of the
// call ends it.
func TestTrackerEventsDriveThePops(t *testing.T) {
	r := newRig(t)
	alice, bob := subscribe(t, r.hub, "alice"), subscribe(t, r.hub, "bob")
	ctx := context.Background()
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	call := telephony.Call{LinkedID: "1764.10", Node: "pbx1", Direction: telephony.Inbound,
		Caller: ivanPhone, Customer: ivanPhone, Callee: "+74951000000", AnsweredAt: ptr(t0)}
	call.Legs = []telephony.Leg{{ChannelID: "1764.10", Endpoint: "PJSIP/trunk", AnsweredAt: ptr(t0)}}
	ev := func(kind telephony.EventKind, at time.Time, agent, channel string) telephony.Event {
		c := call
		c.Legs = append([]telephony.Leg(nil), call.Legs...)
		return telephony.Event{Kind: kind, At: at, Node: "pbx1", LinkedID: "1764.10", Agent: agent, Channel: channel, Call: c}
	}
	popMust := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	popMust(r.popper.HandleTrackerEvent(ctx, ev(telephony.EventCallAnswered, t0, "", "")))
	call.Legs = append(call.Legs,
		telephony.Leg{ChannelID: "1764.11", Endpoint: "PJSIP/1001", Agent: "alice", RingingAt: ptr(t0.Add(time.Second))},
		telephony.Leg{ChannelID: "1764.12", Endpoint: "PJSIP/1002", Agent: "bob", RingingAt: ptr(t0.Add(time.Second))})
	popMust(r.popper.HandleTrackerEvent(ctx, ev(telephony.EventAgentRinging, t0.Add(time.Second), "alice", "1764.11")))
	popMust(r.popper.HandleTrackerEvent(ctx, ev(telephony.EventAgentRinging, t0.Add(time.Second), "bob", "1764.12")))
	pa, _ := next(t, alice)
	pb, _ := next(t, bob)
	if pa.State != StateRinging || pa.Endpoint != "PJSIP/1001" || pa.Card.Clients[0].Name != "Ivan Petrov" || pa.Transfer || pa.ClickToCall {
		t.Errorf("alice's pop = %+v", pa)
	}
	if pb.State != StateRinging || pb.Card.Dialled != "+74951000000" {
		t.Errorf("bob's pop = %+v", pb)
	}
	// bob answers; alice's leg is hung up by the queue. Any event's
	// snapshot (here a hold's, a kind RunTracker does not even ask for)
	// carries both.
	call.Legs[2].AnsweredAt = ptr(t0.Add(4 * time.Second))
	call.Legs[1].EndedAt = ptr(t0.Add(4 * time.Second))
	call.Agent = "bob"
	popMust(r.popper.HandleTrackerEvent(ctx, ev(telephony.EventCallHeld, t0.Add(30*time.Second), "bob", "1764.12")))
	if p, _ := next(t, bob); p.State != StateAnswered || !p.AnsweredAt.Equal(t0.Add(4*time.Second)) {
		t.Errorf("bob = %s at %v", p.State, p.AnsweredAt)
	}
	if p, _ := next(t, alice); p.State != StateTaken {
		t.Errorf("alice = %s, want taken", p.State)
	}
	call.EndedAt = ptr(t0.Add(64 * time.Second))
	popMust(r.popper.HandleTrackerEvent(ctx, ev(telephony.EventCallEnded, t0.Add(64*time.Second), "", "")))
	if p, _ := next(t, bob); p.State != StateEnded || p.TalkSeconds != 60 {
		t.Errorf("bob = %s talk %d, want ended after 60s", p.State, p.TalkSeconds)
	}
	nothing(t, alice)
	if n := r.clients.calls.Load(); n != 1 {
		t.Errorf("lookups = %d, want 1 per call", n)
	}
}

func TestRunTrackerResubscribesWhenDropped(t *testing.T) {
	r := newRig(t)
	alice := subscribe(t, r.hub, "alice")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	subs := make(chan chan telephony.Event, 2)
	subscribe := func(int, ...telephony.EventKind) (<-chan telephony.Event, func()) {
		ch := make(chan telephony.Event, 4)
		subs <- ch
		return ch, func() {}
	}
	done := make(chan error, 1)
	go func() { done <- r.popper.RunTracker(ctx, subscribe) }()
	first := <-subs
	close(first) // the tracker dropped us
	second := <-subs
	second <- telephony.Event{Kind: telephony.EventAgentRinging, LinkedID: "rt-1", Agent: "alice",
		Call: telephony.Call{LinkedID: "rt-1", Customer: ivanPhone}}
	if p, _ := next(t, alice); p.CallID != "rt-1" {
		t.Errorf("pop after resubscribing = %+v", p)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("RunTracker returned %v after ctx ended", err)
	}
}

// countingHub counts the live-set reads of the hub it wraps.
type countingHub struct {
	Hub
	lives atomic.Int64
}

func (h *countingHub) Live(ctx context.Context, agent string) ([]Message, error) {
	h.lives.Add(1)
	return h.Hub.Live(ctx, agent)
}

// After a fail-over the new owner's popper gets the end of a call another
// replica popped: it takes the pop over from the hub and ends it, with a
// sequence number above the old owner's even when its clock is behind. A
// call of the gap without pops is looked up in the hub once.
func TestTakesOverThePopsOfAnotherReplica(t *testing.T) {
	old := newRig(t)
	old.advance(10 * time.Second) // the new owner's clock is 10 s behind
	hub := &countingHub{Hub: old.hub}
	cards := NewCardBuilder(CardSources{Clients: old.clients})
	clock := func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) }
	survivor := NewPopper(Options{Cards: cards, Hub: hub, Now: clock})
	alice := subscribe(t, old.hub, "alice")
	ctx := context.Background()
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	call := telephony.Call{LinkedID: "fo-1", Node: "pbx1", Direction: telephony.Inbound, Caller: ivanPhone, Customer: ivanPhone,
		Legs: []telephony.Leg{{ChannelID: "fo-1", Endpoint: "PJSIP/trunk"},
			{ChannelID: "fo-2", Endpoint: "PJSIP/1001", Agent: "alice", RingingAt: ptr(t0), AnsweredAt: ptr(t0.Add(3 * time.Second))}}}
	ev := func(kind telephony.EventKind, at time.Time) telephony.Event {
		return telephony.Event{Kind: kind, At: at, Node: "pbx1", LinkedID: call.LinkedID, Agent: "alice", Channel: "fo-2", Call: call}
	}
	if err := old.popper.HandleTrackerEvent(ctx, ev(telephony.EventAgentRinging, t0)); err != nil {
		t.Fatal(err)
	}
	next(t, alice)
	answered, m := next(t, alice)
	if answered.State != StateAnswered {
		t.Fatalf("alice's pop = %s, want answered", answered.State)
	}
	call.Gaps = 1 // the new owner resumed the call after the gap
	call.EndedAt = ptr(t0.Add(63 * time.Second))
	if err := survivor.HandleTrackerEvent(ctx, ev(telephony.EventCallEnded, *call.EndedAt)); err != nil {
		t.Fatal(err)
	}
	ended, em := next(t, alice)
	if ended.State != StateEnded || ended.TalkSeconds != 60 || em.Seq <= m.Seq || ended.Card.Clients[0].Name != "Ivan Petrov" {
		t.Errorf("after the take-over: %s, %d s, seq %d after %d, card %+v", ended.State, ended.TalkSeconds, em.Seq, m.Seq, ended.Card)
	}

	// bob's internal call out never popped: one look-up for its events
	out := telephony.Call{LinkedID: "fo-9", Node: "pbx1", Direction: telephony.Outbound, Gaps: 1,
		Legs: []telephony.Leg{{ChannelID: "fo-9", Endpoint: "PJSIP/1002", Agent: "bob", AnsweredAt: ptr(t0)}}}
	before := hub.lives.Load()
	for _, kind := range []telephony.EventKind{telephony.EventCallHeld, telephony.EventCallUnheld} {
		if err := survivor.HandleTrackerEvent(ctx, telephony.Event{Kind: kind, LinkedID: "fo-9", Call: out}); err != nil {
			t.Fatal(err)
		}
	}
	if n := hub.lives.Load() - before; n != 1 {
		t.Errorf("%d live-set reads for a call without pops, want 1", n)
	}
}

// The rest of the fail-over race of TestTwoReplicasFailOver: alice's phone
// was ringing when the owner of the event stream died, and the whole call
// was gone by the time the survivor listed the channels (answered and hung
// up, or given up, while nobody had the stream: nothing tells which). The
// call is closed by reconciliation; her card, taken over from the hub, ends
// as ended (no talk time known), not missed. A ring seen to stop still
// makes a missed card.
func TestUnseenEndOfARingingCardIsNotMissed(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		cause      string
		reconciled bool
		want       State
	}{
		{"call closed by reconciliation", telephony.CauseGone, true, StateEnded},
		{"ring seen to stop", "Normal Clearing", false, StateMissed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			alice := subscribe(t, r.hub, "alice")
			ctx := context.Background()
			// the first owner's pop, left ringing in the hub
			if err := r.popper.Ringing(ctx, Ringing{CallID: "1764.20", AgentLogin: "alice", Caller: ivanPhone, At: t0}); err != nil {
				t.Fatal(err)
			}
			if p, _ := next(t, alice); p.State != StateRinging {
				t.Fatalf("first pop %s", p.State)
			}
			survivor := NewPopper(Options{Cards: NewCardBuilder(CardSources{Clients: r.clients}), Hub: r.hub})
			end := t0.Add(2 * time.Second)
			call := telephony.Call{LinkedID: "1764.20", Node: "pbx1", Direction: telephony.Inbound, Caller: ivanPhone,
				Customer: ivanPhone, Gaps: 1, EndedAt: &end, ClosedByReconciliation: tc.reconciled, HangupCauseText: tc.cause}
			call.Legs = []telephony.Leg{
				{ChannelID: "1764.20", Endpoint: "PJSIP/customers", EndedAt: &end, CauseText: tc.cause},
				{ChannelID: "1764.21", Endpoint: "PJSIP/1001", Agent: "alice", RingingAt: ptr(t0), EndedAt: &end, CauseText: tc.cause},
			}
			ev := telephony.Event{Kind: telephony.EventCallEnded, At: end, Node: "pbx1", LinkedID: "1764.20", Call: call}
			if err := survivor.HandleTrackerEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
			p, _ := next(t, alice)
			if p.State != tc.want || p.TalkSeconds != 0 || !p.RingingAt.Equal(t0) {
				t.Errorf("alice's card %s (talked %d s, rang %v), want %s on the card that rang at %v",
					p.State, p.TalkSeconds, p.RingingAt, tc.want, t0)
			}
			if s := callSummary(p); tc.want == StateEnded && strings.Contains(s, "answered") {
				t.Errorf("wrap-up summary %q claims an answer nobody saw", s)
			}
		})
	}
}
