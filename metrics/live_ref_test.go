package metrics

import (
	"slices"
	"sort"
	"time"

	"hotline/telephony"
)

// refLive is the live state as it was computed before it became
// incremental: every event rescans every call in progress and recomputes
// every agent from every leg. The tests fold the same events into it and
// into live and compare the two after each event. It shares live's
// counting (countLocked) and legState, and prunes stale calls with the
// same rule, at the moments live does (pruned tells it when).
type refLive struct {
	now    func() time.Time
	loc    *time.Location
	calls  map[string]*refCall
	agents map[string]*refAgent
	roster []string
	totals *live // counts today's calls with live's own code
	stale  int   // calls dropped as stale
}

type refCall struct {
	call telephony.Call
	held map[string]bool
}

type refAgent struct {
	state   AgentState
	since   time.Time
	offline bool
	call    string
}

func newRefLive(now func() time.Time, loc *time.Location) *refLive {
	return &refLive{now: now, loc: loc, calls: map[string]*refCall{}, agents: map[string]*refAgent{},
		totals: newLive(now, loc)}
}

func (l *refLive) setRoster(logins []string) {
	l.roster = slices.Compact(slices.Sorted(slices.Values(logins)))
	for _, a := range l.roster {
		if l.agents[a] == nil {
			l.agents[a] = &refAgent{state: StateIdle, since: l.now()}
		}
	}
	for a := range l.agents {
		if _, ok := slices.BinarySearch(l.roster, a); !ok {
			delete(l.agents, a)
		}
	}
	l.recompute(l.now())
}

func (l *refLive) setOnline(login string, online bool, at time.Time) {
	if a := l.agents[login]; a != nil {
		a.offline = !online
		l.recompute(at)
	}
}

// observe folds e; pruned says whether live searched for stale calls on it.
func (l *refLive) observe(e telephony.Event, pruned bool) {
	key := e.Call.Node + "/" + e.Call.LinkedID
	switch e.Kind {
	case telephony.EventCallEnded:
		delete(l.calls, key)
		if e.Call.MergedInto == "" {
			l.totals.countLocked(&e.Call)
		}
	default:
		lc := l.calls[key]
		if lc == nil {
			lc = &refCall{held: map[string]bool{}}
			l.calls[key] = lc
		}
		lc.call = e.Call
		switch e.Kind {
		case telephony.EventCallHeld:
			lc.held[e.Channel] = true
		case telephony.EventCallUnheld:
			delete(lc.held, e.Channel)
		case telephony.EventCallTransferred:
			if e.Transfer != nil && e.Transfer.ConsultLinkedID != "" {
				delete(l.calls, e.Call.Node+"/"+e.Transfer.ConsultLinkedID)
			}
		}
	}
	if pruned {
		for key, lc := range l.calls {
			if e.At.Sub(lc.call.StartedAt) > staleAfter {
				delete(l.calls, key)
				l.stale++
			}
		}
	}
	l.recompute(e.At)
}

func (l *refLive) recompute(at time.Time) {
	type best struct {
		state AgentState
		call  string
	}
	busy := map[string]best{}
	for key, rc := range l.calls {
		lc := &liveCall{call: rc.call, held: rc.held}
		for i := range lc.call.Legs {
			leg := &lc.call.Legs[i]
			st := legState(lc, leg)
			if st == "" {
				continue
			}
			if b, ok := busy[leg.Agent]; !ok || stateRank(st) > stateRank(b.state) ||
				(stateRank(st) == stateRank(b.state) && key < b.call) {
				busy[leg.Agent] = best{st, key}
			}
		}
	}
	for _, login := range l.roster {
		a := l.agents[login]
		b, ok := busy[login]
		if !ok {
			b.state = StateIdle
			if a.offline {
				b.state = StateOffline
			}
		}
		if a.state != b.state {
			a.state, a.since = b.state, at
		}
		a.call = b.call
	}
}

func (l *refLive) snapshot() Snapshot {
	now := l.now()
	s := Snapshot{At: now, Active: map[telephony.Direction]int{}, Today: l.totals.today,
		Agents: []AgentStatus{}, Calls: []CallBrief{}, Waiting: []CallBrief{}}
	if s.Today.Day != now.In(l.loc).Format(time.DateOnly) {
		s.Today = Totals{Day: now.In(l.loc).Format(time.DateOnly)}
	}
	for _, rc := range l.calls {
		b := brief(&liveCall{call: rc.call, held: rc.held}, now)
		s.Calls = append(s.Calls, b)
		if rc.call.Direction != "" {
			s.Active[rc.call.Direction]++
		}
		if rc.call.AnsweredAt == nil && rc.call.Direction == telephony.Inbound {
			s.Waiting = append(s.Waiting, b)
			s.LongestWaitSeconds = max(s.LongestWaitSeconds, b.WaitSeconds)
		}
	}
	sort.Slice(s.Calls, func(i, j int) bool { return s.Calls[i].StartedAt.Before(s.Calls[j].StartedAt) })
	sort.Slice(s.Waiting, func(i, j int) bool { return s.Waiting[i].StartedAt.Before(s.Waiting[j].StartedAt) })
	for _, login := range l.roster {
		a := l.agents[login]
		st := AgentStatus{Login: login, State: a.state, Since: a.since}
		if rc := l.calls[a.call]; rc != nil && a.call != "" {
			b := brief(&liveCall{call: rc.call, held: rc.held}, now)
			st.Call = &b
		}
		s.Agents = append(s.Agents, st)
	}
	return s
}
