package web

import (
	"cmp"
	"fmt"
	"math"
	"strconv"

	"hotline/telephony"
	"hotline/telephony/wallboard"
)

// clock formats seconds as m:ss or h:mm:ss (the wallboard's JavaScript
// formats the same way).
func clock(sec float64) string {
	s := int64(math.Round(sec))
	if s < 0 {
		s = 0
	}
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func optPercent(p *float64) string {
	if p == nil {
		return "—"
	}
	return strconv.FormatFloat(*p, 'f', 0, 64) + "%"
}

func optNumber(p *float64, digits int) string {
	if p == nil {
		return "—"
	}
	return strconv.FormatFloat(*p, 'f', digits, 64)
}

func optCount(p *int) string {
	if p == nil {
		return "—"
	}
	return strconv.Itoa(*p)
}

// reportRow is one formatted line of the agent report table.
type reportRow struct {
	Agent, Name                                  string
	Calls, Inbound, Outbound, Internal           int
	Answered, Missed                             int
	TotalTalk, AvgTalk, TotalRing, AvgRing       string
	TotalHold, AvgHold, Responses, CSAT, AvgCSAT string
	NPS, Tickets                                 string
}

func reportRowOf(a telephony.AgentEfficiency) reportRow {
	return reportRow{Agent: a.Agent, Name: a.Name, Calls: a.Calls, Inbound: a.Inbound, Outbound: a.Outbound,
		Internal: a.Internal, Answered: a.Answered, Missed: a.Missed,
		TotalTalk: clock(a.TotalTalkSeconds), AvgTalk: clock(a.AvgTalkSeconds),
		TotalRing: clock(a.TotalRingSeconds), AvgRing: clock(a.AvgRingSeconds),
		TotalHold: clock(a.TotalHoldSeconds), AvgHold: clock(a.AvgHoldSeconds),
		Responses: optCount(a.SurveyResponses), CSAT: optPercent(a.CSAT), AvgCSAT: optNumber(a.AvgCSAT, 2),
		NPS: optNumber(a.NPS, 0), Tickets: optCount(a.TicketsHandled)}
}

// wbAgent is one formatted agent of the wallboard's first render; the
// template says the state and direction in the reader's language.
type wbAgent struct {
	Login, Name, State, Since string
	Customer, Direction, For  string // the agent's call: who (or which way) and for how long
}

// wbAgents formats the agents; names maps logins to display names (the
// login stands in for a user without one).
func wbAgents(s wallboard.Snapshot, names map[string]string) []wbAgent {
	out := make([]wbAgent, 0, len(s.Agents))
	for _, a := range s.Agents {
		w := wbAgent{Login: a.Login, Name: cmp.Or(names[a.Login], a.Login), State: string(a.State),
			Since: clock(s.At.Sub(a.Since).Seconds())}
		if c := a.Call; c != nil {
			from := c.StartedAt
			if c.AnsweredAt != nil {
				from = *c.AnsweredAt
			}
			w.Customer, w.Direction, w.For = c.Customer, string(c.Direction), clock(s.At.Sub(from).Seconds())
		}
		out = append(out, w)
	}
	return out
}
