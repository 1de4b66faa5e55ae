package metrics

import (
	"slices"
	"sort"
	"sync"
	"time"

	"hotline/telephony"
)

type liveCall struct {
	call telephony.Call
	held map[string]bool // channels on hold
}

type agentInfo struct {
	state   AgentState
	since   time.Time
	offline bool
	call    string // linkedid key of the call the state is about
}

// live folds the tracker's domain events into the state of agents and calls.
type live struct {
	now func() time.Time
	loc *time.Location

	mu     sync.Mutex
	calls  map[string]*liveCall // node/linkedid -> call
	agents map[string]*agentInfo
	roster []string
	today  Totals
	// talkSum is the talk time of today's answered calls, for the average.
	talkSum float64
	subs    map[chan struct{}]struct{}
}

func newLive(now func() time.Time, loc *time.Location) *live {
	return &live{now: now, loc: loc, calls: map[string]*liveCall{}, agents: map[string]*agentInfo{},
		subs: map[chan struct{}]struct{}{}}
}

func callKey(c *telephony.Call) string { return c.Node + "/" + c.LinkedID }

// setRoster replaces the agents shown; agents that left are forgotten.
func (l *live) setRoster(logins []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.roster = slices.Sorted(slices.Values(logins))
	l.roster = slices.Compact(l.roster)
	for _, a := range l.roster {
		if l.agents[a] == nil {
			l.agents[a] = &agentInfo{state: StateIdle, since: l.now()}
		}
	}
	for a := range l.agents {
		if _, ok := slices.BinarySearch(l.roster, a); !ok {
			delete(l.agents, a)
		}
	}
	l.recomputeLocked(l.now())
}

func (l *live) known(login string) bool {
	_, ok := slices.BinarySearch(l.roster, login)
	return ok
}

// setOnline marks an agent's phone registered (online) or not.
func (l *live) setOnline(login string, online bool, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if a := l.agents[login]; a != nil {
		a.offline = !online
		l.recomputeLocked(at)
	}
}

// observe folds one event; it returns the call when the event ended it.
func (l *live) observe(e telephony.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := callKey(&e.Call)
	switch e.Kind {
	case telephony.EventCallEnded:
		delete(l.calls, key)
		if e.Call.MergedInto == "" {
			l.countLocked(&e.Call)
		}
	default:
		lc := l.calls[key]
		if lc == nil {
			lc = &liveCall{held: map[string]bool{}}
			l.calls[key] = lc
		}
		lc.call = e.Call
		switch e.Kind {
		case telephony.EventCallHeld:
			lc.held[e.Channel] = true
		case telephony.EventCallUnheld:
			delete(lc.held, e.Channel)
		case telephony.EventCallTransferred:
			// an attended transfer folds the consultation call into this
			// one; the tracker publishes no CallEnded for it
			if e.Transfer != nil && e.Transfer.ConsultLinkedID != "" {
				delete(l.calls, e.Call.Node+"/"+e.Transfer.ConsultLinkedID)
			}
		}
	}
	l.pruneLocked(e.At)
	l.recomputeLocked(e.At)
}

// staleAfter drops calls whose end was never seen (a node that went away)
// so that no agent stays busy forever.
const staleAfter = 12 * time.Hour

func (l *live) pruneLocked(now time.Time) {
	for key, lc := range l.calls {
		if now.Sub(lc.call.StartedAt) > staleAfter {
			delete(l.calls, key)
		}
	}
}

func (l *live) countLocked(c *telephony.Call) {
	day := c.StartedAt.In(l.loc).Format(time.DateOnly)
	if c.EndedAt != nil {
		day = c.EndedAt.In(l.loc).Format(time.DateOnly)
	}
	if today := l.now().In(l.loc).Format(time.DateOnly); day != today {
		return
	}
	if l.today.Day != day {
		l.today, l.talkSum = Totals{Day: day}, 0
	}
	l.today.Calls++
	if c.AnsweredAt != nil {
		l.today.Answered++
		l.talkSum += c.TalkSeconds
		l.today.AvgTalkSeconds = round1(l.talkSum / float64(l.today.Answered))
	} else if c.Direction == telephony.Inbound {
		l.today.Missed++
	}
}

// legState is the state an agent's leg on a call gives it ("" when none).
func legState(lc *liveCall, leg *telephony.Leg) AgentState {
	switch {
	case leg.Agent == "" || leg.EndedAt != nil:
		return ""
	case leg.AnsweredAt != nil && (leg.Talked || lc.call.AnsweredAt != nil):
		if len(lc.held) > 0 {
			return StateOnHold
		}
		return StateTalking
	case leg.RingingAt != nil && !ringOver(leg.DialStatus):
		return StateRinging
	}
	return ""
}

// ringOver reports whether a Dial status ends a leg's ringing without an
// answer (CANCEL when another queue member answered, BUSY, NOANSWER...).
func ringOver(dialStatus string) bool {
	switch dialStatus {
	case "", "RINGING", "PROGRESS", "ANSWER":
		return false
	}
	return true
}

var stateRank = map[AgentState]int{StateTalking: 3, StateOnHold: 3, StateRinging: 2}

// recomputeLocked derives every agent's state from the calls in progress
// (one pass over their legs) and wakes the subscribers.
func (l *live) recomputeLocked(at time.Time) {
	type best struct {
		state AgentState
		call  string
	}
	busy := map[string]best{}
	for key, lc := range l.calls {
		for i := range lc.call.Legs {
			leg := &lc.call.Legs[i]
			st := legState(lc, leg)
			if st == "" {
				continue
			}
			if b, ok := busy[leg.Agent]; !ok || stateRank[st] > stateRank[b.state] ||
				(stateRank[st] == stateRank[b.state] && key < b.call) {
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
	for ch := range l.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// subscribe returns a channel that receives a value (coalesced) after every change.
func (l *live) subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	l.mu.Lock()
	l.subs[ch] = struct{}{}
	l.mu.Unlock()
	return ch, func() {
		l.mu.Lock()
		delete(l.subs, ch)
		l.mu.Unlock()
	}
}

func brief(lc *liveCall, now time.Time) CallBrief {
	c := &lc.call
	b := CallBrief{LinkedID: c.LinkedID, Direction: c.Direction, Customer: c.Customer, Agent: c.Agent,
		StartedAt: c.StartedAt, AnsweredAt: c.AnsweredAt, Held: len(lc.held) > 0}
	if c.AnsweredAt == nil {
		b.WaitSeconds = round1(max(0, now.Sub(c.StartedAt).Seconds()))
	}
	return b
}

// snapshot copies the live state at now.
func (l *live) snapshot() Snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	s := Snapshot{At: now, Active: map[telephony.Direction]int{}, Today: l.today,
		Agents: []AgentStatus{}, Calls: []CallBrief{}, Waiting: []CallBrief{}}
	if s.Today.Day != now.In(l.loc).Format(time.DateOnly) {
		s.Today = Totals{Day: now.In(l.loc).Format(time.DateOnly)}
	}
	for _, lc := range l.calls {
		b := brief(lc, now)
		s.Calls = append(s.Calls, b)
		if lc.call.Direction != "" {
			s.Active[lc.call.Direction]++
		}
		if lc.call.AnsweredAt == nil && lc.call.Direction == telephony.Inbound {
			s.Waiting = append(s.Waiting, b)
			s.LongestWaitSeconds = max(s.LongestWaitSeconds, b.WaitSeconds)
		}
	}
	sort.Slice(s.Calls, func(i, j int) bool { return s.Calls[i].StartedAt.Before(s.Calls[j].StartedAt) })
	sort.Slice(s.Waiting, func(i, j int) bool { return s.Waiting[i].StartedAt.Before(s.Waiting[j].StartedAt) })
	for _, login := range l.roster {
		a := l.agents[login]
		st := AgentStatus{Login: login, State: a.state, Since: a.since}
		if lc := l.calls[a.call]; lc != nil && a.call != "" {
			b := brief(lc, now)
			st.Call = &b
		}
		s.Agents = append(s.Agents, st)
	}
	return s
}

// agentStates returns each roster agent's state, for hotline_agent_state.
func (l *live) agentStates() map[string]AgentState {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]AgentState, len(l.roster))
	for _, login := range l.roster {
		out[login] = l.agents[login].state
	}
	return out
}

// activeCalls counts calls in progress by direction.
func (l *live) activeCalls() map[telephony.Direction]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[telephony.Direction]int{}
	for _, lc := range l.calls {
		if lc.call.Direction != "" {
			out[lc.call.Direction]++
		}
	}
	return out
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }
