package screenpop

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/telephony"
	"hotline/telephony/ari/aritest/transcripts"
)

// recordingHub is a local hub that keeps every message published, per agent.
type recordingHub struct {
	*LocalHub
	mu   sync.Mutex
	sent map[string][]string // agent -> live flag and data of each message
}

func (h *recordingHub) Publish(ctx context.Context, m Message) error {
	h.mu.Lock()
	live := "closed "
	if m.Live {
		live = "live "
	}
	// seq is left out: it orders the messages of one agent, and the
	// agents of one update are published in map order
	h.sent[m.Agent] = append(h.sent[m.Agent], live+seqField.ReplaceAllString(string(m.Data), ""))
	h.mu.Unlock()
	return h.LocalHub.Publish(ctx, m)
}

var seqField = regexp.MustCompile(`"seq":[0-9]+,`)

type kindsRoster map[string]string

func (r kindsRoster) AgentByEndpoint(ep string) (string, bool) { l, ok := r[ep]; return l, ok }

// listing is GET /channels as the test sets it.
type listing struct{ live []telephony.LiveChannel }

func (f *listing) LinkedID(context.Context, string, string) (string, error) {
	return "", errors.New("not listed")
}

func (f *listing) List(context.Context, string) ([]telephony.LiveChannel, error) {
	return f.live, nil
}

// The popper that asks the tracker for TrackerEventKinds only sends, in
// every recorded call, exactly the pops of one that handles every event:
// pops open, follow answers and close alike. Each call is played whole,
// and again with a reconciliation whose listing lacks agents' ringing legs
// (they end as gone while the call goes on, an end no frame tells).
func TestTrackerEventKindsChangeNoPop(t *testing.T) {
	dir := filepath.Join(transcripts.Dir(t), "with-linkedid")
	names, _ := filepath.Glob(filepath.Join(dir, "sip-*.jsonl"))
	if len(names) < 10 {
		t.Fatalf("only %d transcripts in %s", len(names), dir)
	}
	endpoints := map[string]string{"PJSIP/1001": "1001", "PJSIP/1002": "1002", "PJSIP/1003": "1003"}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	newPopper := func() (*Popper, *recordingHub) {
		hub := &recordingHub{LocalHub: NewLocalHub(0), sent: map[string][]string{}}
		t.Cleanup(func() { _ = hub.Close() })
		clock := func() time.Time { return now }
		cards := NewCardBuilder(CardSources{Clients: &fakeClients{}, Now: clock})
		return NewPopper(Options{Cards: cards, Hub: hub, Now: clock, Agents: fakeAgents(endpoints)}), hub
	}
	all, allHub := newPopper()
	some, someHub := newPopper()
	ctx := context.Background()
	var tick time.Time // the tracker's clock: a second per reading, so that gone legs settle
	channels := &listing{}
	tr := telephony.NewTracker(telephony.TrackerOptions{
		Roster: kindsRoster(endpoints), Channels: channels, GoneGrace: time.Second,
		Now:   func() time.Time { tick = tick.Add(time.Second); return tick },
		Rules: telephony.DirectionRules{InboundContexts: []string{"from-trunk", "inbound"}, TrunkEndpoints: []string{"PJSIP/customers", "PJSIP/pstn"}},
	})
	handle := func(p *Popper) func(telephony.Event) {
		return func(e telephony.Event) {
			if err := p.HandleTrackerEvent(ctx, e); err != nil {
				t.Errorf("%s of %s: %v", e.Kind, e.LinkedID, err)
			}
		}
	}
	defer tr.Observe(handle(all))()
	defer tr.Observe(handle(some), TrackerEventKinds...)()
	open := map[string]telephony.Call{} // node/linkedid -> the open call's last snapshot
	defer tr.Observe(func(e telephony.Event) {
		k := e.Node + "/" + e.LinkedID
		if e.Kind == telephony.EventCallEnded {
			delete(open, k)
		} else {
			open[k] = e.Call
		}
	})()
	for _, path := range names {
		name := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		frames := kindsFrames(t, path)
		for _, f := range frames {
			tr.HandleFrame(name, "", f)
		}
		// again, with a reconciliation just before the first agent answers
		// that lists every leg but the other agents' ringing ones: they end
		// as gone while the call goes on, and then the call is answered
		at, answering := firstAnswer(frames, endpoints)
		if at < 0 {
			continue
		}
		node := name + "/gap"
		for i, f := range frames {
			if i == at {
				channels.live = liveBut(open, node, answering)
				if err := tr.Reconcile(ctx, node); err != nil {
					t.Fatal(err)
				}
			}
			tr.HandleFrame(node, "", f)
		}
		if err := tr.Reconcile(ctx, node); err != nil { // settles what is left
			t.Fatal(err)
		}
	}
	states := map[string]int{}
	for agent, want := range allHub.sent {
		if got := someHub.sent[agent]; !slices.Equal(got, want) {
			t.Errorf("agent %s got %d messages:\n%s\nwant %d:\n%s", agent, len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
		}
		for _, m := range want {
			for _, s := range []State{StateRinging, StateAnswered, StateTaken, StateMissed, StateEnded} {
				if strings.Contains(m, `"state":"`+string(s)+`"`) {
					states[string(s)]++
				}
			}
		}
	}
	if len(someHub.sent) != len(allHub.sent) {
		t.Errorf("pops to %d agents, want %d", len(someHub.sent), len(allHub.sent))
	}
	for _, s := range []State{StateRinging, StateAnswered, StateEnded, StateMissed} {
		if states[string(s)] == 0 {
			t.Errorf("no pop went %s in the recorded calls (states: %v): the comparison proves little", s, states)
		}
	}
}

// firstAnswer is the index of the frame at which an agent's leg first
// answers in frames, and that leg's channel (-1 when none does).
func firstAnswer(frames [][]byte, endpoints map[string]string) (int, string) {
	tr := telephony.NewTracker(telephony.TrackerOptions{Roster: kindsRoster(endpoints)})
	channel := ""
	stop := tr.Observe(func(e telephony.Event) { channel = e.Channel }, telephony.EventAgentAnswered)
	defer stop()
	for i, f := range frames {
		tr.HandleFrame("dry", "", f)
		if channel != "" {
			return i, channel
		}
	}
	return -1, ""
}

// liveBut lists the open legs of the calls of node, without the agents'
// unanswered legs other than keep.
func liveBut(open map[string]telephony.Call, node, keep string) []telephony.LiveChannel {
	var live []telephony.LiveChannel
	for _, c := range open {
		if c.Node != node {
			continue
		}
		for _, l := range c.Legs {
			if l.EndedAt != nil || (l.Agent != "" && l.AnsweredAt == nil && l.ChannelID != keep) {
				continue
			}
			state := "Ring"
			switch {
			case l.AnsweredAt != nil:
				state = "Up"
			case l.RingingAt != nil:
				state = "Ringing"
			}
			live = append(live, telephony.LiveChannel{ID: l.ChannelID, Name: l.Name, State: state, LinkedID: c.LinkedID, CreatedAt: l.CreatedAt})
		}
	}
	return live
}

func kindsFrames(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if len(strings.TrimSpace(sc.Text())) > 0 {
			out = append(out, slices.Clone(sc.Bytes()))
		}
	}
	return out
}
