package metrics

import (
	"context"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"hotline/telephony"
)

var inf = math.Inf(1)

func fmtFloat(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func stateOf(t *testing.T, s Snapshot, login string) AgentStatus {
	t.Helper()
	for _, a := range s.Agents {
		if a.Login == login {
			return a
		}
	}
	t.Fatalf("agent %s is not on the board: %+v", login, s.Agents)
	return AgentStatus{}
}

// TestAgentStatesFollowACall walks one call and checks the state each event
// puts alice in, on the board and in hotline_agent_state.
func TestAgentStatesFollowACall(t *testing.T) {
	now := dayStart
	m, reg := newTestMetrics(t, &now)
	changes, cancel := m.Changes()
	defer cancel()
	c := newCall("c1", telephony.Inbound, 0).start().ring("alice", 2).answer("alice", 5).
		hold("alice", 30, 50).end(125, telephony.OutcomeAnswered, 5, 3, 100, 20)
	wantAfter := []struct {
		state   AgentState
		waiting int
	}{
		{StateIdle, 1},    // started: the caller waits
		{StateRinging, 1}, // alice's phone rings
		{StateTalking, 0}, // answered
		{StateOnHold, 0},
		{StateTalking, 0},
		{StateIdle, 0}, // ended
	}
	for i, e := range c.events {
		now = e.At.Add(time.Second)
		m.Observe(e)
		select {
		case <-changes:
		default:
			t.Fatalf("event %d (%s): no change notification", i, e.Kind)
		}
		s := m.Snapshot()
		a := stateOf(t, s, "alice")
		if a.State != wantAfter[i].state || len(s.Waiting) != wantAfter[i].waiting {
			t.Fatalf("after %s: alice %s with %d waiting, want %s with %d", e.Kind, a.State, len(s.Waiting),
				wantAfter[i].state, wantAfter[i].waiting)
		}
		if a.State != StateIdle && (a.Call == nil || a.Call.LinkedID != "c1") {
			t.Errorf("after %s: alice's call = %+v", e.Kind, a.Call)
		}
		if i == 1 {
			if s.LongestWaitSeconds != 3 || s.Active[telephony.Inbound] != 1 {
				t.Errorf("ringing: longest wait %v, active %v", s.LongestWaitSeconds, s.Active)
			}
			want := `
# HELP hotline_agent_state 1 for the state each roster agent is in now (idle, ringing, talking, on_hold, offline), 0 for the others.
# TYPE hotline_agent_state gauge
hotline_agent_state{agent="alice",state="idle"} 0
hotline_agent_state{agent="alice",state="offline"} 0
hotline_agent_state{agent="alice",state="on_hold"} 0
hotline_agent_state{agent="alice",state="ringing"} 1
hotline_agent_state{agent="alice",state="talking"} 0
hotline_agent_state{agent="bob",state="idle"} 1
hotline_agent_state{agent="bob",state="offline"} 0
hotline_agent_state{agent="bob",state="on_hold"} 0
hotline_agent_state{agent="bob",state="ringing"} 0
hotline_agent_state{agent="bob",state="talking"} 0
hotline_agent_state{agent="dave",state="idle"} 0
hotline_agent_state{agent="dave",state="offline"} 1
hotline_agent_state{agent="dave",state="on_hold"} 0
hotline_agent_state{agent="dave",state="ringing"} 0
hotline_agent_state{agent="dave",state="talking"} 0
# HELP hotline_calls_active Calls in progress by direction.
# TYPE hotline_calls_active gauge
hotline_calls_active{direction="inbound"} 1
hotline_calls_active{direction="internal"} 0
hotline_calls_active{direction="outbound"} 0
`
			m.SetAgentOnline("dave", false)
			if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hotline_agent_state", "hotline_calls_active"); err != nil {
				t.Fatal(err)
			}
			m.SetAgentOnline("dave", true)
		}
	}
}

func TestAgentLabelIsBounded(t *testing.T) {
	now := dayStart
	m, _ := newTestMetrics(t, &now)
	for login, want := range map[string]string{"alice": "alice", "": AgentNone, "PJSIP/1099": AgentUnknown, "+74951234567": AgentUnknown} {
		if got := m.AgentLabel(login); got != want {
			t.Errorf("AgentLabel(%q) = %q, want %q", login, got, want)
		}
	}
}

// TestTotalsResetAtMidnight: a call that ended yesterday is not in today's totals.
func TestTotalsResetAtMidnight(t *testing.T) {
	now := dayStart
	m, _ := newTestMetrics(t, &now)
	for _, e := range simulatedDay()[0] {
		m.Observe(e)
	}
	if got := m.Snapshot().Today.Calls; got != 1 {
		t.Fatalf("calls today = %d, want 1", got)
	}
	now = dayStart.Add(24 * time.Hour)
	if s := m.Snapshot(); s.Today.Calls != 0 || s.Today.Day != "2026-11-28" {
		t.Fatalf("next day totals = %+v", s.Today)
	}
}

// fakeTracker is a tracker with one observer at a time.
type fakeTracker struct {
	mu       sync.Mutex
	observer func(telephony.Event)
	added    chan struct{}
}

var _ Observer = (*fakeTracker)(nil)

func (f *fakeTracker) Observe(fn func(telephony.Event), _ ...telephony.EventKind) func() {
	f.mu.Lock()
	f.observer = fn
	f.mu.Unlock()
	f.added <- struct{}{}
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.observer = nil
	}
}

// publish calls the observer as the tracker does; it reports whether there was one.
func (f *fakeTracker) publish(e telephony.Event) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.observer == nil {
		return false
	}
	f.observer(e)
	return true
}

// TestRunTrackerObserves: RunTracker observes the tracker's events
// synchronously (the state has changed when the tracker's publish returns)
// and stops observing when ctx ends.
func TestRunTrackerObserves(t *testing.T) {
	now := dayStart
	m, _ := newTestMetrics(t, &now)
	ft := &fakeTracker{added: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.RunTracker(ctx, ft) }()
	<-ft.added
	call := newCall("c1", telephony.Inbound, 0).start().ring("alice", 2)
	if !ft.publish(call.events[0]) {
		t.Fatal("no observer")
	}
	if s := m.Snapshot(); len(s.Calls) != 1 || stateOf(t, s, "alice").State != StateIdle {
		t.Fatalf("after the start: %d calls, alice %s", len(s.Calls), stateOf(t, s, "alice").State)
	}
	ft.publish(call.events[1])
	if st := stateOf(t, m.Snapshot(), "alice").State; st != StateRinging {
		t.Fatalf("after the ringing alice is %s", st)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ft.publish(call.events[1]) {
		t.Error("RunTracker still observes after ctx ended")
	}
}

// TestRefreshFollowsTheRoster: a new agent gets series after Refresh, one
// who left loses them and counts as "unknown".
func TestRefreshFollowsTheRoster(t *testing.T) {
	logins := []string{"alice", "alice", "bob"} // duplicates: one agent with two endpoints
	m := New(nil, RosterFunc(func() []string { return logins }), Options{})
	if s := m.Snapshot(); len(s.Agents) != 2 {
		t.Fatalf("agents = %+v", s.Agents)
	}
	logins = []string{"bob", "carol"}
	m.Refresh()
	s := m.Snapshot()
	if len(s.Agents) != 2 || s.Agents[0].Login != "bob" || s.Agents[1].Login != "carol" {
		t.Fatalf("after refresh: %+v", s.Agents)
	}
	if m.AgentLabel("alice") != AgentUnknown || m.AgentLabel("carol") != "carol" {
		t.Error("labels do not follow the refreshed roster")
	}
}
