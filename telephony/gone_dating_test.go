package telephony

import (
	"context"
	"testing"
	"time"
)

// A channel adopted at one listing, created in the gap after the last
// event the tracker saw from its node, and gone at the next listing before
// any of its events was read (the socket dropped again at once, as under
// load): the last moment it was known alive is not the node's last event,
// older than its creation, but at least its creation. Its call, closed by
// reconciliation, must not end before it started.
func TestGoneAdoptedCallEndsNotBeforeItStarted(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	store := newMemStore()
	fc := &fakeChannels{linked: map[string]string{}}
	clock := &fakeClock{now: t0}
	tr := NewTracker(TrackerOptions{Store: store, Roster: goldenRoster, Channels: fc, Rules: goldenRules,
		Normalize: normalizeRU, Now: clock.Now, GoneGrace: time.Second})
	ctx := context.Background()
	// the last event read from the node, before the socket drops
	tr.HandleFrame("pbx1", "", otherCall("1700000000.1", t0))
	created := t0.Add(3 * time.Second) // rings while nobody has the stream
	fc.live = []LiveChannel{{ID: "1700000000.7", Name: "PJSIP/customers-00000007", State: "Ring",
		CallerNumber: "+74950000073", Context: "from-trunk", Exten: "7002", LinkedID: "1700000000.7", CreatedAt: created}}
	clock.Add(4 * time.Second)
	if err := tr.Reconcile(ctx, "pbx1"); err != nil {
		t.Fatal(err)
	}
	fc.live = nil // dropped again before any event; hung up meanwhile
	clock.Add(2 * time.Second)
	if err := tr.Reconcile(ctx, "pbx1"); err != nil {
		t.Fatal(err)
	}
	if err := tr.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	c, ok := store.records()["1700000000.7"]
	if !ok {
		t.Fatal("the adopted call is not stored")
	}
	if c.EndedAt == nil || !c.ClosedByReconciliation {
		t.Fatalf("call %s: want closed by reconciliation", callSummary(c))
	}
	if c.EndedAt.Before(c.StartedAt) {
		t.Errorf("call started %s and ended %s, before it started", c.StartedAt.Format(time.StampMilli), c.EndedAt.Format(time.StampMilli))
	}
	for _, l := range c.Legs {
		if l.EndedAt == nil || l.EndedAt.Before(l.CreatedAt) {
			t.Errorf("leg %s created %s ended %v", l.ChannelID, l.CreatedAt, l.EndedAt)
		}
	}
}
