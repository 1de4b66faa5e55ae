package telephony

import (
	"slices"
	"time"
)

func (t *Tracker) enterBridge(c *callState, ev *wireEvent, at time.Time) *callState {
	if ev.Bridge == nil {
		return c
	}
	c.st.InBridge[ev.Channel.ID] = ev.Bridge.ID
	// A bridge shared with another call's channel joins the two calls:
	// Asterisk itself gives every channel of a bridge the oldest linkedid.
	for _, id := range ev.Bridge.Channels {
		if oc, ok := t.channels[callKey{c.rec.Node, id}]; ok && oc != c {
			c = t.merge(c, oc, at)
		}
	}
	c.note(at, "bridged", ev.Channel.ID, ev.Bridge.ID)
	t.updateTalk(c, at)
	return c
}

// updateTalk starts or stops the talk clock when two channels of the call
// share (or stop sharing) a bridge.
func (t *Tracker) updateTalk(c *callState, at time.Time) {
	now := c.talking()
	switch {
	case now && c.st.TalkSince == nil:
		c.st.TalkSince = &at
		t.answer(c, at)
	case !now && c.st.TalkSince != nil:
		c.st.TalkTotal += secondsBetween(*c.st.TalkSince, at)
		c.st.TalkSince = nil
	}
	if now {
		t.markTalkers(c)
	}
}

// markTalkers flags the legs in conversation and sets the call's agent to
// the agent who talks now, preferring a called agent over the originator.
func (t *Tracker) markTalkers(c *callState) {
	agent := ""
	for i := range c.rec.Legs {
		l := &c.rec.Legs[i]
		if l.EndedAt != nil || !c.inTalk(l.ChannelID) {
			continue
		}
		l.Talked = true
		if l.Agent != "" && (l.ChannelID != c.st.Origin || agent == "") {
			agent = l.Agent
		}
	}
	if agent != "" {
		c.rec.Agent = agent
	}
}

func (t *Tracker) hold(c *callState, ch string, at time.Time) {
	if _, ok := c.st.Held[ch]; ok {
		return
	}
	c.st.Held[ch] = at
	if c.st.HoldSince == nil {
		c.st.HoldSince = &at
	}
	c.note(at, "hold", ch, "")
	t.publish(c, EventCallHeld, at, func(e *Event) { e.Channel = ch; e.Agent = c.agentOf(ch) })
}

func (t *Tracker) unhold(c *callState, ch string, at time.Time) {
	if _, ok := c.st.Held[ch]; !ok {
		return // Asterisk sends ChannelUnhold on a blind transfer without a hold
	}
	delete(c.st.Held, ch)
	if len(c.st.Held) == 0 && c.st.HoldSince != nil {
		c.st.HoldTotal += secondsBetween(*c.st.HoldSince, at)
		c.st.HoldSince = nil
	}
	c.note(at, "unhold", ch, "")
	t.publish(c, EventCallUnheld, at, func(e *Event) { e.Channel = ch; e.Agent = c.agentOf(ch) })
}

func (c *callState) agentOf(ch string) string {
	if l := c.leg(ch); l != nil {
		return l.Agent
	}
	return ""
}

// partyOf says which party a leg is.
func (c *callState) partyOf(ch string) Party {
	l := c.leg(ch)
	switch {
	case l != nil && l.Agent != "":
		return PartyAgent
	case ch == c.st.Origin:
		return PartyCaller
	default:
		return PartyCallee
	}
}

func (t *Tracker) hangupRequest(c *callState, ev *wireEvent, at time.Time) {
	ch := ev.Channel.ID
	if ev.Soft {
		c.note(at, "hangup_request", ch, "soft")
		return
	}
	party := c.partyOf(ch)
	c.note(at, "hangup", ch, string(party))
	switch {
	case c.inTalk(ch):
		c.st.HangupChan, c.st.HangupParty, c.st.HangupTalk = ch, party, true
	case !c.st.HangupTalk && c.st.HangupChan == "":
		c.st.HangupChan, c.st.HangupParty = ch, party
	}
	if ch == c.st.Origin && c.rec.AnsweredAt == nil {
		c.st.CallerHungUp = true
	}
}

func (t *Tracker) destroyed(c *callState, ev *wireEvent, at time.Time) {
	ch := ev.Channel.ID
	l := c.leg(ch)
	if l == nil || l.EndedAt != nil {
		return
	}
	t.neverRang(c, l)
	delete(c.st.Inferred, ch)
	l.EndedAt = &at
	l.Cause, l.CauseText = ev.Cause, ev.CauseTxt
	if _, held := c.st.Held[ch]; held {
		t.unhold(c, ch, at)
	}
	delete(c.st.InBridge, ch)
	c.note(at, "destroyed", ch, ev.CauseTxt)
	t.updateTalk(c, at)
	t.ended.add(callKey{c.rec.Node, ch})
	if c.allEnded() {
		t.endCall(c, at, false)
		return
	}
	t.agentLegEnded(c, l, at)
}

func (t *Tracker) blindTransfer(c *callState, ev *wireEvent, at time.Time) {
	tr := Transfer{Kind: "blind", At: at, From: c.partyName(ev.Channel.ID), To: ev.Exten}
	c.rec.Transfers = append(c.rec.Transfers, tr)
	c.note(at, "transfer", ev.Channel.ID, "blind to "+ev.Exten)
	t.publish(c, EventCallTransferred, at, func(e *Event) { e.Agent = tr.From; e.Transfer = &tr })
}

func (t *Tracker) attendedTransfer(c *callState, ev *wireEvent, at time.Time) *callState {
	for _, ch := range []*wireChannel{ev.Transferee, ev.TransfererSecondLeg, ev.TransferTarget} {
		if ch == nil {
			continue
		}
		if oc, ok := t.channels[callKey{c.rec.Node, ch.ID}]; ok && oc != c {
			c = t.merge(c, oc, at)
		}
	}
	tr := Transfer{Kind: "attended", At: at, From: c.partyName(ev.TransfererFirstLeg.ID)}
	if ev.TransferTarget != nil {
		tr.To = c.partyName(ev.TransferTarget.ID)
	}
	if n := len(c.st.Merged); n > 0 {
		tr.ConsultLinkedID = c.st.Merged[n-1]
	}
	c.rec.Transfers = append(c.rec.Transfers, tr)
	c.note(at, "transfer", ev.TransfererFirstLeg.ID, "attended to "+tr.To)
	t.publish(c, EventCallTransferred, at, func(e *Event) { e.Agent = tr.From; e.Transfer = &tr })
	return c
}

// partyName is the agent login of a leg, or its number, or its endpoint.
func (c *callState) partyName(ch string) string {
	l := c.leg(ch)
	if l == nil {
		return ""
	}
	return firstNonEmpty(l.Agent, l.Number, l.Endpoint)
}

// merge folds the younger of two calls into the older one and returns the
// older. The younger keeps a record marked MergedInto for idempotency.
func (t *Tracker) merge(a, b *callState, at time.Time) *callState {
	from, into := a, b
	if b.rec.StartedAt.After(a.rec.StartedAt) || (b.rec.StartedAt.Equal(a.rec.StartedAt) && b.rec.LinkedID > a.rec.LinkedID) {
		from, into = b, a
	}
	for _, l := range from.rec.Legs {
		if into.leg(l.ChannelID) == nil {
			into.addLeg(l)
		}
		if r := l.RingingAt; r != nil && l.ChannelID != into.st.Origin && (into.st.FirstRing == nil || r.Before(*into.st.FirstRing)) {
			into.st.FirstRing = r
		}
		t.channels[callKey{into.rec.Node, l.ChannelID}] = into
	}
	for ch, f := range from.st.Inferred {
		into.st.markInferred(ch, func(g *inferred) { *g = f })
	}
	for ch, br := range from.st.InBridge {
		into.st.InBridge[ch] = br
	}
	for ch, h := range from.st.Held {
		if _, ok := into.st.Held[ch]; !ok {
			into.st.Held[ch] = h
			if into.st.HoldSince == nil {
				into.st.HoldSince = &h
			}
		}
	}
	for k := range from.seen {
		if _, ok := into.seen[k]; !ok {
			into.seen[k] = struct{}{}
			into.st.Seen = append(into.st.Seen, k)
		}
	}
	if !slices.Contains(into.st.Merged, from.rec.LinkedID) {
		into.st.Merged = append(into.st.Merged, from.rec.LinkedID)
	}
	into.note(at, "merged", "", from.rec.LinkedID)
	from.rec.MergedInto = into.rec.LinkedID
	from.rec.EndedAt = &at
	from.note(at, "merged_into", "", into.rec.LinkedID)
	from.gone = true
	from.st.Version++
	into.st.Version++
	delete(t.calls, callKey{from.rec.Node, from.rec.LinkedID})
	t.markDirty(from)
	t.markDirty(into)
	t.updateTalk(into, at)
	return into
}
