package telephony

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest/transcripts"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// goneRig is one call (sip-inbound-direct) whose hangup comes at frame
// hangup; GET /channels lists nothing (every channel is gone).
type goneRig struct {
	resumeRig
	hangup   int       // index of the first ChannelHangupRequest
	lastSeen time.Time // the newest event before it
	end      time.Time // the newest event of the transcript
}

func newGoneRig(t *testing.T) goneRig {
	t.Helper()
	dir := transcripts.Dir(t)
	name := filepath.Join(dir, "with-linkedid", "sip-inbound-direct")
	frames := readLines(t, name+".jsonl")
	md, _ := os.ReadFile(name + ".md")
	r := goneRig{resumeRig: resumeRig{frames: frames, md: md}, hangup: -1}
	for i, raw := range frames {
		ev, at, err := decodeWire(raw)
		if err != nil || !handledTypes[ev.Type] {
			continue
		}
		if ev.Type == ari.TypeChannelHangupRequest && r.hangup < 0 {
			r.hangup = i
		}
		if r.hangup < 0 {
			r.lastSeen = at
		}
		r.end = at
	}
	if r.hangup < 0 {
		t.Fatal("transcript has no hangup")
	}
	return r
}

// start folds the frames before the hangup into a tracker on clock, and
// reconciles it with a listing that lacks every channel.
func (r goneRig) start(t *testing.T, clock *fakeClock, store *memStore) *Tracker {
	t.Helper()
	fc := newFakeChannels(r.md, r.frames)
	tr := NewTracker(TrackerOptions{Store: store, Roster: goldenRoster, Channels: fc, Rules: goldenRules,
		Normalize: normalizeRU, Now: clock.Now, GoneGrace: time.Second})
	r.feed(tr, r.frames[:r.hangup])
	if err := tr.Reconcile(context.Background(), "pbx1"); err != nil {
		t.Fatal(err)
	}
	return tr
}

// stored is the transcript's call as stored, after writing what the
// tracker holds (without settling anything).
func (r goneRig) stored(t *testing.T, tr *Tracker, store *memStore) Call {
	t.Helper()
	if err := tr.drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	c, ok := store.records()[r.callID(t)]
	if !ok {
		t.Fatal("the call is not stored")
	}
	return c
}

// otherCall is a ChannelCreated of an unrelated call id stamped at.
func otherCall(id string, at time.Time) []byte {
	ts := at.UTC().Format(ari.TimeLayout)
	return fmt.Appendf(nil, `{"type":"ChannelCreated","timestamp":%q,"channel":{"id":%q,"name":"PJSIP/customers-00009999","state":"Ring",`+
		`"caller":{"name":"","number":"+74950000000"},"dialplan":{"context":"from-trunk","exten":"7001"},"creationtime":%q,`+
		`"channelvars":{"CHANNEL(linkedid)":%q}}}`, ts, id, ts, id)
}

// assertReconciled checks that the call was closed by reconciliation at
// the last moment it was known to be alive.
func (r goneRig) assertReconciled(t *testing.T, c Call) {
	t.Helper()
	if c.EndedAt == nil || !c.ClosedByReconciliation {
		t.Fatalf("call not closed by reconciliation: ended %v reconciled %v", c.EndedAt, c.ClosedByReconciliation)
	}
	if !c.EndedAt.Equal(r.lastSeen) {
		t.Errorf("call ended at %s, want the last event seen %s", c.EndedAt, r.lastSeen)
	}
	for _, l := range c.Legs {
		if l.EndedAt == nil || !l.EndedAt.Equal(r.lastSeen) || l.CauseText != "gone at reconciliation" {
			t.Errorf("leg %s: ended %v %q, want at %s gone at reconciliation", l.ChannelID, l.EndedAt, l.CauseText, r.lastSeen)
		}
	}
}

// A channel that hung up between the socket's connect and GET /channels
// is missing from the listing while its hangup events wait on the socket:
// reconciliation leaves its call open and the queued events end it as a
// tracker that never stopped does. A channel that ended while nobody had
// the stream is still ended, at the last moment it was known alive, and
// its call closed by reconciliation: when the first event stamped after the
// listing comes, when the grace passes without events, when the node
// reconciles again, or when the tracker drains.
func TestGoneAtListingWaitsForQueuedEvents(t *testing.T) {
	r := newGoneRig(t)
	listed := r.end.Add(time.Second) // the listing came after every event of the call

	t.Run("queued hangup ends it exactly", func(t *testing.T) {
		want := r.reference(t)
		store := newMemStore()
		clock := &fakeClock{now: listed}
		tr := r.start(t, clock, store)
		if c := r.stored(t, tr, store); c.EndedAt != nil {
			t.Fatalf("call closed at the listing, before its queued hangup: %s", callSummary(c))
		}
		r.feed(tr, r.frames[r.hangup:])
		if err := tr.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		if d := diffCalls(want, store.records()); d != "" {
			t.Error(d)
		}
		for _, c := range store.records() {
			if c.ClosedByReconciliation {
				t.Errorf("call %s closed by reconciliation", c.LinkedID)
			}
		}
	})

	t.Run("event after the listing closes an outage's call", func(t *testing.T) {
		store := newMemStore()
		clock := &fakeClock{now: listed}
		tr := r.start(t, clock, store)
		tr.HandleFrame("pbx1", "", otherCall("9998.1", listed.Add(-time.Millisecond))) // queued before the listing
		if c := r.stored(t, tr, store); c.EndedAt != nil {
			t.Fatalf("call closed by an event queued before the listing: %s", callSummary(c))
		}
		tr.HandleFrame("pbx1", "", otherCall("9999.1", listed.Add(time.Millisecond)))
		if err := tr.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		recs := store.records()
		r.assertReconciled(t, recs[r.callID(t)])
		if _, ok := recs["9999.1"]; !ok {
			t.Error("the unrelated call that came after the listing is not tracked")
		}
	})

	t.Run("grace closes an outage's call on an idle node", func(t *testing.T) {
		store := newMemStore()
		clock := &fakeClock{now: listed}
		tr := r.start(t, clock, store)
		clock.Add(time.Second - time.Millisecond)
		if tr.expireGone() {
			t.Fatal("settled before the grace passed")
		}
		clock.Add(time.Millisecond)
		if !tr.expireGone() {
			t.Fatal("not settled when the grace passed")
		}
		r.assertReconciled(t, r.stored(t, tr, store))
	})

	t.Run("a new reconciliation settles the last one", func(t *testing.T) {
		store := newMemStore()
		clock := &fakeClock{now: listed}
		tr := r.start(t, clock, store)
		if err := tr.Reconcile(context.Background(), "pbx1"); err != nil {
			t.Fatal(err)
		}
		r.assertReconciled(t, r.stored(t, tr, store))
		r.feed(tr, r.frames[r.hangup:]) // the old socket's events, if they came: ignored
		r.assertReconciled(t, r.stored(t, tr, store))
	})

	t.Run("drain settles", func(t *testing.T) {
		store := newMemStore()
		clock := &fakeClock{now: listed}
		tr := r.start(t, clock, store)
		if err := tr.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		recs := store.records()
		r.assertReconciled(t, recs[r.callID(t)])
	})
}

// callID is the linkedid of the transcript's call.
func (r goneRig) callID(t *testing.T) string {
	t.Helper()
	ev, _, err := decodeWire(r.frames[0])
	if err != nil || ev.Channel == nil {
		t.Fatal("first frame names no channel")
	}
	return ev.Channel.linkedID()
}
