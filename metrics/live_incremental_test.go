package metrics

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"hotline/telephony"
	"hotline/telephony/ari/aritest/transcripts"
)

// twin folds the same events into live and into refLive (the former full
// recompute) and checks, after each, that they agree on everything the
// live state shows.
type twin struct {
	t    *testing.T
	now  time.Time
	live *live
	ref  *refLive
	// events and prunes count what was folded, for the tests' own checks.
	events, prunes int
}

func newTwin(t *testing.T, roster []string) *twin {
	tw := &twin{t: t, now: dayStart}
	now := func() time.Time { return tw.now }
	tw.live, tw.ref = newLive(now, time.UTC), newRefLive(now, time.UTC)
	tw.setRoster(roster)
	return tw
}

func (tw *twin) setRoster(logins []string) {
	tw.t.Helper()
	tw.live.setRoster(logins)
	tw.ref.setRoster(logins)
	tw.check("roster")
}

func (tw *twin) setOnline(login string, online bool) {
	tw.t.Helper()
	tw.live.setOnline(login, online, tw.now)
	tw.ref.setOnline(login, online, tw.now)
	tw.check(fmt.Sprintf("%s online=%v", login, online))
}

func (tw *twin) observe(e telephony.Event) {
	tw.t.Helper()
	tw.now = e.At
	due := tw.live.pruneDue
	tw.live.observe(e)
	pruned := tw.live.pruneDue != due
	if pruned {
		tw.prunes++
	}
	tw.ref.observe(e, pruned)
	tw.events++
	tw.check(fmt.Sprintf("event %d %s %s/%s at %s", tw.events, e.Kind, e.Call.Node, e.Call.LinkedID, e.At.Format(time.TimeOnly)))
}

// check compares the two states, and live's per-agent call lists with the
// calls in progress.
func (tw *twin) check(after string) {
	tw.t.Helper()
	l, r := tw.live, tw.ref
	keys := make([]string, 0, len(l.calls))
	for id, lc := range l.calls {
		if lc.id != id {
			tw.t.Fatalf("after %s: call %v has id %v", after, id, lc.id)
		}
		keys = append(keys, lc.id.key())
		rc := r.calls[lc.id.key()]
		if rc == nil {
			continue
		}
		if !reflect.DeepEqual(lc.call, rc.call) || !maps.Equal(lc.held, rc.held) {
			tw.t.Fatalf("after %s: call %s differs:\nlive %+v held %v\nref  %+v held %v", after, lc.id.key(), lc.call, lc.held, rc.call, rc.held)
		}
	}
	slices.Sort(keys)
	if want := slices.Sorted(maps.Keys(r.calls)); !slices.Equal(keys, want) {
		tw.t.Fatalf("after %s: calls in progress %v, want %v", after, keys, want)
	}
	if !slices.Equal(l.roster, r.roster) || len(l.agents) != len(r.agents) {
		tw.t.Fatalf("after %s: roster %v (%d agents), want %v (%d)", after, l.roster, len(l.agents), r.roster, len(r.agents))
	}
	for _, login := range l.roster {
		a, ra := l.agents[login], r.agents[login]
		call := ""
		if a.call != nil {
			call = a.call.id.key()
		}
		if a.state != ra.state || !a.since.Equal(ra.since) || call != ra.call || a.offline != ra.offline {
			tw.t.Fatalf("after %s: %s is %s since %s on %q, want %s since %s on %q", after, login,
				a.state, a.since.Format(time.TimeOnly), call, ra.state, ra.since.Format(time.TimeOnly), ra.call)
		}
		if a.dirty {
			tw.t.Fatalf("after %s: %s left dirty", after, login)
		}
		// the calls that give the agent a state, with the highest its legs give
		var want []agentCall
		for _, lc := range l.calls {
			best := agentCall{lc: lc}
			for i := range lc.call.Legs {
				if leg := &lc.call.Legs[i]; leg.Agent == login {
					if st := legState(lc, leg); stateRank(st) > stateRank(best.state) {
						best.state = st
					}
				}
			}
			if best.state != "" {
				want = append(want, best)
			}
		}
		byKey := func(a, b agentCall) int { return cmp.Compare(a.lc.id.key(), b.lc.id.key()) }
		if got := slices.SortedFunc(slices.Values(a.calls), byKey); !slices.Equal(got, slices.SortedFunc(slices.Values(want), byKey)) {
			tw.t.Fatalf("after %s: %s's calls are %v, want %v", after, login, got, want)
		}
	}
	if len(l.touched) != 0 {
		tw.t.Fatalf("after %s: %d agents left touched", after, len(l.touched))
	}
	states := map[string]AgentState{}
	for _, login := range r.roster {
		states[login] = r.agents[login].state
	}
	if got := l.agentStates(); !maps.Equal(got, states) {
		tw.t.Fatalf("after %s: agent states %v, want %v", after, got, states)
	}
	got, want := l.snapshot(), r.snapshot()
	for _, s := range []*Snapshot{&got, &want} {
		for _, calls := range [][]CallBrief{s.Calls, s.Waiting} {
			slices.SortStableFunc(calls, func(a, b CallBrief) int {
				return cmp.Or(a.StartedAt.Compare(b.StartedAt), cmp.Compare(a.LinkedID, b.LinkedID),
					cmp.Compare(a.Agent, b.Agent), cmp.Compare(a.Direction, b.Direction), cmp.Compare(b2f(a.Held), b2f(b.Held)),
					cmp.Compare(a.WaitSeconds, b.WaitSeconds), answeredAt(a).Compare(answeredAt(b)))
			})
		}
	}
	if !reflect.DeepEqual(got, want) {
		tw.t.Fatalf("after %s: snapshot\n%+v\nwant\n%+v", after, got, want)
	}
	if active := l.activeCalls(); !maps.Equal(active, want.Active) {
		tw.t.Fatalf("after %s: active calls %v, want %v", after, active, want.Active)
	}
}

// TestIncrementalStateMatchesFullRecomputeOnRecordedCalls feeds the
// recorded SIP calls through the real tracker, several copies of each on
// nodes of their own with their frames interleaved, so that agents 1001
// and 1002 are on several calls at once (holds, transfers, queues), and
// compares the state after every event with a full recompute.
func TestIncrementalStateMatchesFullRecomputeOnRecordedCalls(t *testing.T) {
	dir := filepath.Join(transcriptsDir(t), "with-linkedid")
	names, _ := filepath.Glob(filepath.Join(dir, "sip-*.jsonl"))
	if len(names) < 10 {
		t.Fatalf("only %d transcripts in %s", len(names), dir)
	}
	tr := telephony.NewTracker(telephony.TrackerOptions{
		Roster: endpointRoster{"PJSIP/1001": "1001", "PJSIP/1002": "1002", "PJSIP/1003": "1003"},
		Rules: telephony.DirectionRules{InboundContexts: []string{"from-trunk", "inbound"},
			TrunkEndpoints: []string{"PJSIP/customers", "PJSIP/pstn"}},
	})
	// 1003 is not on the board; 1002 goes offline on the way
	tw := newTwin(t, []string{"1001", "1002"})
	defer tr.Observe(tw.observe)()
	type stream struct {
		node   string
		frames [][]byte
	}
	var streams []*stream
	for n := range 3 {
		for _, path := range names {
			name := strings.TrimSuffix(filepath.Base(path), ".jsonl")
			streams = append(streams, &stream{node: fmt.Sprintf("%s#%d", name, n), frames: transcriptFrames(t, path)})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := map[telephony.EventKind]int{}
	busy := 0 // events after which an agent was ringing or talking on two calls or more
	defer tr.Observe(func(e telephony.Event) {
		kinds[e.Kind]++
		for _, a := range tw.live.agents {
			if len(a.calls) > 1 {
				busy++
				break
			}
		}
	})()
	for frame := 0; len(streams) > 0; frame++ {
		i := rng.IntN(len(streams))
		s := streams[i]
		tr.HandleFrame(s.node, "", s.frames[0])
		if s.frames = s.frames[1:]; len(s.frames) == 0 {
			streams = slices.Delete(streams, i, i+1)
		}
		if frame == 400 {
			tw.setOnline("1002", false)
		}
	}
	if len(tw.live.calls) != 0 {
		t.Errorf("%d calls still in progress after every recording ended", len(tw.live.calls))
	}
	for _, k := range []telephony.EventKind{telephony.EventCallHeld, telephony.EventCallTransferred,
		telephony.EventAgentRinging, telephony.EventAgentLegEnded, telephony.EventCallEnded} {
		if kinds[k] == 0 {
			t.Errorf("no %s event in the recordings: %v", k, kinds)
		}
	}
	if busy < 50 {
		t.Errorf("an agent was on several calls after only %d events", busy)
	}
	t.Logf("%d events (%v), %d with an agent on several calls, %d searches for stale calls", tw.events, kinds, busy, tw.prunes)
}

func answeredAt(b CallBrief) time.Time {
	if b.AnsweredAt == nil {
		return time.Time{}
	}
	return *b.AnsweredAt
}

func transcriptsDir(t *testing.T) string { t.Helper(); return transcripts.Dir(t) }

// endpointRoster maps agents' endpoints to their logins for the tracker.
type endpointRoster map[string]string

func (r endpointRoster) AgentByEndpoint(ep string) (string, bool) { l, ok := r[ep]; return l, ok }

// transcriptFrames reads the frames of a recorded ARI stream, one a line.
func transcriptFrames(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for line := range bytes.Lines(b) {
		if line = bytes.TrimSpace(line); len(line) > 0 {
			out = append(out, line)
		}
	}
	return out
}

// TestStaleCallLeavesTheBoard: a call whose end is never seen keeps its
// agent busy for staleAfter, then is dropped within a minute of event time
// (stale calls are searched once a minute, not on every event).
func TestStaleCallLeavesTheBoard(t *testing.T) {
	now := dayStart
	m, _ := newTestMetrics(t, &now)
	for _, e := range newCall("lost", telephony.Inbound, 0).start().ring("alice", 1).answer("alice", 3).events {
		now = e.At
		m.Observe(e)
	}
	const h12 = 12 * 3600
	other := newCall("c2", telephony.Inbound, h12-120).start().ring("bob", h12-119).answer("bob", h12-118)
	for sec := h12 - 117.0; sec < h12+300; sec += 5 {
		other.emit(telephony.EventDTMF, sec, func(e *telephony.Event) { e.Digit = "1" })
	}
	searches := 0
	var droppedAt time.Time
	for _, e := range other.events {
		now = e.At
		due := m.live.pruneDue
		m.Observe(e)
		if m.live.pruneDue != due {
			searches++
		}
		s := m.Snapshot()
		alice := stateOf(t, s, "alice")
		switch {
		case e.At.Sub(dayStart) <= staleAfter:
			if alice.State != StateTalking || alice.Call == nil || alice.Call.LinkedID != "lost" || len(s.Calls) != 2 {
				t.Fatalf("at %s (not stale yet): alice %s on %+v, %d calls", e.At, alice.State, alice.Call, len(s.Calls))
			}
		case droppedAt.IsZero() && alice.State == StateIdle:
			droppedAt = e.At
			if !alice.Since.Equal(e.At) || alice.Call != nil || len(s.Calls) != 1 || s.Calls[0].LinkedID != "c2" {
				t.Fatalf("at %s alice is idle since %s on %+v, calls %+v", e.At, alice.Since, alice.Call, s.Calls)
			}
		case !droppedAt.IsZero() && alice.State != StateIdle:
			t.Fatalf("at %s alice is %s again", e.At, alice.State)
		}
		if bob := stateOf(t, s, "bob"); e.Kind == telephony.EventDTMF && bob.State != StateTalking {
			t.Fatalf("at %s bob is %s", e.At, bob.State)
		}
	}
	if droppedAt.IsZero() || droppedAt.Sub(dayStart) > staleAfter+pruneEvery {
		t.Errorf("the stale call was dropped at %s, want within %s after %s", droppedAt, pruneEvery, dayStart.Add(staleAfter))
	}
	// 420 s of events: a search on the first, then one a minute
	if searches < 7 || searches > 8 {
		t.Errorf("%d searches for stale calls in %d events over 7 minutes, want 7 or 8", searches, len(other.events))
	}
}

// TestObserveAllocatesNothingPerEvent: once a call is on the board, its
// events (holds, rings of other agents, DTMF) allocate nothing, however
// many other calls are in progress.
func TestObserveAllocatesNothingPerEvent(t *testing.T) {
	now := dayStart
	m, _ := newTestMetrics(t, &now)
	for i := range 20 {
		for _, e := range newCall(fmt.Sprintf("busy%d", i), telephony.Inbound, 0).start().ring("bob", 1).events {
			m.Observe(e)
		}
	}
	c := newCall("c1", telephony.Inbound, 10).start().ring("alice", 11).answer("alice", 13).hold("alice", 20, 30).ring("bob", 31)
	for _, e := range c.events {
		m.Observe(e)
	}
	events := c.events[1:]
	if n := testing.AllocsPerRun(100, func() {
		for _, e := range events {
			m.Observe(e)
		}
	}); n != 0 {
		t.Errorf("%d allocations per run of %d events", int(n), len(events))
	}
	if s := m.Snapshot(); stateOf(t, s, "alice").State != StateTalking || stateOf(t, s, "bob").State != StateRinging {
		t.Errorf("after the events alice is %s, bob %s", stateOf(t, s, "alice").State, stateOf(t, s, "bob").State)
	}
}

func (c agentCall) String() string { return c.lc.id.key() + ":" + string(c.state) }

// key is the call's node/linkedid, the key of refLive's calls.
func (id callID) key() string { return id.node + "/" + id.linkedID }

// TestCallOrderIsTheOrderOfKeys: callID.less orders calls as their
// node/linkedid strings do, including nodes that are prefixes of others
// and bytes on either side of '/'.
func TestCallOrderIsTheOrderOfKeys(t *testing.T) {
	parts := []string{"", "a", "a-b", "a.b", "a/b", "a0", "ab", "pbx1", "pbx1/", "pbx10", "pbx1-x", "1795749204.13", "1795749204.2"}
	for _, an := range parts {
		for _, al := range parts {
			for _, bn := range parts {
				for _, bl := range parts {
					a, b := callID{an, al}, callID{bn, bl}
					if got, want := a.less(b), a.key() < b.key(); got != want {
						t.Errorf("%q.less(%q) = %v, want %v", a.key(), b.key(), got, want)
					}
				}
			}
		}
	}
}
