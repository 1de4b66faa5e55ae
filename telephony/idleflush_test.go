package telephony_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
)

// appendJournal keeps what the tracker appends; nothing reads it back.
type appendJournal struct {
	mu   sync.Mutex
	recs [][]byte
}

func (j *appendJournal) Append(records ...[]byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.recs = append(j.recs, records...)
	return nil
}

func (j *appendJournal) Next(int) ([][]byte, uint64, error) { return nil, 0, nil }
func (j *appendJournal) Commit(uint64) error                { return nil }

func (j *appendJournal) len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.recs)
}

// ended reports whether the journal holds the end of a call.
func (j *appendJournal) ended(t *testing.T) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, r := range j.recs {
		var u telephony.CallUpdate
		if err := json.Unmarshal(r, &u); err != nil {
			t.Fatal(err)
		}
		if u.Call.EndedAt != nil {
			return true
		}
	}
	return false
}

// With FlushOnIdle the tracker journals a burst's changes when the ARI
// reader has folded it and finds the socket empty (its OnIdle), with no
// timer: the flush interval is an hour, handling a frame appends nothing,
// and yet a call's updates, to its end, reach the journal as it goes.
func TestJournalFlushedWhenTheStreamPauses(t *testing.T) {
	srv := aritest.New(aritest.Options{Speed: 20, ChannelVarsLinkedID: true, Seed: 7})
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	j := &appendJournal{}
	var tr *telephony.Tracker
	var idles, framesAppended atomic.Int64
	c, err := ari.NewClient(ari.Config{
		Node: "pbx1", URL: srv.URL(), User: "hotline", Password: "hotline-secret", App: "hotline",
		OnConnect: func(ctx context.Context) { _ = tr.Reconcile(ctx, "pbx1") },
		OnIdle: func() {
			idles.Add(1)
			if err := tr.Flush(); err != nil {
				t.Error(err)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	tr = telephony.NewTracker(telephony.TrackerOptions{Journal: j, Roster: agents, Rules: rules,
		Channels: telephony.ARIChannels{Nodes: oneNode{c}}, FlushOnIdle: true, FlushInterval: time.Hour})
	runDone := make(chan struct{})
	go func() { defer close(runDone); _ = tr.Run(ctx) }()
	go func() {
		_ = c.Run(ctx, func(m ari.Message) {
			before := j.len()
			tr.Handle(m)
			if j.len() != before {
				framesAppended.Add(1)
			}
		})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !srv.Connected("hotline") || !c.Connected() {
		if time.Now().After(deadline) {
			t.Fatal("event socket never connected")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if _, err := srv.InboundCall(ctx, aritest.Inbound{Exten: "7001", HangupAfter: 2 * time.Second}); err != nil {
		t.Fatal(err)
	}
	for !j.ended(t) {
		if time.Now().After(deadline) {
			t.Fatalf("the call's end never reached the journal: %d records, %d idle calls, tracker %+v", j.len(), idles.Load(), tr.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := framesAppended.Load(); n != 0 {
		t.Errorf("handling %d frames appended to the journal: the flush should wait for OnIdle", n)
	}
	st := tr.Stats()
	if idles.Load() == 0 || st.Updates == 0 || int(st.Updates) != j.len() {
		t.Errorf("%d idle calls, %d updates counted, %d journaled", idles.Load(), st.Updates, j.len())
	}
	cancel()
	<-runDone
}
