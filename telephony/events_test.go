package telephony

import (
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
