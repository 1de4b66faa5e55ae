package telephony

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"hotline/telephony/ari/aritest/transcripts"
)

// Observers are called synchronously, in event order, with the kinds they
// asked for and the same events a subscriber gets; after cancel they are
// not called again.
func TestObservers(t *testing.T) {
	dir := transcripts.Dir(t)
	lines := readLines(t, filepath.Join(dir, "with-linkedid", "sip-hold.jsonl"))
	tr := NewTracker(TrackerOptions{Roster: goldenRoster, Rules: goldenRules})
	events, cancel := tr.Subscribe(64)
	defer cancel()
	var all, holds []string
	var ended *Event
	stopAll := tr.Observe(func(e Event) {
		all = append(all, string(e.Kind))
		if e.Kind == EventCallEnded {
			ended = &e
		}
	})
	defer stopAll()
	stopHolds := tr.Observe(func(e Event) { holds = append(holds, string(e.Kind)) }, EventCallHeld, EventCallUnheld)
	for i, l := range lines {
		before := len(all)
		tr.HandleFrame("pbx1", "", l)
		if got := len(all) - before; got != len(events) {
			t.Fatalf("frame %d: the observer saw %d events when HandleFrame returned, the subscriber has %d queued", i, got, len(events))
		}
		for len(events) > 0 {
			<-events
		}
	}
	want := "call_started agent_ringing agent_answered call_answered call_held call_unheld call_ended"
	if got := strings.Join(all, " "); got != want {
		t.Errorf("observer got %q, want %q", got, want)
	}
	if got := strings.Join(holds, " "); got != "call_held call_unheld" {
		t.Errorf("the hold observer got %q", got)
	}
	if ended == nil || ended.Call.TalkSeconds < 3.9 || ended.Call.HoldSeconds < 2.9 {
		t.Errorf("the ended call's durations were not computed for the observer: %+v", ended)
	}
	stopHolds()
	n := len(holds)
	for _, l := range readLines(t, filepath.Join(dir, "with-linkedid", "sip-hold.jsonl")) {
		tr.HandleFrame("pbx2", "", l)
	}
	if len(holds) != n {
		t.Errorf("a cancelled observer was called %d more times", len(holds)-n)
	}
	if len(all) != 14 {
		t.Errorf("the remaining observer saw %d events of two calls, want 14", len(all))
	}
}

// publish builds an event only for a kind somebody takes: a subscriber or
// observer of other kinds costs no snapshot.
func TestPublishOnlyWantedKinds(t *testing.T) {
	tr := NewTracker(TrackerOptions{})
	h := &tr.hub
	_, cancelSub := tr.Subscribe(4, EventCallEnded)
	stop := tr.Observe(func(Event) {}, EventAgentRinging, EventAgentRinging)
	h.mu.Lock()
	got := []bool{h.wanted(EventCallEnded), h.wanted(EventAgentRinging), h.wanted(EventCallStarted)}
	h.mu.Unlock()
	if got[0] != true || got[1] != true || got[2] != false {
		t.Errorf("wanted(ended, ringing, started) = %v, want [true true false]", got)
	}
	cancelSub()
	stop()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.wanted(EventCallEnded) || h.wanted(EventAgentRinging) || h.all != 0 {
		t.Errorf("after cancelling, kinds are still wanted: all %d, wants %v", h.all, h.wants)
	}
}

// An agent's leg that reconciliation ends as gone while its call goes on
// is told as agent_leg_ended, as its ChannelDestroyed would be: a screen
// pop closes then, not at the call's next event.
func TestGoneAgentLegIsPublished(t *testing.T) {
	dir := filepath.Join(transcripts.Dir(t), "with-linkedid")
	lines := readLines(t, filepath.Join(dir, "sip-inbound-queue.jsonl"))
	fc := newFakeChannels(nil, lines)
	tr := NewTracker(TrackerOptions{Roster: goldenRoster, Rules: goldenRules, Channels: fc})
	open := map[string]Call{}
	var ended []Event
	defer tr.Observe(func(e Event) {
		open[e.LinkedID] = e.Call
		if e.Kind == EventAgentLegEnded {
			ended = append(ended, e)
		}
	})()
	ringing := 0
	i := 0
	for ; i < len(lines) && ringing < 2; i++ {
		tr.HandleFrame("pbx1", "", lines[i])
		ringing = 0
		for _, c := range open {
			for _, l := range c.Legs {
				if l.Agent != "" && l.RingingAt != nil && l.EndedAt == nil {
					ringing++
				}
			}
		}
	}
	if ringing < 2 {
		t.Fatal("the queue call never rang both agents")
	}
	// 1001's leg is missing from the listing; everything else is there
	for _, c := range open {
		for _, l := range c.Legs {
			if l.EndedAt == nil && l.Agent != "1001" {
				fc.live = append(fc.live, LiveChannel{ID: l.ChannelID, Name: l.Name, State: "Ring", LinkedID: c.LinkedID, CreatedAt: l.CreatedAt})
			}
		}
	}
	if err := tr.Reconcile(context.Background(), "pbx1"); err != nil {
		t.Fatal(err)
	}
	if len(ended) != 0 {
		t.Fatalf("a leg ended at the listing, before the events queued behind it: %+v", ended)
	}
	tr.settleAllGone()
	if len(ended) != 1 || ended[0].Agent != "1001" {
		t.Fatalf("agent_leg_ended events after settling: %+v, want one of 1001", ended)
	}
	for _, l := range ended[0].Call.Legs {
		if l.ChannelID == ended[0].Channel && (l.EndedAt == nil || l.CauseText != CauseGone) {
			t.Errorf("1001's leg in the event: ended %v cause %q, want gone", l.EndedAt, l.CauseText)
		}
	}
	if ended[0].Call.EndedAt != nil {
		t.Error("the call ended with 1001's leg")
	}
}
