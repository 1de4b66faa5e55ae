package telephony

import (
	"context"
	"fmt"
)

// A replica killed while it owned a node's event stream may hold updates
// in its spool that never reached the store: calls the survivor, which
// resumed the store's open calls when it connected, cannot know. When the
// killed replica restarts on its spool (as a StatefulSet pod does) it
// replays it at start-up, before and whether or not it takes a lease, so
// those calls reach the store, some of them still open. The owner of the
// node adopts such orphans: AdoptOrphans, run periodically while it owns
// the stream, resumes them as a reconnect would and ends, as gone at
// reconciliation, their legs Asterisk no longer lists.

// AdoptOrphans takes over the open calls of node that the store holds and
// this tracker neither tracks nor has ended: it resumes them, ends the legs
// missing from GET /channels at the last moment they were known alive and
// closes the calls left without legs (closed by reconciliation); their
// live legs continue with their next events. It does nothing until the
// tracker has reconciled node (it owns the node's event stream). It
// returns how many calls it adopted.
func (t *Tracker) AdoptOrphans(ctx context.Context, node string) (int, error) {
	t.mu.Lock()
	ready := t.resumed[node]
	t.mu.Unlock()
	if !ready || t.opts.Store == nil || t.opts.Channels == nil {
		return 0, nil
	}
	// what this tracker ended and forgot is written first, so that it is
	// not read back as open
	if err := t.drain(ctx); err != nil {
		return 0, fmt.Errorf("adopt orphans of %s: write journal: %w", node, err)
	}
	open, err := t.opts.Store.OpenCalls(ctx, node)
	if err != nil {
		return 0, fmt.Errorf("adopt orphans of %s: %w", node, err)
	}
	t.mu.Lock()
	orphans := open[:0]
	for _, u := range open {
		if t.orphan(u) {
			orphans = append(orphans, u)
		}
	}
	t.mu.Unlock()
	if len(orphans) == 0 {
		return 0, nil
	}
	live, err := t.opts.Channels.List(ctx, node)
	if err != nil {
		return 0, fmt.Errorf("adopt orphans of %s: list channels: %w", node, err)
	}
	liveSet := make(map[string]bool, len(live))
	for _, ch := range live {
		liveSet[ch.ID] = true
	}
	t.mu.Lock()
	adopted, closed := 0, 0
	for _, u := range orphans {
		if !t.orphan(u) { // seen since
			continue
		}
		if err := t.restore(u); err != nil {
			t.log.Error("cannot adopt orphan call", "node", node, "linkedid", u.Call.LinkedID, "err", err)
			continue
		}
		c := t.calls[callKey{node, u.Call.LinkedID}]
		adopted++
		c.rec.Gaps++
		c.st.Version++
		t.markDirty(c)
		for _, l := range c.rec.Legs {
			if l.EndedAt == nil && !liveSet[l.ChannelID] && t.endGoneLeg(c, l.ChannelID, knownAlive(&l, c.st.LastEvent)) {
				closed++
			}
		}
	}
	t.mu.Unlock()
	t.log.Info("adopted open calls another replica wrote", "node", node, "adopted_calls", adopted, "closed_calls", closed)
	return adopted, t.Flush()
}

// orphan reports whether the open call of update u is unknown to the
// tracker: not tracked, and none of its channels tracked or ended here.
// Called with t.mu held.
func (t *Tracker) orphan(u CallUpdate) bool {
	node := u.Call.Node
	if _, ok := t.calls[callKey{node, u.Call.LinkedID}]; ok {
		return false
	}
	for _, l := range u.Call.Legs {
		k := callKey{node, l.ChannelID}
		if _, ok := t.channels[k]; ok || t.ended.has(k) {
			return false
		}
	}
	return true
}
