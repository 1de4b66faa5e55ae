package main

import (
	"context"
	"log/slog"
	"time"

	"hotline/telephony"
)

// orphanInterval is how often at most the owner of a node's event stream
// looks for open calls another replica wrote (telephony.Tracker.AdoptOrphans),
// when woken by a write to the call log; orphanIdle is how long it waits
// without a wake-up (a lost one: the listener's reconnection wakes it too).
const (
	orphanInterval = 3 * time.Second
	orphanIdle     = time.Minute
)

// adoptOrphans, while this replica owns node's event stream (until ctx is
// done), takes over the open calls a replica killed while it owned the
// stream left in its spool and replayed when it restarted. It looks when
// written signals a write to the call log (by any replica), at most every
// orphanInterval, and at the latest every orphanIdle.
func adoptOrphans(ctx context.Context, tr *telephony.Tracker, node string, written <-chan struct{}, log *slog.Logger) {
	t := time.NewTimer(orphanInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-written:
		}
		if _, err := tr.AdoptOrphans(ctx, node); err != nil && ctx.Err() == nil {
			log.Warn("adopt calls another replica left open", "node", node, "err", err)
		}
		if !sleepCtx(ctx, orphanInterval) { // at most one look per interval
			return
		}
		t.Reset(orphanIdle - orphanInterval)
	}
}

// sleepCtx sleeps d unless ctx ends first (false).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
