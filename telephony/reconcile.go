package telephony

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"hotline/telephony/ari"
)

// Handle folds one ARI event frame (the ari client's handler).
func (t *Tracker) Handle(m ari.Message) {
	typ := m.Type
	if typ == "" {
		typ, _ = ari.PeekType(m.Raw)
	}
	t.HandleFrame(m.Node, typ, m.Raw)
}

// Reconcile brings the calls of node in line with Asterisk after a
// (re)connect or a restart: on the first call for a node it resumes the
// calls the store holds as open; then every tracked channel that Asterisk
// no longer lists is marked gone at the listing: unless the hangup events
// queued behind the listing end it, it is ended, and calls left without
// channels are closed (marked closed_by_reconciliation, ended at the last
// moment they were known to be alive), once the tracker has read the
// events queued before the listing (gone.go). Live channels it does not know are adopted: their calls start
// with what GET /channels says (creation time, caller, state) and continue
// with their next events. The state GET /channels reports also brings
// known channels up to date (a phone that began ringing, or answered, in
// the gap), and subscribers hear of it as of live events: agent_ringing,
// agent_answered, so that screen pops open and follow calls that began or
// were answered while nobody had the event stream.
func (t *Tracker) Reconcile(ctx context.Context, node string) error {
	if t.opts.Channels == nil {
		return fmt.Errorf("reconcile %s: tracker has no Channels", node)
	}
	if err := t.resume(ctx, node); err != nil {
		return err
	}
	live, err := t.opts.Channels.List(ctx, node)
	if err != nil {
		return fmt.Errorf("reconcile %s: list channels: %w", node, err)
	}
	slices.SortFunc(live, func(a, b LiveChannel) int { return a.CreatedAt.Compare(b.CreatedAt) })
	liveSet := make(map[string]bool, len(live))
	for _, ch := range live {
		liveSet[ch.ID] = true
	}
	t.mu.Lock()
	// the previous connection's socket, and the events queued on it, are gone
	closed := t.settleGone(node)
	gone := t.markGone(node, liveSet, t.now())
	t.mu.Unlock()
	adopted := 0
	for _, ch := range live { // oldest first: a call's first channel starts it
		if t.adopt(ctx, node, ch) {
			adopted++
		}
	}
	if closed > 0 || gone > 0 || adopted > 0 {
		t.log.Info("reconciled calls with Asterisk", "node", node, "closed_calls", closed, "gone_channels", gone, "adopted_channels", adopted, "live_channels", len(live))
	}
	return t.Flush()
}

// adopt starts tracking a live channel the tracker never saw, or brings
// the state of a known one up to date; it reports whether it adopted.
func (t *Tracker) adopt(ctx context.Context, node string, ch LiveChannel) bool {
	t.mu.Lock()
	kc, known := t.channels[callKey{node, ch.ID}]
	if known {
		if l := kc.leg(ch.ID); l != nil && t.liveState(kc, l, ch.State, ch.CreatedAt.UTC(), t.lastSeen[node], false) {
			kc.st.Version++
			t.markDirty(kc)
		}
	}
	t.mu.Unlock()
	if known {
		return false
	}
	linked := ch.LinkedID
	if linked == "" {
		id, err := t.opts.Channels.LinkedID(ctx, node, ch.ID)
		if err != nil {
			t.log.Warn("cannot read the linkedid of a live channel", "node", node, "channel", ch.ID, "err", err)
		}
		linked = id
	}
	wc := &wireChannel{ID: ch.ID, Name: ch.Name}
	wc.Caller.Number, wc.Caller.Name = ch.CallerNumber, ch.CallerName
	wc.Dialplan.Context, wc.Dialplan.Exten = ch.Context, ch.Exten
	if !ch.CreatedAt.IsZero() {
		wc.CreationTime = ch.CreatedAt.UTC().Truncate(time.Millisecond) // ARI's precision
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.channels[callKey{node, ch.ID}]; ok {
		return false
	}
	at := ch.CreatedAt
	if at.IsZero() {
		at = t.lastSeen[node]
	}
	c := t.callFor(node, wc, at.UTC(), linked, "adopted")
	if c == nil {
		return false
	}
	c.inferAdopted(ch.ID)
	if l := c.leg(ch.ID); l != nil {
		t.liveState(c, l, ch.State, at.UTC(), t.lastSeen[node], true)
	}
	c.st.Version++
	t.markDirty(c)
	return true
}

// liveState applies the state GET /channels reports for a leg the tracker
// adopted or saw before the gap, when the leg is neither answered nor
// ended (the events that would tell were sent to nobody), so that
// subscribers see the call as they would have live. An agent's phone being
// rung (Ringing; Ring on a dialled leg just adopted) rings the agent from
// the channel's creation; a known leg in Ring was so when it was created
// (a Local channel's second half) and rang then if ever. An Up leg is answered (the call too when it is the first
// channel), at the later of its creation and last, the last event the
// tracker saw from the node; a dialled agent's Up leg rings first if it had not, so
// that a screen pop opens and is answered. A first channel in Ring or Up
// is a caller, not a phone being rung: an agent calling out gets no pop, as
// when the tracker sees the call begin. What it sets is marked inferred: an
// event queued behind the listing that tells it replaces it (inferred.go).
// It reports whether the leg changed. Called with t.mu held.
func (t *Tracker) liveState(c *callState, l *Leg, state string, created, last time.Time, adopted bool) bool {
	if l.AnsweredAt != nil || l.EndedAt != nil {
		return false
	}
	if created.IsZero() {
		created = l.CreatedAt
	}
	rang := l.RingingAt != nil
	dialled := l.Agent != "" && l.ChannelID != c.st.Origin
	switch state {
	case "Ringing":
		if l.Agent != "" {
			t.inferRinging(c, l, created)
		}
	case "Ring":
		if dialled && adopted {
			t.inferRinging(c, l, created)
		}
	case "Up":
		if dialled {
			t.inferRinging(c, l, created)
		}
		up := created
		if last.After(up) {
			up = last
		}
		t.inferUp(c, l, up)
		return true
	}
	return !rang && l.RingingAt != nil
}

// resume loads the open calls of node from the store once per process,
// after writing out everything still in the journal.
func (t *Tracker) resume(ctx context.Context, node string) error {
	t.mu.Lock()
	done := t.resumed[node]
	t.mu.Unlock()
	if done || t.opts.Store == nil {
		return nil
	}
	if err := t.drain(ctx); err != nil {
		return fmt.Errorf("reconcile %s: write journal: %w", node, err)
	}
	open, err := t.opts.Store.OpenCalls(ctx, node)
	if err != nil {
		return fmt.Errorf("reconcile %s: load open calls: %w", node, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, u := range open {
		if err := t.restore(u); err != nil {
			t.log.Error("cannot resume call", "node", node, "linkedid", u.Call.LinkedID, "err", err)
		}
	}
	t.resumed[node] = true
	return nil
}

// restore rebuilds a call from its last durable update. Called with t.mu held.
func (t *Tracker) restore(u CallUpdate) error {
	k := callKey{u.Call.Node, u.Call.LinkedID}
	if _, ok := t.calls[k]; ok {
		return nil
	}
	c := newCallState(u.Call.Node, u.Call.LinkedID, u.Call.StartedAt)
	c.rec = u.Call
	if err := json.Unmarshal(u.State, &c.st); err != nil {
		return fmt.Errorf("decode tracker state: %w", err)
	}
	if c.st.InBridge == nil {
		c.st.InBridge = map[string]string{}
	}
	if c.st.Held == nil {
		c.st.Held = map[string]time.Time{}
	}
	for _, key := range c.st.Seen {
		c.seen[key] = struct{}{}
	}
	for i, l := range c.rec.Legs {
		c.legIdx[l.ChannelID] = i
		if l.EndedAt == nil {
			t.channels[callKey{k.node, l.ChannelID}] = c
		}
	}
	t.calls[k] = c
	if c.st.LastEvent.After(t.lastSeen[k.node]) {
		t.lastSeen[k.node] = c.st.LastEvent
	}
	return nil
}
