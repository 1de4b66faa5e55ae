package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"hotline/telephony"
)

// dayStart is 09:00 UTC on the simulated day.
var dayStart = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func at(sec float64) time.Time   { return dayStart.Add(time.Duration(sec * float64(time.Second))) }
func ptr(t time.Time) *time.Time { return &t }

// script builds the domain events of one call the way the tracker publishes
// them: each carries a snapshot of the call at that moment.
type script struct {
	call   telephony.Call
	events []telephony.Event
}

func newCall(id string, dir telephony.Direction, start float64) *script {
	return &script{call: telephony.Call{LinkedID: id, Node: "pbx1", Direction: dir, StartedAt: at(start),
		Customer: "+74951234567"}}
}

func (s *script) emit(kind telephony.EventKind, sec float64, fill func(*telephony.Event)) *script {
	e := telephony.Event{Kind: kind, At: at(sec), Node: "pbx1", LinkedID: s.call.LinkedID}
	if fill != nil {
		fill(&e)
	}
	e.Call = s.call
	e.Call.Legs = append([]telephony.Leg(nil), s.call.Legs...)
	s.events = append(s.events, e)
	return s
}

func (s *script) start() *script {
	s.call.Legs = append(s.call.Legs, telephony.Leg{ChannelID: s.call.LinkedID, CreatedAt: s.call.StartedAt})
	return s.emit(telephony.EventCallStarted, s.call.StartedAt.Sub(dayStart).Seconds(), nil)
}

func (s *script) ring(agent string, sec float64) *script {
	s.call.Legs = append(s.call.Legs, telephony.Leg{ChannelID: s.call.LinkedID + "-" + agent, Agent: agent,
		CreatedAt: at(sec), RingingAt: ptr(at(sec))})
	s.call.Agents = append(s.call.Agents, agent)
	return s.emit(telephony.EventAgentRinging, sec, func(e *telephony.Event) { e.Agent = agent })
}

func (s *script) answer(agent string, sec float64) *script {
	for i := range s.call.Legs {
		if s.call.Legs[i].Agent == agent {
			s.call.Legs[i].AnsweredAt, s.call.Legs[i].Talked = ptr(at(sec)), true
		}
	}
	s.call.Agent, s.call.AnsweredAt = agent, ptr(at(sec))
	return s.emit(telephony.EventCallAnswered, sec, nil)
}

func (s *script) hold(agent string, from, to float64) *script {
	ch := s.call.LinkedID + "-" + agent
	s.emit(telephony.EventCallHeld, from, func(e *telephony.Event) { e.Agent, e.Channel = agent, ch })
	return s.emit(telephony.EventCallUnheld, to, func(e *telephony.Event) { e.Agent, e.Channel = agent, ch })
}

// end finishes the call with the durations the tracker would compute.
func (s *script) end(sec float64, outcome telephony.Outcome, wait, ring, talk, hold float64) *script {
	c := &s.call
	c.EndedAt, c.Outcome = ptr(at(sec)), outcome
	c.WaitSeconds, c.RingSeconds, c.TalkSeconds, c.HoldSeconds = wait, ring, talk, hold
	for i := range c.Legs {
		c.Legs[i].EndedAt = ptr(at(sec))
	}
	return s.emit(telephony.EventCallEnded, sec, nil)
}

// simulatedDay is a day of calls with hand-computed durations:
//
//	c1 inbound, rings alice 2 s after the start, she answers at 5 s, talks 100 s with 20 s on hold
//	c2 inbound, rings bob for 10 s, the caller hangs up at 12 s (abandoned)
//	c3 outbound by alice, answered at 8 s, 40 s of talk
//	c4 inbound answered by carol, who is not in the roster (agent "unknown"), 30 s of talk
//	c5 inbound, the caller hangs up in the IVR after 7 s (agent "none")
//	c6 internal consultation merged into c1: not counted
func simulatedDay() [][]telephony.Event {
	c1 := newCall("c1", telephony.Inbound, 0).start().ring("alice", 2).answer("alice", 5).
		hold("alice", 30, 50).end(125, telephony.OutcomeAnswered, 5, 3, 100, 20)
	c2 := newCall("c2", telephony.Inbound, 200).start().ring("bob", 202).
		end(212, telephony.OutcomeAbandoned, 12, 10, 0, 0)
	c3 := newCall("c3", telephony.Outbound, 300).start().ring("alice", 300).answer("alice", 308).
		end(348, telephony.OutcomeAnswered, 8, 8, 40, 0)
	c3.call.Agents = []string{"alice"}
	c4 := newCall("c4", telephony.Inbound, 400).start().ring("carol", 401).answer("carol", 404).
		end(434, telephony.OutcomeAnswered, 4, 3, 30, 0)
	c5 := newCall("c5", telephony.Inbound, 500).start().end(507, telephony.OutcomeAbandoned, 7, 0, 0, 0)
	c6 := newCall("c6", telephony.Internal, 35).start()
	c6.call.MergedInto = "c1"
	c6.end(45, telephony.OutcomeAnswered, 0, 0, 10, 0)
	return [][]telephony.Event{c1.events, c2.events, c3.events, c4.events, c5.events, c6.events}
}

func newTestMetrics(t *testing.T, now *time.Time) (*Metrics, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	m := New(reg, AgentList{"alice", "bob", "dave"}, Options{Now: func() time.Time { return *now }, Location: time.UTC})
	return m, reg
}

func TestMetricsAfterSimulatedDay(t *testing.T) {
	now := dayStart
	m, reg := newTestMetrics(t, &now)
	for _, call := range simulatedDay() {
		for _, e := range call {
			now = e.At
			m.Observe(e)
		}
	}
	now = at(600)
	want := `
# HELP hotline_agent_calls_total Calls that ended, by the agent who talked last (or rang last when unanswered), direction and outcome.
# TYPE hotline_agent_calls_total counter
hotline_agent_calls_total{agent="alice",direction="inbound",outcome="answered"} 1
hotline_agent_calls_total{agent="alice",direction="outbound",outcome="answered"} 1
hotline_agent_calls_total{agent="bob",direction="inbound",outcome="abandoned"} 1
hotline_agent_calls_total{agent="none",direction="inbound",outcome="abandoned"} 1
hotline_agent_calls_total{agent="unknown",direction="inbound",outcome="answered"} 1
# HELP hotline_calls_active Calls in progress by direction.
# TYPE hotline_calls_active gauge
hotline_calls_active{direction="inbound"} 0
hotline_calls_active{direction="internal"} 0
hotline_calls_active{direction="outbound"} 0
# HELP hotline_call_hold_seconds Total hold time of answered calls.
# TYPE hotline_call_hold_seconds histogram
hotline_call_hold_seconds_bucket{le="5"} 2
hotline_call_hold_seconds_bucket{le="15"} 2
hotline_call_hold_seconds_bucket{le="30"} 3
hotline_call_hold_seconds_bucket{le="60"} 3
hotline_call_hold_seconds_bucket{le="120"} 3
hotline_call_hold_seconds_bucket{le="300"} 3
hotline_call_hold_seconds_bucket{le="600"} 3
hotline_call_hold_seconds_bucket{le="+Inf"} 3
hotline_call_hold_seconds_sum 20
hotline_call_hold_seconds_count 3
# HELP hotline_call_wait_seconds Time inbound callers waited from the start of the call to the answer (or hang-up when unanswered).
# TYPE hotline_call_wait_seconds histogram
hotline_call_wait_seconds_bucket{le="1"} 0
hotline_call_wait_seconds_bucket{le="2"} 0
hotline_call_wait_seconds_bucket{le="5"} 2
hotline_call_wait_seconds_bucket{le="10"} 3
hotline_call_wait_seconds_bucket{le="15"} 4
hotline_call_wait_seconds_bucket{le="20"} 4
hotline_call_wait_seconds_bucket{le="30"} 4
hotline_call_wait_seconds_bucket{le="45"} 4
hotline_call_wait_seconds_bucket{le="60"} 4
hotline_call_wait_seconds_bucket{le="120"} 4
hotline_call_wait_seconds_bucket{le="+Inf"} 4
hotline_call_wait_seconds_sum 28
hotline_call_wait_seconds_count 4
`
	if err := testutil.GatherAndCompare(UsedSeries{reg}, strings.NewReader(want), "hotline_agent_calls_total",
		"hotline_calls_active", "hotline_call_hold_seconds", "hotline_call_wait_seconds"); err != nil {
		t.Fatal(err)
	}
	wantTalk := `
# HELP hotline_call_talk_seconds Talk time of answered calls (hold excluded), by agent and direction.
# TYPE hotline_call_talk_seconds histogram
` + histLines("hotline_call_talk_seconds", `agent="alice",direction="inbound"`, talkBuckets, 100) +
		histLines("hotline_call_talk_seconds", `agent="alice",direction="outbound"`, talkBuckets, 40) +
		histLines("hotline_call_talk_seconds", `agent="unknown",direction="inbound"`, talkBuckets, 30) + `
# HELP hotline_call_ring_seconds Time calls rang at agents before an answer or the end of ringing, by agent.
# TYPE hotline_call_ring_seconds histogram
` + histLines("hotline_call_ring_seconds", `agent="alice"`, ringBuckets, 3, 8) +
		histLines("hotline_call_ring_seconds", `agent="bob"`, ringBuckets, 10) +
		histLines("hotline_call_ring_seconds", `agent="unknown"`, ringBuckets, 3)
	if err := testutil.GatherAndCompare(UsedSeries{reg}, strings.NewReader(wantTalk), "hotline_call_talk_seconds",
		"hotline_call_ring_seconds"); err != nil {
		t.Fatal(err)
	}
	// every roster agent is idle again, with one series per state
	if n := testutil.CollectAndCount(m.health, "hotline_agent_state"); n != 3*len(AgentStates) {
		t.Errorf("hotline_agent_state has %d series, want %d", n, 3*len(AgentStates))
	}
	snap := m.Snapshot()
	wantTotals := Totals{Day: "2026-11-27", Calls: 5, Answered: 3, Missed: 2, AvgTalkSeconds: 56.7}
	if snap.Today != wantTotals {
		t.Errorf("today = %+v, want %+v", snap.Today, wantTotals)
	}
}

// histLines writes the text-format lines of one histogram series holding values.
func histLines(name, labels string, buckets []float64, values ...float64) string {
	var b strings.Builder
	sum := 0.0
	for _, v := range values {
		sum += v
	}
	for _, le := range append(append([]float64(nil), buckets...), inf) {
		n := 0
		for _, v := range values {
			if v <= le {
				n++
			}
		}
		b.WriteString(name + "_bucket{" + labels + `,le="` + fmtFloat(le) + `"} ` + fmtFloat(float64(n)) + "\n")
	}
	b.WriteString(name + "_sum{" + labels + "} " + fmtFloat(sum) + "\n")
	b.WriteString(name + "_count{" + labels + "} " + fmtFloat(float64(len(values))) + "\n")
	return b.String()
}
