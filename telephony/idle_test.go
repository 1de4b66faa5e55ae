package telephony

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// countingJournal is the in-memory journal, counting reads.
type countingJournal struct {
	*memJournal
	nexts atomic.Int64
}

func (j *countingJournal) Next(max int) ([][]byte, uint64, error) {
	j.nexts.Add(1)
	return j.memJournal.Next(max)
}

type nopStore struct{}

func (nopStore) SaveCalls(context.Context, [][]byte) error               { return nil }
func (nopStore) OpenCalls(context.Context, string) ([]CallUpdate, error) { return nil, nil }

// TestTrackerSleepsWhenIdle: with nothing happening the tracker's loops
// (flush, writer, legs gone at a listing) do not wake up; an event wakes
// the flush, whose journal append wakes the writer.
func TestTrackerSleepsWhenIdle(t *testing.T) {
	j := &countingJournal{memJournal: newMemJournal(1 << 10)}
	tr := NewTracker(TrackerOptions{Store: nopStore{}, Journal: j, FlushInterval: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = tr.Run(ctx) }()
	defer func() { cancel(); <-done }()

	time.Sleep(300 * time.Millisecond)
	if n := j.nexts.Load(); n > 1 {
		t.Errorf("the idle writer read the journal %d times in 300 ms, want once at start", n)
	}
	tr.HandleFrame("pbx1", "", []byte(`{"type":"ChannelCreated","timestamp":"2026-12-07T04:00:00.000+0000",`+
		`"channel":{"id":"1.1","name":"PJSIP/pstn-00000001","state":"Ring","caller":{"number":"+74951234567"},`+
		`"creationtime":"2026-12-07T04:00:00.000+0000","dialplan":{"context":"from-pstn","exten":"s"}}}`))
	deadline := time.Now().Add(5 * time.Second)
	for {
		recs, _, _ := j.memJournal.Next(10)
		if len(recs) == 0 && j.nexts.Load() > 1 {
			break // flushed, appended and written (committed) by the woken loops
		}
		if time.Now().After(deadline) {
			t.Fatalf("the event was not flushed and written: %d pending, %d reads", len(recs), j.nexts.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// With FlushOnIdle a frame's changes wait for the owner's Flush: no flush
// loop wakes for them, however short the interval. What does not come
// from a frame (here an orphan-free reconciliation marking the call's gap)
// reaches the journal by itself.
func TestFlushOnIdleLeavesFramesToTheOwner(t *testing.T) {
	j := newMemJournal(1 << 10)
	fc := &fakeChannels{}
	tr := NewTracker(TrackerOptions{Journal: j, Store: nopStore{}, Channels: fc, FlushOnIdle: true, FlushInterval: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = tr.Run(ctx) }()
	defer func() { cancel(); <-done }()
	pending := func() int {
		recs, _, _ := j.Next(100)
		return len(recs)
	}
	tr.HandleFrame("pbx1", "", []byte(`{"type":"ChannelCreated","timestamp":"2026-12-07T04:00:00.000+0000",`+
		`"channel":{"id":"1.1","name":"PJSIP/pstn-00000001","state":"Ring","caller":{"number":"+74951234567"},`+
		`"creationtime":"2026-12-07T04:00:00.000+0000","dialplan":{"context":"from-pstn","exten":"s"}}}`))
	time.Sleep(100 * time.Millisecond)
	if n := pending(); n != 0 {
		t.Fatalf("%d updates journaled before the owner flushed", n)
	}
	if err := tr.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := pending(); n != 1 {
		t.Fatalf("%d updates journaled after Flush, want 1", n)
	}
	fc.live = []LiveChannel{{ID: "1.1", Name: "PJSIP/pstn-00000001", State: "Ring", LinkedID: "1.1"}}
	if err := tr.Reconcile(ctx, "pbx1"); err != nil {
		t.Fatal(err)
	}
	// (reconciliation first writes the journal to the store)
	if n := tr.Stats().Updates; n != 2 {
		t.Errorf("%d updates journaled after a reconciliation, want 2 (the second: the call's gap)", n)
	}
}
