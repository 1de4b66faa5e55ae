package metrics

import (
	"slices"
	"sort"
	"sync"
	"time"

	"hotline/telephony"
)

// callID identifies a call in progress: its node and linkedid.
type callID struct{ node, linkedID string }

// less reports whether id's key node/linkedid sorts before o's (the order
// of calls that give an agent states of equal rank), without building the keys.
func (id callID) less(o callID) bool {
	if id.node == o.node {
		return id.linkedID < o.linkedID
	}
	n, m := len(id.node)+1+len(id.linkedID), len(o.node)+1+len(o.linkedID)
	for i := range min(n, m) {
		if c, d := id.keyByte(i), o.keyByte(i); c != d {
			return c < d
		}
	}
	return n < m
}

// keyByte is byte i of node/linkedid.
func (id callID) keyByte(i int) byte {
	switch {
	case i < len(id.node):
		return id.node[i]
	case i == len(id.node):
		return '/'
	}
	return id.linkedID[i-len(id.node)-1]
}

type liveCall struct {
	id   callID
	call telephony.Call
	held map[string]bool // channels on hold (nil until the first hold)
}

type agentInfo struct {
	login   string
	state   AgentState
	since   time.Time
	offline bool
	call    *liveCall // the call the state is about (nil when idle or offline)
	// calls are the calls in progress on which a leg of this agent gives
	// it a state: the only ones its state depends on.
	calls []agentCall
	// dirty marks an agent an event touched, to be recomputed.
	dirty bool
}

// agentCall is a call in progress that gives an agent a state: the
// highest its legs on the call give.
type agentCall struct {
	lc    *liveCall
	state AgentState
}

// live folds the tracker's domain events into the state of agents and calls.
//
// An event costs in proportion to the call it concerns, not to the calls in
// progress: each roster agent keeps the calls its legs give it a state on
// (with that state), and an event recomputes only the agents of its call's
// legs (before and after the event). Stale calls are searched for once a
// minute of event time.
type live struct {
	now func() time.Time
	loc *time.Location

	mu     sync.Mutex
	calls  map[callID]*liveCall
	agents map[string]*agentInfo
	roster []string
	today  Totals
	// todayDate is today.Day as a date, compared without formatting.
	todayDate date
	// talkSum is the talk time of today's answered calls, for the average.
	talkSum float64
	subs    map[chan struct{}]struct{}
	// touched lists the agents marked dirty by the event being folded.
	touched []*agentInfo
	// pruneDue is the event time of the next search for stale calls.
	pruneDue time.Time
}

func newLive(now func() time.Time, loc *time.Location) *live {
	return &live{now: now, loc: loc, calls: map[callID]*liveCall{}, agents: map[string]*agentInfo{},
		subs: map[chan struct{}]struct{}{}}
}

// setRoster replaces the agents shown; agents that left are forgotten.
func (l *live) setRoster(logins []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.roster = slices.Sorted(slices.Values(logins))
	l.roster = slices.Compact(l.roster)
	for _, a := range l.roster {
		if l.agents[a] == nil {
			l.agents[a] = &agentInfo{login: a, state: StateIdle, since: l.now()}
		}
	}
	for a := range l.agents {
		if _, ok := slices.BinarySearch(l.roster, a); !ok {
			delete(l.agents, a)
		}
	}
	// rebuild every agent's calls (new agents may be on calls already) and
	// recompute every agent
	for _, a := range l.agents {
		clear(a.calls)
		a.calls = a.calls[:0]
		l.touch(a)
	}
	for _, lc := range l.calls {
		l.attachLocked(lc)
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
		l.touch(a)
		l.recomputeLocked(at)
	}
}

// observe folds one event: the call's agents are detached from it as it
// was and attached to it as it is, then recomputed.
func (l *live) observe(e telephony.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := callID{e.Call.Node, e.Call.LinkedID}
	lc := l.calls[id]
	switch e.Kind {
	case telephony.EventCallEnded:
		if lc != nil {
			l.removeLocked(id, lc)
		}
		if e.Call.MergedInto == "" {
			l.countLocked(&e.Call)
		}
	default:
		if lc == nil {
			lc = &liveCall{id: id}
			l.calls[id] = lc
		} else {
			l.detachLocked(lc)
		}
		lc.call = e.Call
		switch e.Kind {
		case telephony.EventCallHeld:
			if lc.held == nil {
				lc.held = map[string]bool{}
			}
			lc.held[e.Channel] = true
		case telephony.EventCallUnheld:
			delete(lc.held, e.Channel)
		}
		l.attachLocked(lc)
		// an attended transfer folds the consultation call into this one;
		// the tracker publishes no CallEnded for it
		if e.Kind == telephony.EventCallTransferred && e.Transfer != nil && e.Transfer.ConsultLinkedID != "" {
			cid := callID{e.Call.Node, e.Transfer.ConsultLinkedID}
			if consult := l.calls[cid]; consult != nil {
				l.removeLocked(cid, consult)
			}
		}
	}
	l.pruneLocked(e.At)
	l.recomputeLocked(e.At)
}

// touch marks an agent for recomputing.
func (l *live) touch(a *agentInfo) {
	if !a.dirty {
		a.dirty = true
		l.touched = append(l.touched, a)
	}
}

// attachLocked adds lc, with the state it gives, to the calls of its legs'
// roster agents and touches them. lc's call and holds are those after the event.
func (l *live) attachLocked(lc *liveCall) {
	for i := range lc.call.Legs {
		leg := &lc.call.Legs[i]
		a := l.agents[leg.Agent]
		if a == nil {
			continue
		}
		l.touch(a)
		st := legState(lc, leg)
		if st == "" {
			continue
		}
		// of an agent's legs on one call, the highest ranked gives the
		// state (legs of equal rank on one call give the same state)
		if j := a.callIndex(lc); j < 0 {
			a.calls = append(a.calls, agentCall{lc, st})
		} else if stateRank(st) > stateRank(a.calls[j].state) {
			a.calls[j].state = st
		}
	}
}

// callIndex is the index of lc in a's calls, -1 when not there.
func (a *agentInfo) callIndex(lc *liveCall) int {
	for j := range a.calls {
		if a.calls[j].lc == lc {
			return j
		}
	}
	return -1
}

// detachLocked removes lc from the calls of its legs' roster agents and touches them.
func (l *live) detachLocked(lc *liveCall) {
	for i := range lc.call.Legs {
		a := l.agents[lc.call.Legs[i].Agent]
		if a == nil {
			continue
		}
		if j := a.callIndex(lc); j >= 0 {
			last := len(a.calls) - 1
			a.calls[j] = a.calls[last]
			a.calls[last] = agentCall{}
			a.calls = a.calls[:last]
		}
		l.touch(a)
	}
}

// removeLocked forgets a call in progress.
func (l *live) removeLocked(id callID, lc *liveCall) {
	l.detachLocked(lc)
	delete(l.calls, id)
}

// staleAfter drops calls whose end was never seen (a node that went away)
// so that no agent stays busy forever.
const staleAfter = 12 * time.Hour

// pruneEvery is how often, in event time, calls are searched for stale ones.
const pruneEvery = time.Minute

// pruneLocked drops the stale calls when a search is due: pruneEvery after
// the last one, or at once when event time went back by more than an hour
// (a node whose clock was far ahead must not stop the searches).
func (l *live) pruneLocked(now time.Time) {
	if now.Before(l.pruneDue) && !now.Before(l.pruneDue.Add(-time.Hour)) {
		return
	}
	l.pruneDue = now.Add(pruneEvery)
	for id, lc := range l.calls {
		if now.Sub(lc.call.StartedAt) > staleAfter {
			l.removeLocked(id, lc)
		}
	}
}

func (l *live) countLocked(c *telephony.Call) {
	end := c.StartedAt
	if c.EndedAt != nil {
		end = *c.EndedAt
	}
	day := dayOf(end, l.loc)
	if day != dayOf(l.now(), l.loc) {
		return
	}
	if l.todayDate != day || l.today.Day == "" {
		l.today, l.talkSum, l.todayDate = Totals{Day: end.In(l.loc).Format(time.DateOnly)}, 0, day
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

// stateRank orders the states a leg gives: an agent on several legs is in
// the highest (talking or on hold, then ringing).
func stateRank(st AgentState) int {
	switch st {
	case StateTalking, StateOnHold:
		return 3
	case StateRinging:
		return 2
	}
	return 0
}

// agentState derives an agent's state from the calls that give it one: the
// highest ranked, and of equal ranks the one of the call with the lowest
// key (nil when on no call).
func agentState(a *agentInfo) (AgentState, *liveCall) {
	var best agentCall
	for _, c := range a.calls {
		if r, br := stateRank(c.state), stateRank(best.state); best.lc == nil || r > br || (r == br && c.lc.id.less(best.lc.id)) {
			best = c
		}
	}
	if best.lc == nil {
		best.state = StateIdle
		if a.offline {
			best.state = StateOffline
		}
	}
	return best.state, best.lc
}

// recomputeLocked derives the state of the agents touched since the last
// call (their since moves to at when it changes) and wakes the subscribers.
func (l *live) recomputeLocked(at time.Time) {
	for i, a := range l.touched {
		st, lc := agentState(a)
		if a.state != st {
			a.state, a.since = st, at
		}
		a.call = lc
		a.dirty = false
		l.touched[i] = nil
	}
	l.touched = l.touched[:0]
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
		if a.call != nil {
			b := brief(a.call, now)
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

// date is a calendar day.
type date struct {
	year  int
	month time.Month
	day   int
}

// dayOf is the day t falls on in loc.
func dayOf(t time.Time, loc *time.Location) date {
	y, m, d := t.In(loc).Date()
	return date{y, m, d}
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }
