package main

import (
	"context"
	"log/slog"
	"time"

	"hotline/telephony"
)

// orphanInterval is how often the owner of a node's event stream looks for
// open calls another replica wrote (telephony.Tracker.AdoptOrphans).
const orphanInterval = 3 * time.Second

// adoptOrphans, while this replica owns node's event stream (until ctx is
// done), takes over the open calls a replica killed while it owned the
// stream left in its spool and replayed when it restarted.
func adoptOrphans(ctx context.Context, tr *telephony.Tracker, node string, log *slog.Logger) {
	tick := time.NewTicker(orphanInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := tr.AdoptOrphans(ctx, node); err != nil && ctx.Err() == nil {
				log.Warn("adopt calls another replica left open", "node", node, "err", err)
			}
		}
	}
}
