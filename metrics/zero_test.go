package metrics_test

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"hotline/metrics"
)

// series flattens a registry into "name{label=value,...}" -> value
// (counters, gauges, and histogram sample counts).
func series(t *testing.T, g prometheus.Gatherer) map[string]float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%s", l.GetName(), l.GetValue()))
			}
			key := mf.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.Counter != nil:
				out[key] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				out[key] = m.GetGauge().GetValue()
			case m.Histogram != nil:
				out[key] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

var (
	allDirections = []string{"inbound", "outbound", "internal", "unknown"}
	allOutcomes   = []string{"answered", "no_answer", "busy", "failed", "abandoned"}
)

// checkAgentSeries: every per-agent series of agent exists, at zero.
func checkAgentSeries(t *testing.T, got map[string]float64, agent string) {
	t.Helper()
	var keys []string
	for _, d := range allDirections {
		for _, o := range allOutcomes {
			keys = append(keys, fmt.Sprintf("hotline_agent_calls_total{agent=%s,direction=%s,outcome=%s}", agent, d, o))
		}
		keys = append(keys, fmt.Sprintf("hotline_call_talk_seconds{agent=%s,direction=%s}", agent, d))
	}
	keys = append(keys, fmt.Sprintf("hotline_call_ring_seconds{agent=%s}", agent))
	for _, k := range keys {
		if v, ok := got[k]; !ok || v != 0 {
			t.Errorf("%s = %v (present %v), want a series at 0", k, v, ok)
		}
	}
}

// A counter that first appears at 1 loses that 1 in Prometheus' increase():
// every agent's series exist at 0 from start-up, and a new agent's from the
// Refresh that adds it, before its first call can count.
func TestAgentSeriesExistAtZero(t *testing.T) {
	var mu sync.Mutex
	agents := []string{"alice"}
	reg := prometheus.NewPedanticRegistry()
	m := metrics.New(reg, metrics.RosterFunc(func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(agents)
	}), metrics.Options{})
	var heard [][]string
	m.OnRoster(func(labels []string) { heard = append(heard, labels) })

	got := series(t, reg)
	for _, a := range []string{"alice", metrics.AgentNone, metrics.AgentUnknown} {
		checkAgentSeries(t, got, a)
	}
	if n := testutil.CollectAndCount(reg, "hotline_agent_calls_total"); n != 3*len(allDirections)*len(allOutcomes) {
		t.Errorf("%d hotline_agent_calls_total series, want one per agent label, direction and outcome", n)
	}

	mu.Lock()
	agents = append(agents, "bob")
	mu.Unlock()
	if m.AgentLabel("bob") != metrics.AgentUnknown {
		t.Fatal("bob is a label value before the roster is refreshed")
	}
	m.Refresh()
	checkAgentSeries(t, series(t, reg), "bob")
	if m.AgentLabel("bob") != "bob" {
		t.Error("bob is not a label value after Refresh")
	}
	want := [][]string{{"alice", "none", "unknown"}, {"alice", "bob", "none", "unknown"}}
	if !slices.EqualFunc(heard, want, slices.Equal) {
		t.Errorf("OnRoster heard %v, want %v", heard, want)
	}
}

func TestBuildInfo(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	metrics.RegisterBuildInfo(reg, "1.2.3")
	want := fmt.Sprintf(`# HELP hotline_build_info Always 1; the labels are the release of Hotline and the Go version it was built with.
# TYPE hotline_build_info gauge
hotline_build_info{goversion=%q,version="1.2.3"} 1
`, runtime.Version())
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hotline_build_info"); err != nil {
		t.Error(err)
	}
}
