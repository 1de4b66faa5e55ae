package metrics_test

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hotline/internal/testneed"
	"hotline/metrics"
	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
)

// endedCalls counts the calls the tracker ended, by agent label, direction
// and outcome, independently of the metrics under test.
type endedCalls struct {
	mu     sync.Mutex
	counts map[string]int // "agent/direction/outcome"
	total  int
}

func (e *endedCalls) follow(ctx context.Context, events <-chan telephony.Event, label func(string) string) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if ev.Kind != telephony.EventCallEnded || ev.Call.MergedInto != "" {
				continue
			}
			login := ev.Call.Agent
			if login == "" && len(ev.Call.Agents) > 0 {
				login = ev.Call.Agents[len(ev.Call.Agents)-1]
			}
			e.mu.Lock()
			e.counts[label(login)+"/"+string(ev.Call.Direction)+"/"+string(ev.Call.Outcome)]++
			e.total++
			e.mu.Unlock()
		}
	}
}

func (e *endedCalls) snapshot() (map[string]int, int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]int{}
	for k, v := range e.counts {
		out[k] = v
	}
	return out, e.total
}

// placeCalls runs the calls at once and waits for all of them to end.
func placeCalls(t *testing.T, ctx context.Context, calls ...func(context.Context) (string, error)) {
	t.Helper()
	errs := make(chan error, len(calls))
	for _, call := range calls {
		go func() { _, err := call(ctx); errs <- err }()
	}
	for range calls {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// A real Prometheus scrapes Hotline's metrics handler every second while
// simulated calls run through the simulated PBX, and an agent is added in
// the middle. sum(increase(hotline_agent_calls_total[run])) must equal the
// calls that ended, and the Agents dashboard's "Calls per agent" query the
// calls of each agent, direction and outcome: every series exists at 0
// before its first call (a series that first appears at 1 loses that call
// in increase()). Every dashboard query and every shipped rule must run
// without an error on it.
func TestPrometheusCountsEveryCall(t *testing.T) {
	testneed.Tool(t, "prometheus", "prometheus")
	pbx := aritest.New(aritest.Options{Speed: 20, Seed: 11, ChannelVarsLinkedID: true})
	t.Cleanup(pbx.Close)
	cli, err := ari.NewClient(ari.Config{Node: "pbx1", URL: pbx.URL(), User: "hotline", Password: "hotline-secret",
		App: "hotline", EventFilter: ari.CallEventTypes})
	if err != nil {
		t.Fatal(err)
	}
	tr := telephony.NewTracker(telephony.TrackerOptions{
		Roster: roster{"PJSIP/1001": "1001", "PJSIP/1002": "1002", "PJSIP/1003": "1003"},
		Rules:  telephony.DirectionRules{InboundContexts: []string{"from-trunk"}, TrunkEndpoints: []string{"PJSIP/customers", "PJSIP/pstn"}},
	})
	var mu sync.Mutex
	agents := []string{"1001", "1002"} // 1003 joins the roster halfway
	reg := prometheus.NewPedanticRegistry()
	m := metrics.New(reg, metrics.RosterFunc(func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(agents)
	}), metrics.Options{})
	metrics.RegisterBuildInfo(reg, "test")
	m.AddARINode("pbx1", ariStats(cli))
	m.SetTracker(tr)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ended := &endedCalls{counts: map[string]int{}}
	events, unsubscribe := tr.Subscribe(1024)
	defer unsubscribe()
	go ended.follow(ctx, events, m.AgentLabel)
	go func() { _ = m.RunTracker(ctx, tr) }()
	go func() { _ = cli.Run(ctx, func(msg ari.Message) { tr.HandleFrame(msg.Node, msg.Type, msg.Raw) }) }()
	waitUntil(t, "the ARI socket", func() bool { return pbx.Connected("hotline") && cli.Connected() })

	const token = "prometheus-test-scrape-token-0123"
	hotline := httptest.NewServer(metrics.RequireBearer(token, metrics.Handler(reg)))
	t.Cleanup(hotline.Close)
	start := time.Now()
	prom := startPrometheus(t, strings.TrimPrefix(hotline.URL, "http://"), token)
	countSeries := func(selector string) float64 {
		s, err := prom.query("count("+selector+")", time.Time{})
		if err != nil || len(s) != 1 {
			return -1
		}
		return s[0].Value
	}
	perAgent := float64(4 * 5) // direction (with "unknown") x outcome
	prom.waitFor("a scrape with every roster agent's series at 0", func() bool {
		return countSeries(`hotline_agent_calls_total == 0`) == 4*perAgent // 1001, 1002, none, unknown
	})

	placeCalls(t, ctx,
		func(ctx context.Context) (string, error) {
			return pbx.InboundCall(ctx, aritest.Inbound{Exten: "7002", Agent: "1001", HangupAfter: 20 * time.Second})
		},
		func(ctx context.Context) (string, error) {
			return pbx.InboundCall(ctx, aritest.Inbound{From: "+74951112233", Exten: "7000", HangupAfter: 15 * time.Second,
				Phones: map[string]aritest.Phone{"1002": {AnswerAfter: 2 * time.Second}, "1001": {NeverAnswer: true}}})
		},
		func(ctx context.Context) (string, error) {
			return pbx.InboundCall(ctx, aritest.Inbound{From: "+74952223344", Exten: "7002", Agent: "1002", AbandonAfter: 4 * time.Second,
				Phones: map[string]aritest.Phone{"1002": {NeverAnswer: true}}})
		},
		func(ctx context.Context) (string, error) {
			return pbx.OutboundCall(ctx, aritest.Outbound{Agent: "1001", Callee: aritest.Phone{Busy: true}})
		},
	)
	mu.Lock()
	agents = append(agents, "1003")
	mu.Unlock()
	m.Refresh()
	prom.waitFor("1003's series scraped at 0", func() bool { return countSeries(`hotline_agent_calls_total{agent="1003"} == 0`) == perAgent })
	placeCalls(t, ctx,
		func(ctx context.Context) (string, error) {
			return pbx.InboundCall(ctx, aritest.Inbound{From: "+74953334455", Exten: "7002", Agent: "1003", HangupAfter: 30 * time.Second})
		},
		func(ctx context.Context) (string, error) {
			return pbx.InternalCall(ctx, aritest.Internal{From: "1003", To: "1002", HangupAfter: 10 * time.Second})
		},
		func(ctx context.Context) (string, error) {
			return pbx.InboundCall(ctx, aritest.Inbound{From: "+74954445566", Exten: "7002", Agent: "1003",
				Phones: map[string]aritest.Phone{"1003": {NeverAnswer: true}}})
		},
	)
	const calls = 7
	waitUntil(t, "every call ended in the tracker", func() bool { _, n := ended.snapshot(); return n == calls })
	prom.waitFor("the last call scraped", func() bool {
		s, err := prom.query(`sum(hotline_agent_calls_total)`, time.Time{})
		return err == nil && len(s) == 1 && s[0].Value == calls
	})

	// Evaluate at the last scrape, over a range that covers the whole run.
	last := time.UnixMilli(int64(math.Round(prom.mustQuery(`timestamp(hotline_build_info)`, time.Time{})[0].Value * 1000)))
	run := fmt.Sprintf("%ds", int(last.Sub(start).Seconds())+60)
	total := prom.mustQuery("sum(increase(hotline_agent_calls_total["+run+"]))", last)
	if len(total) != 1 || math.Abs(total[0].Value-calls) > 1e-9 {
		t.Errorf("sum(increase(hotline_agent_calls_total[%s])) = %v, want %d", run, total, calls)
	}
	want, _ := ended.snapshot()
	checkCallsPerAgent(t, prom, run, last, want)
	checkEveryQueryRuns(t, prom, run)
}

// checkCallsPerAgent runs the Agents dashboard's "Calls per agent" query
// over the run and compares it with the calls that ended.
func checkCallsPerAgent(t *testing.T, prom *promServer, run string, at time.Time, want map[string]int) {
	t.Helper()
	var expr string
	for _, tg := range dashboardTargets(t)["hotline-agents.json"] {
		if strings.HasPrefix(tg.Expr, "sum by (agent, direction, outcome) (increase(hotline_agent_calls_total") {
			expr = tg.Expr
		}
	}
	if expr == "" {
		t.Fatal(`the Agents dashboard has no "Calls per agent" query`)
	}
	got := map[string]int{}
	for _, s := range prom.mustQuery(strings.NewReplacer("$agent", ".*", "$__range", run).Replace(expr), at) {
		if s.Value == 0 {
			continue
		}
		n := int(math.Round(s.Value))
		if math.Abs(s.Value-float64(n)) > 1e-9 {
			t.Errorf("%v: %v calls, not a whole number", s.Metric, s.Value)
		}
		got[s.Metric["agent"]+"/"+s.Metric["direction"]+"/"+s.Metric["outcome"]] = n
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Calls per agent over the run:\n got %v\nwant %v", got, want)
	}
	took := map[string]bool{}
	for k := range got {
		took[strings.Split(k, "/")[0]] = true
	}
	for _, agent := range []string{"1001", "1002", "1003"} {
		if !took[agent] {
			t.Errorf("agent %s took no call in the run; the scenario gives each agent one", agent)
		}
	}
}

// checkEveryQueryRuns runs every dashboard query against Prometheus, and
// checks that every shipped recording and alerting rule was evaluated
// without an error.
func checkEveryQueryRuns(t *testing.T, prom *promServer, run string) {
	t.Helper()
	vars := strings.NewReplacer("$__rate_interval", "1m", "$__interval", "15s", "$__range", run,
		"$agent", ".*", "$survey", ".*", "$node", ".*")
	n := 0
	for file, targets := range dashboardTargets(t) {
		for _, tg := range targets {
			if tg.Expr == "" {
				continue
			}
			n++
			if _, err := prom.query(vars.Replace(tg.Expr), time.Time{}); err != nil {
				t.Errorf("%s: %v", file, err)
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d dashboard queries found", n)
	}
	prom.waitFor("every rule evaluated", func() bool {
		h, err := prom.ruleHealth()
		if err != nil || len(h) == 0 {
			return false
		}
		for _, v := range h {
			if v == "unknown" {
				return false
			}
		}
		return true
	})
	h, _ := prom.ruleHealth()
	for name, v := range h {
		if v != "ok" {
			t.Errorf("rule %s: %s", name, v)
		}
	}
}
