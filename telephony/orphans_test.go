package telephony

import (
	"context"
	"testing"
	"time"
)

// The fail-over race of TestTwoReplicasFailOver: the owner was killed
// while a call's updates were only in its spool; the survivor resumed the
// store's open calls when it connected, without that call, which was over
// before its listing. The killed replica restarts on its spool and
// replays it: the call reaches the store open. The survivor adopts it and
// closes it by reconciliation at the last event the killed owner saw;
// its own calls are left alone.
func TestOwnerAdoptsCallsReplayedFromAKilledReplicasSpool(t *testing.T) {
	r := newGoneRig(t)
	ctx := context.Background()
	store := newMemStore()
	clock := &fakeClock{now: r.end.Add(time.Second)}
	opts := TrackerOptions{Store: store, Roster: goldenRoster, Channels: newFakeChannels(r.md, r.frames), Rules: goldenRules,
		Normalize: normalizeRU, Now: clock.Now, GoneGrace: time.Second}

	survivor := NewTracker(opts)
	if n, err := survivor.AdoptOrphans(ctx, "pbx1"); err != nil || n != 0 {
		t.Fatalf("before it owns the node: adopted %d, %v; want nothing", n, err)
	}
	if err := survivor.Reconcile(ctx, "pbx1"); err != nil { // connects: nothing open, nothing listed
		t.Fatal(err)
	}
	own := "1700000000.99"
	survivor.HandleFrame("pbx1", "", otherCall(own, r.end)) // a call of its own, in progress
	if err := survivor.Drain(ctx); err != nil {
		t.Fatal(err)
	}

	killed := NewTracker(opts) // restarted on its spool: the replay
	r.feed(killed, r.frames[:r.hangup])
	if err := killed.drain(ctx); err != nil {
		t.Fatal(err)
	}
	if c := store.records()[r.callID(t)]; c.EndedAt != nil {
		t.Fatalf("the replayed call is ended already: %s", callSummary(c))
	}

	n, err := survivor.AdoptOrphans(ctx, "pbx1")
	if err != nil || n != 1 {
		t.Fatalf("adopted %d, %v; want the replayed call", n, err)
	}
	if err := survivor.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	r.assertReconciled(t, store.records()[r.callID(t)])
	if c, ok := store.records()[own]; !ok || c.EndedAt != nil || c.Gaps != 0 {
		t.Errorf("the survivor's own call was touched: %s gaps %d", callSummary(c), c.Gaps)
	}
	if n, err := survivor.AdoptOrphans(ctx, "pbx1"); err != nil || n != 0 {
		t.Errorf("adopted %d again, %v", n, err)
	}
}
