package telephony_test

import (
	"context"
	"sync"
	"testing"

	"hotline/telephony"
	"hotline/telephony/ari/aritest"
)

// refTracker is a tracker without faults: its own socket (app "ref") to
// the emulator, never dropped, no store. Its ended calls are the reference
// the faulty run is compared with.
type refTracker struct {
	mu    sync.Mutex
	calls map[string]telephony.Call // by caller number
}

func newRefTracker(ctx context.Context, t *testing.T, srv *aritest.Server) *refTracker {
	tr := telephony.NewTracker(telephony.TrackerOptions{Roster: agents, Rules: rules, FlushInterval: 50_000_000})
	events, cancel := tr.Subscribe(1 << 16)
	t.Cleanup(cancel)
	r := &refTracker{calls: map[string]telephony.Call{}}
	go func() {
		for e := range events {
			if e.Kind == telephony.EventCallEnded && e.Call.MergedInto == "" {
				r.mu.Lock()
				r.calls[e.Call.Caller] = e.Call
				r.mu.Unlock()
			}
		}
	}()
	go tr.Run(ctx)
	loop := &eventLoop{base: srv.URL(), app: "ref", node: "pbx1", tracker: tr}
	go loop.run(ctx, t)
	return r
}

func (r *refTracker) get(caller string) (telephony.Call, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.calls[caller]
	return c, ok
}
