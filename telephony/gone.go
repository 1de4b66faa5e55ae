package telephony

import (
	"context"
	"slices"
	"time"
)

// A channel missing from GET /channels may have ended while nobody had the
// event stream (an outage), or between the socket's connect and the
// listing: then its ChannelHangupRequest and ChannelDestroyed wait on the
// socket behind the listing (reconciliation runs before them, see
// inferred.go) and tell its end exactly. So reconciliation does not end such
// a leg at once: it marks it gone at the listing, and the queued events
// settle it. A leg still open when the tracker has read what was queued
// before the listing ended in the outage: it is ended at the last moment it
// was known to be alive, and its call, when no leg is left, is closed by
// reconciliation. The tracker knows it has read the queue when it folds the
// first event stamped after the listing (Asterisk's clock against ours: a
// skew only moves the settling earlier, as before, or to the grace), or
// when GoneGrace has passed since the listing, whichever comes first; a
// new reconciliation of the node, or Drain, settles what is left at once
// (the old socket and its queue are gone).

// CauseGone is the CauseText of a leg ended by reconciliation: it was
// missing from GET /channels and no event told its end. What happened to it
// while nobody had the event stream (answered or not) is unknown.
const CauseGone = "gone at reconciliation"

// defaultGoneGrace is how long legs missing from a listing wait for their
// queued events when no event stamped after the listing arrives.
const defaultGoneGrace = 2 * time.Second

// goneAtListing are the legs of one node missing from its last listing.
type goneAtListing struct {
	listedAt time.Time            // our clock, just after GET /channels answered
	deadline time.Time            // listedAt + GoneGrace
	legs     map[string]time.Time // channel id -> last moment known alive
}

// markGone records the known legs of node that live lacks as gone at the
// listing, listed at now; every call of node counts a gap. It returns how
// many legs it marked. Called with t.mu held.
func (t *Tracker) markGone(node string, live map[string]bool, now time.Time) int {
	best := t.lastSeen[node]
	g := goneAtListing{listedAt: now, deadline: now.Add(t.opts.GoneGrace), legs: map[string]time.Time{}}
	for k, c := range t.calls {
		if k.node != node {
			continue
		}
		at := best
		if c.st.LastEvent.After(at) {
			at = c.st.LastEvent
		}
		c.rec.Gaps++
		c.st.Version++
		from := at
		c.st.GapFrom = &from
		t.markDirty(c)
		for _, l := range c.rec.Legs {
			if l.EndedAt == nil && !live[l.ChannelID] {
				g.legs[l.ChannelID] = knownAlive(&l, at)
			}
		}
	}
	if len(g.legs) == 0 {
		delete(t.gone, node)
		return 0
	}
	t.gone[node] = g
	wake(t.goneWake)
	return len(g.legs)
}

// knownAlive is the last moment leg l is known to have been alive when the
// node's last event, or its call's, was at: never before what the tracker
// knows of the leg itself. A channel adopted from a listing, created while
// nobody had the event stream (after at), and gone at the next listing
// before any of its events was read was alive at least when it was
// created (and rang or answered, when a listing told so): ending it at at
// would end its call before it started.
func knownAlive(l *Leg, at time.Time) time.Time {
	for _, t := range []*time.Time{&l.CreatedAt, l.RingingAt, l.AnsweredAt} {
		if t != nil && t.After(at) {
			at = *t
		}
	}
	return at
}

// settleGoneBefore settles the legs of node gone at the listing when the
// event stamped at is the first after the listing, or the grace has
// passed. Called with t.mu held, before the event is folded.
func (t *Tracker) settleGoneBefore(node string, at time.Time) {
	g, ok := t.gone[node]
	if !ok {
		return
	}
	if at.After(g.listedAt) || !t.now().Before(g.deadline) {
		t.settleGone(node)
	}
}

// expireGone settles the legs gone at a listing whose grace has passed,
// for every node, and reports whether it settled any. It takes t.mu.
func (t *Tracker) expireGone() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	settled := false
	for node, g := range t.gone {
		if !now.Before(g.deadline) {
			t.settleGone(node)
			settled = true
		}
	}
	return settled
}

// goneLoop settles, every interval while legs gone at a listing wait,
// those whose grace has passed without any event to tell (an idle node).
// With nothing to settle it sleeps until a reconciliation leaves some.
func (t *Tracker) goneLoop(ctx context.Context, interval time.Duration) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.goneWake:
		}
		for t.goneWaiting() {
			if !sleepCtx(ctx, interval) {
				return
			}
			if t.expireGone() {
				if err := t.Flush(); err != nil {
					t.log.Error("call journal append failed", "err", err)
				}
			}
		}
	}
}

// goneWaiting reports whether legs gone at a listing wait to be settled.
func (t *Tracker) goneWaiting() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.gone) > 0
}

// settleGone ends the legs of node gone at the listing that no event ended
// since, at the last moment they were known to be alive, and closes the
// calls left without legs (closed by reconciliation). It returns how many
// calls it closed. Called with t.mu held.
func (t *Tracker) settleGone(node string) int {
	g, ok := t.gone[node]
	if !ok {
		return 0
	}
	delete(t.gone, node)
	ids := make([]string, 0, len(g.legs))
	for id := range g.legs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	closed := 0
	for _, id := range ids {
		known := g.legs[id]
		c, ok := t.channels[callKey{node, id}]
		if !ok || c.gone {
			continue
		}
		if t.endGoneLeg(c, id, known) {
			closed++
		}
	}
	if closed > 0 {
		t.log.Info("closed calls gone at reconciliation", "node", node, "closed_calls", closed)
	}
	return closed
}

// endGoneLeg ends leg id of c, gone from Asterisk with no event to tell,
// at the later of known and the call's last event, and closes the call
// (by reconciliation) when no leg is left; it reports whether it closed
// it. Called with t.mu held.
func (t *Tracker) endGoneLeg(c *callState, id string, known time.Time) bool {
	l := c.leg(id)
	if l == nil || l.EndedAt != nil {
		return false
	}
	at := known
	if c.st.LastEvent.After(at) {
		at = c.st.LastEvent
	}
	end := at
	l.EndedAt = &end
	l.CauseText = CauseGone
	delete(c.st.InBridge, id)
	delete(c.st.Held, id)
	t.ended.add(callKey{c.rec.Node, id})
	c.note(at, "destroyed", id, "gone at reconciliation")
	c.st.Version++
	t.updateTalk(c, at)
	if len(c.st.Held) == 0 && c.st.HoldSince != nil {
		c.st.HoldTotal += secondsBetween(*c.st.HoldSince, at)
		c.st.HoldSince = nil
	}
	t.markDirty(c)
	if !c.allEnded() {
		// as when its ChannelDestroyed comes: an agent's screen pop and
		// state follow the leg now, not at the call's next event
		t.agentLegEnded(c, l, at)
		return false
	}
	t.endCall(c, at, true)
	return true
}

// settleAllGone settles the legs gone at a listing of every node. It takes t.mu.
func (t *Tracker) settleAllGone() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for node := range t.gone {
		t.settleGone(node)
	}
}
