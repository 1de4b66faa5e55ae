package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"hotline/metrics"
	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
)

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMetricsEndToEndOnTheEmulator wires metrics the way cmd/hotline does:
// the ARI client feeds the tracker, metrics follow the tracker's events and
// read the client's stats, and /metrics serves the registry. Two calls and a
// dropped socket later the scrape shows them.
func TestMetricsEndToEndOnTheEmulator(t *testing.T) {
	srv := aritest.New(aritest.Options{Speed: 50, Seed: 5, ChannelVarsLinkedID: true})
	t.Cleanup(srv.Close)
	cli, err := ari.NewClient(ari.Config{Node: "pbx1", URL: srv.URL(), User: "hotline", Password: "hotline-secret",
		App: "hotline", EventFilter: ari.CallEventTypes})
	if err != nil {
		t.Fatal(err)
	}
	tr := telephony.NewTracker(telephony.TrackerOptions{
		Roster: roster{"PJSIP/1001": "1001", "PJSIP/1002": "1002", "PJSIP/1003": "1003"},
		Rules:  telephony.DirectionRules{InboundContexts: []string{"from-trunk"}, TrunkEndpoints: []string{"PJSIP/customers", "PJSIP/pstn"}},
	})
	reg := prometheus.NewPedanticRegistry()
	m := metrics.New(reg, metrics.AgentList{"1001", "1002", "1003"}, metrics.Options{})
	m.AddARINode("pbx1", ariStats(cli))
	m.SetTracker(tr)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = m.RunTracker(ctx, tr) }()
	go func() { _ = cli.Run(ctx, func(msg ari.Message) { tr.HandleFrame(msg.Node, msg.Type, msg.Raw) }) }()
	waitUntil(t, "the ARI socket", func() bool { return srv.Connected("hotline") && cli.Connected() })

	cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
	defer ccancel()
	if _, err := srv.InboundCall(cctx, aritest.Inbound{Exten: "7002", HangupAfter: 20 * time.Second}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the inbound call counted", func() bool {
		return testutil.ToFloat64(mustCounter(t, reg, "hotline_agent_calls_total", "1001", "inbound", "answered")) == 1
	})
	srv.DropSockets()
	waitUntil(t, "the reconnect", func() bool { return cli.Stats().Reconnects == 1 && cli.Connected() })
	if _, err := srv.OutboundCall(cctx, aritest.Outbound{HangupAfter: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the outbound call counted", func() bool {
		return testutil.ToFloat64(mustCounter(t, reg, "hotline_agent_calls_total", "1001", "outbound", "answered")) == 1
	})

	ts := httptest.NewServer(metrics.Handler(reg))
	defer ts.Close()
	resp, err := http.Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	for _, want := range []string{
		`hotline_agent_calls_total{agent="1001",direction="inbound",outcome="answered"} 1`,
		`hotline_agent_calls_total{agent="1001",direction="outbound",outcome="answered"} 1`,
		`hotline_ari_connected{node="pbx1"} 1`,
		`hotline_ari_reconnects_total{node="pbx1"} 1`,
		`hotline_call_talk_seconds_count{agent="1001",direction="inbound"} 1`,
		`hotline_agent_state{agent="1001",state="idle"} 1`,
		`hotline_calls_active{direction="inbound"} 0`,
		`hotline_ari_events_total{node="pbx1",type="ChannelCreated"}`,
		`hotline_tracker_events_total{result="folded"}`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}

// mustCounter finds one series of a counter vector in the registry (0 when absent).
func mustCounter(t *testing.T, reg *prometheus.Registry, name string, labels ...string) prometheus.Collector {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	v := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, s := range mf.GetMetric() {
			for i, lp := range s.GetLabel() {
				if i >= len(labels) || lp.GetValue() != labels[i] {
					continue series
				}
			}
			v = s.GetCounter().GetValue()
		}
	}
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "probe"})
	c.Add(v)
	return c
}

// TestRingAllLoserLeavesRingingAtOnce: a ring-all queue call rings 1001 and
// 1002; 1002 answers. 1001's state follows its own leg (Dial CANCEL, then
// its channel's end): it is idle while the call still goes on, not ringing
// until the call's next event (here the customer's hang-up 30 s later).
func TestRingAllLoserLeavesRingingAtOnce(t *testing.T) {
	srv := aritest.New(aritest.Options{Speed: 10, Seed: 6, ChannelVarsLinkedID: true})
	t.Cleanup(srv.Close)
	cli, err := ari.NewClient(ari.Config{Node: "pbx1", URL: srv.URL(), User: "hotline", Password: "hotline-secret",
		App: "hotline", EventFilter: ari.CallEventTypes})
	if err != nil {
		t.Fatal(err)
	}
	tr := telephony.NewTracker(telephony.TrackerOptions{
		Roster: roster{"PJSIP/1001": "1001", "PJSIP/1002": "1002"},
		Rules:  telephony.DirectionRules{InboundContexts: []string{"from-trunk"}, TrunkEndpoints: []string{"PJSIP/customers", "PJSIP/pstn"}},
	})
	m := metrics.New(prometheus.NewPedanticRegistry(), metrics.AgentList{"1001", "1002"}, metrics.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = m.RunTracker(ctx, tr) }()
	go func() { _ = cli.Run(ctx, func(msg ari.Message) { tr.HandleFrame(msg.Node, msg.Type, msg.Raw) }) }()
	waitUntil(t, "the ARI socket", func() bool { return srv.Connected("hotline") && cli.Connected() })

	states := func() (map[string]metrics.AgentState, int) {
		snap := m.Snapshot()
		out := map[string]metrics.AgentState{}
		for _, a := range snap.Agents {
			out[a.Login] = a.State
		}
		return out, len(snap.Calls)
	}
	done := make(chan error, 1)
	go func() {
		_, err := srv.InboundCall(ctx, aritest.Inbound{Exten: "7000", QueueMembers: []string{"1001", "1002"}, HangupAfter: 30 * time.Second,
			Phones: map[string]aritest.Phone{"1002": {AnswerAfter: 3 * time.Second}, "1001": {NeverAnswer: true}}})
		done <- err
	}()
	waitUntil(t, "both agents ringing", func() bool {
		s, _ := states()
		return s["1001"] == metrics.StateRinging && s["1002"] == metrics.StateRinging
	})
	waitUntil(t, "1002 talking", func() bool { s, _ := states(); return s["1002"] == metrics.StateTalking })
	waitUntil(t, "1001 idle while the call goes on", func() bool {
		s, calls := states()
		if calls == 0 {
			t.Fatal("the call ended before 1001 left ringing")
		}
		return s["1001"] == metrics.StateIdle && s["1002"] == metrics.StateTalking
	})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
