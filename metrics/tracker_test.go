package metrics_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"hotline/metrics"
	"hotline/telephony"
	"hotline/telephony/ari/aritest/transcripts"
)

// transcriptDir finds shared/ari/transcripts/with-linkedid above the test's directory.
func transcriptDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(transcripts.Dir(t), "with-linkedid")
}

type roster map[string]string

func (r roster) AgentByEndpoint(ep string) (string, bool) { l, ok := r[ep]; return l, ok }

func readFrames(t *testing.T, path string) [][]byte {
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

// TestMetricsFromRecordedCalls feeds every recorded SIP call through the
// real call tracker and checks the counters against the tracker's golden
// call records, and the states agent 1001 goes through in the hold call.
func TestMetricsFromRecordedCalls(t *testing.T) {
	dir := transcriptDir(t)
	names, _ := filepath.Glob(filepath.Join(dir, "sip-*.jsonl"))
	if len(names) < 10 {
		t.Fatalf("only %d transcripts in %s", len(names), dir)
	}
	tr := telephony.NewTracker(telephony.TrackerOptions{
		Roster: roster{"PJSIP/1001": "1001", "PJSIP/1002": "1002", "PJSIP/1003": "1003"},
		Rules: telephony.DirectionRules{InboundContexts: []string{"from-trunk", "inbound"},
			TrunkEndpoints: []string{"PJSIP/customers", "PJSIP/pstn"}},
	})
	reg := prometheus.NewPedanticRegistry()
	// 1003 is left out of the metrics roster: its calls count as "unknown"
	m := metrics.New(reg, metrics.AgentList{"1001", "1002"}, metrics.Options{})
	// as RunTracker does: every event is observed before HandleFrame returns
	defer tr.Observe(m.Observe)()
	var holdStates []metrics.AgentState
	for _, path := range names {
		name := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		for _, frame := range readFrames(t, path) {
			tr.HandleFrame(name, "", frame)
			if name == "sip-hold" {
				st := m.Snapshot().Agents[0].State
				if len(holdStates) == 0 || holdStates[len(holdStates)-1] != st {
					holdStates = append(holdStates, st)
				}
			}
		}
	}
	want := []metrics.AgentState{metrics.StateIdle, metrics.StateRinging, metrics.StateTalking, metrics.StateOnHold,
		metrics.StateTalking, metrics.StateIdle}
	if !slices.Equal(holdStates, want) {
		t.Errorf("1001 in sip-hold went through %v, want %v", holdStates, want)
	}
	expected := expectedCounts(t, names)
	var b strings.Builder
	b.WriteString("# HELP hotline_agent_calls_total Calls that ended, by the agent who talked last (or rang last when unanswered), direction and outcome.\n# TYPE hotline_agent_calls_total counter\n")
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range expected {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "hotline_agent_calls_total{%s} %d\n", k, expected[k])
	}
	if err := testutil.GatherAndCompare(metrics.UsedSeries{Gatherer: reg}, strings.NewReader(b.String()), "hotline_agent_calls_total"); err != nil {
		t.Error(err)
	}
	if s := m.Snapshot(); len(s.Calls) != 0 || s.Agents[0].State != metrics.StateIdle || s.Agents[1].State != metrics.StateIdle {
		t.Errorf("after every call ended: %d calls, agents %+v", len(s.Calls), s.Agents)
	}
}

// expectedCounts derives hotline_agent_calls_total from the tracker's golden records.
func expectedCounts(t *testing.T, names []string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, path := range names {
		name := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		b, err := os.ReadFile(filepath.Join("..", "telephony", "testdata", "with-linkedid_"+name+".golden.json"))
		if err != nil {
			t.Fatal(err)
		}
		var calls []telephony.Call
		if err := json.Unmarshal(b, &calls); err != nil {
			t.Fatal(err)
		}
		for _, c := range calls {
			if c.MergedInto != "" || !c.Ended() {
				continue
			}
			agent := c.Agent
			if agent == "" && len(c.Agents) > 0 {
				agent = c.Agents[len(c.Agents)-1]
			}
			switch agent {
			case "":
				agent = "none"
			case "1001", "1002":
			default:
				agent = "unknown"
			}
			out[fmt.Sprintf("agent=%q,direction=%q,outcome=%q", agent, c.Direction, c.Outcome)]++
		}
	}
	return out
}
