package metrics

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"hotline/telephony"
)

// sim generates the tracker's events for overlapping calls on two nodes
// with a few shared agents: rings (ring-all queues cancelled), answers,
// agents hanging up while the call goes on, holds on several channels,
// blind and attended transfers, calls whose end is never seen (stale after
// the clock moves on by hours), and event times that step back a little
// (another node's clock).
type sim struct {
	rng    *rand.Rand
	at     time.Time
	seq    int
	open   []*telephony.Call
	merged []*telephony.Call // consultation calls folded by a transfer, ended later
	agents []string          // who legs ring: the roster, an agent off it, no agent
	out    func(telephony.Event)
}

func (s *sim) pick(n int) int { return s.rng.IntN(n) }

func (s *sim) emit(c *telephony.Call, kind telephony.EventKind, fill func(*telephony.Event)) {
	e := telephony.Event{Kind: kind, At: s.at, Node: c.Node, LinkedID: c.LinkedID}
	if fill != nil {
		fill(&e)
	}
	e.Call = *c
	e.Call.Legs = slices.Clone(c.Legs)
	e.Call.Agents = slices.Clone(c.Agents)
	s.out(e)
}

func (s *sim) newLeg(c *telephony.Call, agent string) *telephony.Leg {
	s.seq++
	c.Legs = append(c.Legs, telephony.Leg{ChannelID: fmt.Sprintf("%s-%d", c.LinkedID, s.seq), Agent: agent, CreatedAt: s.at})
	return &c.Legs[len(c.Legs)-1]
}

func (s *sim) start() {
	s.seq++
	id := fmt.Sprintf("c%d", s.seq)
	if len(s.open) > 0 && s.pick(10) == 0 { // the same linkedid on the other node
		id = s.open[s.pick(len(s.open))].LinkedID
	}
	node := []string{"pbx1", "pbx2"}[s.pick(2)]
	for _, c := range s.open {
		if c.Node == node && c.LinkedID == id {
			return
		}
	}
	dir := []telephony.Direction{telephony.Inbound, telephony.Inbound, telephony.Outbound, telephony.Internal, ""}[s.pick(5)]
	c := &telephony.Call{LinkedID: id, Node: node, Direction: dir, StartedAt: s.at, Customer: "+74951234567"}
	c.Legs = append(c.Legs, telephony.Leg{ChannelID: id, CreatedAt: s.at})
	if dir != telephony.Inbound { // an agent dials out
		c.Legs[0].Agent = s.agents[s.pick(len(s.agents))]
		c.Legs[0].AnsweredAt = &s.at
	}
	s.open = append(s.open, c)
	s.emit(c, telephony.EventCallStarted, nil)
}

// step changes one call in progress.
func (s *sim) step(c *telephony.Call) {
	legs := c.Legs
	leg := &legs[s.pick(len(legs))]
	switch s.pick(12) {
	case 0, 1: // ring an agent
		agent := s.agents[s.pick(len(s.agents))]
		l := s.newLeg(c, agent)
		l.RingingAt, l.DialStatus = &s.at, "RINGING"
		c.Agents = append(c.Agents, agent)
		s.emit(c, telephony.EventAgentRinging, func(e *telephony.Event) { e.Agent = agent })
	case 2, 3: // a leg answers (bridged or not yet)
		leg.AnsweredAt, leg.Talked, leg.DialStatus = &s.at, s.pick(4) > 0, "ANSWER"
		kind := telephony.EventAgentAnswered
		if c.AnsweredAt == nil && s.pick(3) > 0 {
			c.AnsweredAt, c.Agent, kind = &s.at, leg.Agent, telephony.EventCallAnswered
		}
		s.emit(c, kind, func(e *telephony.Event) { e.Agent = leg.Agent })
	case 4: // a ring ends without an answer (ring-all CANCEL, BUSY...)
		leg.DialStatus = []string{"CANCEL", "BUSY", "NOANSWER", "CHANUNAVAIL", "PROGRESS"}[s.pick(5)]
		s.emit(c, telephony.EventAgentLegEnded, func(e *telephony.Event) { e.Agent = leg.Agent })
	case 5: // a leg hangs up while the call goes on
		leg.EndedAt = &s.at
		s.emit(c, telephony.EventAgentLegEnded, func(e *telephony.Event) { e.Agent = leg.Agent })
	case 6, 7: // hold or unhold a channel (unhold of one never held too)
		kind := []telephony.EventKind{telephony.EventCallHeld, telephony.EventCallUnheld}[s.pick(2)]
		s.emit(c, kind, func(e *telephony.Event) { e.Agent, e.Channel = leg.Agent, leg.ChannelID })
	case 8: // blind transfer: the agent's leg ends, another agent rings
		leg.EndedAt = &s.at
		to := s.agents[s.pick(len(s.agents))]
		l := s.newLeg(c, to)
		l.RingingAt = &s.at
		c.Agents = append(c.Agents, to)
		c.Transfers = append(c.Transfers, telephony.Transfer{Kind: "blind", At: s.at, From: leg.Agent, To: to})
		s.emit(c, telephony.EventCallTransferred, func(e *telephony.Event) { e.Transfer = &c.Transfers[len(c.Transfers)-1] })
	case 9: // attended transfer: a consultation call on the node is folded in
		var consult *telephony.Call
		for _, o := range s.open {
			if o != c && o.Node == c.Node {
				consult = o
				break
			}
		}
		t := telephony.Transfer{Kind: "attended", At: s.at, From: leg.Agent, ConsultLinkedID: "gone"}
		if consult != nil {
			t.ConsultLinkedID = consult.LinkedID
			for _, l := range consult.Legs {
				if l.Agent != "" && l.EndedAt == nil {
					c.Legs = append(c.Legs, l)
					t.To = l.Agent
				}
			}
			consult.MergedInto = c.LinkedID
			s.open = slices.DeleteFunc(s.open, func(o *telephony.Call) bool { return o == consult })
			s.merged = append(s.merged, consult)
		}
		c.Transfers = append(c.Transfers, t)
		s.emit(c, telephony.EventCallTransferred, func(e *telephony.Event) { e.Transfer = &t })
	case 10:
		s.emit(c, telephony.EventDTMF, func(e *telephony.Event) { e.Digit = "5" })
	case 11: // the call ends, or its end is never seen
		s.open = slices.DeleteFunc(s.open, func(o *telephony.Call) bool { return o == c })
		if s.pick(8) == 0 {
			return
		}
		s.end(c)
	}
}

func (s *sim) end(c *telephony.Call) {
	c.EndedAt, c.Outcome = &s.at, telephony.OutcomeAnswered
	if c.AnsweredAt == nil {
		c.Outcome = telephony.OutcomeAbandoned
	} else {
		c.TalkSeconds = s.at.Sub(*c.AnsweredAt).Seconds()
	}
	for i := range c.Legs {
		if c.Legs[i].EndedAt == nil {
			c.Legs[i].EndedAt = &s.at
		}
	}
	s.emit(c, telephony.EventCallEnded, nil)
}

// TestIncrementalStateMatchesFullRecomputeOnSimulatedCalls compares the
// incremental state with a full recompute after every event of thousands of
// generated overlapping calls, with agents going offline and the roster
// changing on the way.
func TestIncrementalStateMatchesFullRecomputeOnSimulatedCalls(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			roster := []string{"alice", "bob", "dave", "erin"}
			tw := newTwin(t, roster)
			s := &sim{rng: rand.New(rand.NewPCG(seed, 7)), at: dayStart, out: tw.observe,
				agents: []string{"alice", "alice", "bob", "bob", "dave", "erin", "frank", "carol", ""}}
			maxCalls := 0
			for i := range 4000 {
				switch {
				case i%1000 == 999: // hours without an event: open calls become stale
					s.at = s.at.Add(7 * time.Hour)
				case s.pick(10) == 0: // an event of a node whose clock is a little behind
					s.at = s.at.Add(-time.Duration(s.pick(5000)) * time.Millisecond)
				default:
					s.at = s.at.Add(time.Duration(s.pick(20000)) * time.Millisecond)
				}
				switch r := s.pick(100); {
				case r < 12 || len(s.open) < 3:
					s.start()
				case r < 14 && len(s.merged) > 0:
					s.end(s.merged[0])
					s.merged = s.merged[1:]
				case r < 16:
					tw.setOnline(s.agents[s.pick(len(s.agents))], s.pick(3) > 0)
				case r < 17:
					// frank joins the roster already on calls, or leaves it
					if slices.Contains(roster, "frank") {
						roster = roster[:4]
					} else {
						roster = append(roster, "frank")
					}
					tw.setRoster(roster)
				default:
					s.step(s.open[s.pick(len(s.open))])
				}
				for _, a := range tw.live.agents {
					maxCalls = max(maxCalls, len(a.calls))
				}
			}
			stale := tw.ref.stale
			if maxCalls < 3 || stale == 0 || tw.prunes < 10 {
				t.Errorf("an agent was on at most %d calls at once, %d stale calls were dropped in %d searches", maxCalls, stale, tw.prunes)
			}
			t.Logf("%d events, agents on up to %d calls at once, %d stale calls dropped in %d searches", tw.events, maxCalls, stale, tw.prunes)
		})
	}
}
