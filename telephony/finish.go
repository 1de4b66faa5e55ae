package telephony

import (
	"math"
	"slices"
	"time"
)

type rules struct {
	inbound, outbound, trunks map[string]bool
}

func newRules(r DirectionRules) rules {
	set := func(xs []string) map[string]bool {
		m := make(map[string]bool, len(xs))
		for _, x := range xs {
			m[x] = true
		}
		return m
	}
	return rules{inbound: set(r.InboundContexts), outbound: set(r.OutboundContexts), trunks: set(r.TrunkEndpoints)}
}

// decideDirection sets the call's direction from its first channel and,
// for calls an agent started, from the first other leg.
func (t *Tracker) decideDirection(c *callState) {
	if c.st.Decided {
		return
	}
	origin := c.leg(c.st.Origin)
	if origin == nil {
		return
	}
	switch {
	case c.st.ClickToCall:
		c.rec.Direction, c.st.Decided = Outbound, true
	case t.rules.inbound[origin.Context] || t.rules.trunks[origin.Endpoint]:
		c.rec.Direction, c.st.Decided = Inbound, true
	case t.rules.outbound[origin.Context]:
		c.rec.Direction, c.st.Decided = Outbound, true
	case origin.Agent == "":
		c.rec.Direction, c.st.Decided = Inbound, true
	default:
		c.rec.Direction = Internal // until another leg shows otherwise
		for _, l := range c.rec.Legs {
			if l.ChannelID == c.st.Origin {
				continue
			}
			c.st.Decided = true
			if l.Agent == "" {
				c.rec.Direction = Outbound
			}
			break
		}
	}
	t.setCustomer(c)
}

func (t *Tracker) setCustomer(c *callState) {
	switch c.rec.Direction {
	case Inbound:
		c.rec.Customer = c.rec.Caller
	case Outbound:
		c.rec.Customer = c.rec.Callee
	default:
		c.rec.Customer = ""
	}
}

// endCall closes a call whose channels are all gone.
func (t *Tracker) endCall(c *callState, at time.Time, reconciled bool) {
	if c.rec.EndedAt != nil {
		return
	}
	c.rec.EndedAt = &at
	c.rec.ClosedByReconciliation = reconciled
	for i := range c.rec.Legs {
		if c.rec.Legs[i].EndedAt == nil {
			c.rec.Legs[i].EndedAt = &at
		}
	}
	if c.st.TalkSince != nil {
		c.st.TalkTotal += secondsBetween(*c.st.TalkSince, at)
		c.st.TalkSince = nil
	}
	if c.st.HoldSince != nil {
		c.st.HoldTotal += secondsBetween(*c.st.HoldSince, at)
		c.st.HoldSince = nil
		clear(c.st.Held)
	}
	c.st.Decided = true
	t.finish(c)
	detail := ""
	if reconciled {
		detail = "closed by reconciliation"
	}
	c.note(at, "ended", "", detail)
	c.gone = true
	c.st.Version++
	t.publish(c, EventCallEnded, at, nil)
}

// finish sets hangup fields and the outcome of an ended call.
func (t *Tracker) finish(c *callState) {
	r := &c.rec
	ch, party := c.st.HangupChan, c.st.HangupParty
	if ch == "" {
		ch, party = c.st.Origin, PartySystem
	}
	r.HangupBy = party
	if o := c.leg(c.st.Origin); c.st.ClickToCall && r.Agent == "" && o != nil {
		r.Agent = o.Agent // who placed it, also when nobody talked
	}
	if l := c.leg(ch); l != nil {
		r.HangupCause, r.HangupCauseText = l.Cause, l.CauseText
	}
	c.compute(*r.EndedAt)
	r.Outcome = classify(outcomeFacts{
		Answered:     r.AnsweredAt != nil,
		Direction:    r.Direction,
		CallerHungUp: c.st.CallerHungUp,
		DialStatus:   c.st.FinalDial,
		Cause:        r.HangupCause,
		Rang:         c.st.FirstRing != nil,
	})
}

// compute sets the durations as of until (the end, or the last event).
func (c *callState) compute(until time.Time) {
	r := &c.rec
	end := until
	if r.EndedAt != nil {
		end = *r.EndedAt
	}
	if r.AnsweredAt != nil {
		r.WaitSeconds = secondsBetween(r.StartedAt, *r.AnsweredAt)
	} else {
		r.WaitSeconds = secondsBetween(r.StartedAt, end)
	}
	r.RingSeconds = 0
	if fr := c.st.FirstRing; fr != nil {
		stop := end
		if r.AnsweredAt != nil {
			stop = *r.AnsweredAt
		}
		r.RingSeconds = secondsBetween(*fr, stop)
	}
	hold := c.st.HoldTotal
	if c.st.HoldSince != nil {
		hold += secondsBetween(*c.st.HoldSince, end)
	}
	talk := c.st.TalkTotal
	if c.st.TalkSince != nil {
		talk += secondsBetween(*c.st.TalkSince, end)
	}
	r.HoldSeconds = round3(hold)
	r.TalkSeconds = round3(math.Max(0, talk-hold))
	r.WaitSeconds = round3(r.WaitSeconds)
	r.RingSeconds = round3(r.RingSeconds)
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// endedSet remembers channels that are gone, in two generations, so late
// events about them do not start a new call.
type endedSet struct {
	cur, old map[callKey]struct{}
}

const endedGeneration = 1 << 16

func (s *endedSet) add(k callKey) {
	if s.cur == nil {
		s.cur = make(map[callKey]struct{})
	}
	if len(s.cur) >= endedGeneration {
		s.old, s.cur = s.cur, make(map[callKey]struct{})
	}
	s.cur[k] = struct{}{}
}

func (s *endedSet) has(k callKey) bool {
	if _, ok := s.cur[k]; ok {
		return true
	}
	_, ok := s.old[k]
	return ok
}

// snapshot returns a deep copy of the call record.
func (c *callState) snapshot() Call {
	r := c.rec
	r.Agents = slices.Clone(r.Agents)
	r.Transfers = slices.Clone(r.Transfers)
	r.Legs = slices.Clone(r.Legs)
	return r
}
