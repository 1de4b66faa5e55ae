package telephony

import (
	"context"
	"testing"
	"time"

	"hotline/telephony/ari"
)

// The fail-over race of TestTwoReplicasFailOver: the owner of the event
// stream saw an agent's phone ring and died; the phone was answered while
// no replica had the stream, and the call hung up between the survivor's
// connect and its GET /channels. The listing lacks the channels and no
// ChannelStateChange tells the answer, so the survivor ended the agent's
// leg unanswered and the screen pop, ringing in Redis, ended as "missed".
// The queued hangup events show the channels Up: the answer is taken from
// them (inferred, at the last event seen before the gap), subscribers hear
// agent_answered before call_ended, and the call is recorded as talked and
// ended by its own events, not by reconciliation.
func TestAnswerInTheGapToldByQueuedHangup(t *testing.T) {
	r := newGoneRig(t)
	rang := -1 // the frame after the agent's phone began ringing
	var lastBeforeGap time.Time
	for i, raw := range r.frames {
		ev, at, err := decodeWire(raw)
		if err != nil || !handledTypes[ev.Type] {
			continue
		}
		if rang < 0 {
			lastBeforeGap = at
		}
		if rang < 0 && ev.Type == ari.TypeChannelStateChange && ev.Channel.State == "Ringing" {
			rang = i + 1
		}
	}
	if rang < 0 || rang >= r.hangup {
		t.Fatal("transcript has no ringing before its hangup")
	}
	store := newMemStore()
	clock := &fakeClock{now: r.end.Add(time.Second)} // the listing came after the hangup
	tr := NewTracker(TrackerOptions{Store: store, Roster: goldenRoster, Channels: newFakeChannels(r.md, r.frames),
		Rules: goldenRules, Normalize: normalizeRU, Now: clock.Now, GoneGrace: time.Second})
	events, cancel := tr.Subscribe(256)
	defer cancel()
	r.feed(tr, r.frames[:rang]) // the old owner: the phone rings, then it dies
	if err := tr.Reconcile(context.Background(), "pbx1"); err != nil {
		t.Fatal(err) // the survivor: GET /channels lists nothing
	}
	r.feed(tr, r.frames[r.hangup:]) // queued behind the listing: only the hangups
	if err := tr.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}

	var kinds []EventKind
	answered, ended := -1, -1
	for len(events) > 0 {
		e := <-events
		if e.Kind == EventAgentAnswered && e.Agent != "" && answered < 0 {
			answered = len(kinds)
		}
		if e.Kind == EventCallEnded {
			ended = len(kinds)
		}
		kinds = append(kinds, e.Kind)
	}
	if answered < 0 || ended < 0 || answered > ended {
		t.Errorf("events %v: want agent_answered before call_ended", kinds)
	}
	c := store.records()[r.callID(t)]
	if c.EndedAt == nil || c.ClosedByReconciliation || c.AnsweredAt == nil {
		t.Fatalf("call %s: want answered and ended by its events", callSummary(c))
	}
	for _, l := range c.Legs {
		if l.AnsweredAt == nil || !l.AnsweredAt.Equal(lastBeforeGap) {
			t.Errorf("leg %s (%s) answered at %v, want at the last event before the gap %s", l.ChannelID, l.Agent, l.AnsweredAt, lastBeforeGap)
		}
		if l.EndedAt == nil || l.CauseText == "gone at reconciliation" {
			t.Errorf("leg %s ended %v %q, want by its ChannelDestroyed", l.ChannelID, l.EndedAt, l.CauseText)
		}
	}
}
