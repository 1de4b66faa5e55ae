package telephony

import (
	"strings"
	"time"

	"hotline/telephony/ari"
)

// fold applies one decoded event to its call. Called with t.mu held.
func (t *Tracker) fold(node string, ev *wireEvent, at time.Time, restLinked string) {
	seen := t.lastSeen[node]
	if at.After(seen) {
		t.lastSeen[node] = at
	}
	ch := primaryChannel(ev)
	if ch == nil || ch.ID == "" {
		return
	}
	c := t.callFor(node, ch, at, restLinked, ev.Type)
	if c == nil {
		return
	}
	key := eventKey(node, ev)
	if _, dup := c.seen[key]; dup {
		t.stats.Duplicates++
		return
	}
	c.seen[key] = struct{}{}
	c.st.Seen = append(c.st.Seen, key)
	if c.rec.Gaps > 0 && ev.Type != ari.TypeChannelStateChange {
		t.caughtUp(c, ch, seen, at)
	}
	if at.After(c.st.LastEvent) {
		c.st.LastEvent = at
	}
	c = t.apply(c, ev, ch, at)
	c.st.Version++
	t.markDirty(c)
}

func (t *Tracker) apply(c *callState, ev *wireEvent, ch *wireChannel, at time.Time) *callState {
	switch ev.Type {
	case ari.TypeChannelCreated:
		t.exactCreated(c, ch)
	case ari.TypeChannelStateChange:
		t.stateChange(c, ch, at)
	case ari.TypeChannelCallerId, ari.TypeChannelConnectedLine:
		t.callerID(c, ch)
	case ari.TypeDial:
		c = t.dial(c, ev, at)
	case ari.TypeChannelEnteredBridge:
		c = t.enterBridge(c, ev, at)
	case ari.TypeChannelLeftBridge:
		delete(c.st.InBridge, ch.ID)
		c.note(at, "unbridged", ch.ID, bridgeID(ev))
		t.updateTalk(c, at)
	case ari.TypeChannelHold:
		t.hold(c, ch.ID, at)
	case ari.TypeChannelUnhold:
		t.unhold(c, ch.ID, at)
	case ari.TypeChannelHangupRequest:
		t.hangupRequest(c, ev, at)
	case ari.TypeChannelDestroyed:
		t.destroyed(c, ev, at)
	case ari.TypeBridgeBlindTransfer:
		t.blindTransfer(c, ev, at)
	case ari.TypeBridgeAttendedTransfer:
		c = t.attendedTransfer(c, ev, at)
	case ari.TypeChannelDtmfReceived:
		c.note(at, "dtmf", ch.ID, ev.Digit)
		t.publish(c, EventDTMF, at, func(e *Event) { e.Digit = ev.Digit; e.Channel = ch.ID })
	case ari.TypeStasisStart:
		c.note(at, "stasis", ch.ID, strings.Join(ev.Args, ","))
	}
	return c
}

func bridgeID(ev *wireEvent) string {
	if ev.Bridge == nil {
		return ""
	}
	return ev.Bridge.ID
}

// callFor finds the call of a channel, or starts tracking the channel.
func (t *Tracker) callFor(node string, ch *wireChannel, at time.Time, restLinked, evType string) *callState {
	if c, ok := t.channels[callKey{node, ch.ID}]; ok {
		if l := ch.linkedID(); l != "" && l != c.rec.LinkedID {
			if other, ok := t.calls[callKey{node, l}]; ok && other != c {
				return t.merge(c, other, at)
			}
		}
		return c
	}
	if t.ended.has(callKey{node, ch.ID}) {
		return nil
	}
	linked := ch.linkedID()
	if linked == "" {
		linked = restLinked
	}
	if linked == "" {
		linked = ch.ID
	}
	c, ok := t.calls[callKey{node, linked}]
	if !ok {
		started := at
		if !ch.CreationTime.IsZero() {
			started = ch.CreationTime
		}
		c = newCallState(node, linked, started)
		c.st.Origin = ch.ID
		t.calls[callKey{node, linked}] = c
	}
	t.addChannel(c, ch, at, evType == ari.TypeChannelCreated)
	if evType != ari.TypeChannelCreated && evType != ari.TypeDial {
		c.rec.Gaps++ // its first events were missed
	}
	if !ok {
		c.note(c.rec.StartedAt, "started", ch.ID, "")
		t.publish(c, EventCallStarted, at, nil)
	}
	return c
}

// addChannel adds a leg for a channel seen for the first time; byCreated
// says it is seen by its ChannelCreated.
func (t *Tracker) addChannel(c *callState, ch *wireChannel, at time.Time, byCreated bool) {
	created := at
	if !ch.CreationTime.IsZero() {
		created = ch.CreationTime
	}
	l := Leg{ChannelID: ch.ID, CreatedAt: created}
	if t.opts.Roster != nil {
		l.Agent, _ = t.opts.Roster.AgentByEndpoint(EndpointOf(ch.Name))
	}
	var leg *Leg
	if i := c.adoptedAfter(created); byCreated && i >= 0 {
		leg = c.insertLeg(i, l) // created before the adopted legs whose ChannelCreated is still to come
	} else {
		leg = c.addLeg(l)
	}
	t.channels[callKey{c.rec.Node, ch.ID}] = c
	c.note(created, "channel", ch.ID, ch.Name)
	if ch.ID == c.rec.LinkedID && c.st.Origin != ch.ID {
		// seen after another channel of its call (a gap): the channel
		// whose id is the linkedid is the one that started the call
		c.st.Origin, c.st.Decided = ch.ID, false
		c.rec.Callee = ""
		c.originFound(l.CreatedAt)
	}
	if byCreated && ch.ID == c.st.Origin {
		c.st.ClickToCall = originatedToAgent(ch, leg)
	}
	t.describe(c, leg, ch)
	switch ch.State {
	case "Ringing":
		t.ringing(c, leg, at)
	case "Up":
		t.legUp(c, leg, at)
	}
}

// describe sets what a channel says of itself (name, number, dialplan
// position) on its leg and, for the call's first channel, the caller and
// callee; then the call's direction.
func (t *Tracker) describe(c *callState, leg *Leg, ch *wireChannel) {
	leg.Name, leg.Endpoint, leg.Number = ch.Name, EndpointOf(ch.Name), ch.Caller.Number
	leg.Context, leg.Exten = ch.Dialplan.Context, ch.Dialplan.Exten
	if ch.ID == c.st.Origin {
		c.rec.CallerName = ch.Caller.Name
		c.rec.Caller = t.opts.Normalize(ch.Caller.Number)
		if ch.Dialplan.Exten != "s" && !c.st.ClickToCall {
			c.rec.Callee = t.opts.Normalize(ch.Dialplan.Exten)
		}
		t.clickToCallCallee(c, leg, ch)
	} else if c.st.ClickToCall {
		t.clickToCallCallee(c, leg, ch)
	} else if c.rec.Callee == "" {
		c.rec.Callee = t.opts.Normalize(firstNonEmpty(leg.Agent, ch.Caller.Number))
	}
	t.decideDirection(c)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func (t *Tracker) callerID(c *callState, ch *wireChannel) {
	l := c.leg(ch.ID)
	if l == nil {
		return
	}
	if c.st.ClickToCall {
		t.clickToCallCallee(c, l, ch)
	}
	if ch.Caller.Number == "" {
		return
	}
	l.Number = ch.Caller.Number
	if ch.ID == c.st.Origin && c.rec.Caller == "" {
		c.rec.Caller = t.opts.Normalize(ch.Caller.Number)
		c.rec.CallerName = ch.Caller.Name
		t.setCustomer(c)
	}
}

func (t *Tracker) stateChange(c *callState, ch *wireChannel, at time.Time) {
	l := c.leg(ch.ID)
	if l == nil {
		return
	}
	if c.st.ClickToCall {
		t.clickToCallCallee(c, l, ch) // the connected line may come with the next snapshot only
	}
	switch ch.State {
	case "Ringing":
		t.ringing(c, l, at)
	case "Up":
		t.neverRang(c, l)
		t.legUp(c, l, at)
	}
}

func (t *Tracker) ringing(c *callState, l *Leg, at time.Time) {
	if l.RingingAt != nil {
		t.exactRinging(c, l, at)
		return
	}
	l.RingingAt = &at
	c.note(at, "ringing", l.ChannelID, l.Agent)
	if l.ChannelID != c.st.Origin && c.st.FirstRing == nil {
		c.st.FirstRing = &at
	}
	if l.Agent != "" {
		agent := l.Agent
		t.publish(c, EventAgentRinging, at, func(e *Event) { e.Agent = agent; e.Channel = l.ChannelID })
	}
}

func (t *Tracker) legUp(c *callState, l *Leg, at time.Time) {
	if l.AnsweredAt != nil {
		t.exactUp(c, l, at)
		return
	}
	l.AnsweredAt = &at
	c.note(at, "up", l.ChannelID, l.Agent)
	if c.answeredBy(l) {
		t.answer(c, at)
	}
	if l.Agent != "" {
		agent := l.Agent
		t.publish(c, EventAgentAnswered, at, func(e *Event) { e.Agent = agent; e.Channel = l.ChannelID })
	}
}

// agentLegEnded tells subscribers that an agent's leg stopped ringing or
// hung up while the rest of the call goes on.
func (t *Tracker) agentLegEnded(c *callState, l *Leg, at time.Time) {
	if l.Agent == "" {
		return
	}
	agent := l.Agent
	t.publish(c, EventAgentLegEnded, at, func(e *Event) { e.Agent = agent; e.Channel = l.ChannelID })
}

func (t *Tracker) answer(c *callState, at time.Time) {
	if c.rec.AnsweredAt != nil {
		return
	}
	c.rec.AnsweredAt = &at
	c.note(at, "answered", "", "")
	t.publish(c, EventCallAnswered, at, nil)
}

func (t *Tracker) dial(c *callState, ev *wireEvent, at time.Time) *callState {
	if ev.Caller != nil {
		if cc, ok := t.channels[callKey{c.rec.Node, ev.Caller.ID}]; ok && cc != c {
			c = t.merge(c, cc, at)
		}
	}
	l := c.leg(ev.Peer.ID)
	if l == nil {
		return c
	}
	switch s := ev.DialStatus; s {
	case "":
		c.note(at, "dial", l.ChannelID, ev.DialString)
	case "RINGING":
		t.ringing(c, l, at)
	case "ANSWER", "PROGRESS":
		l.DialStatus = s
	default:
		first := l.DialStatus != s
		l.DialStatus = s
		c.st.FinalDial = s
		c.note(at, "dial_status", l.ChannelID, s)
		if first && l.AnsweredAt == nil && l.EndedAt == nil {
			t.agentLegEnded(c, l, at) // app_queue sends CANCEL twice
		}
	}
	return c
}
