package metrics

import (
	"maps"
	"slices"
	"sort"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"hotline/telephony"
)

// ARIStats are the counters of one ARI event connection that /metrics
// exports (cmd reads them from its ARI client).
type ARIStats struct {
	// Connected says whether the event WebSocket is open now.
	Connected bool
	// Reconnects counts connects after the first.
	Reconnects uint64
	// Events counts frames by event type, for the types of the ARI spec.
	Events map[string]uint64
	// Unknown counts frames of other types, Malformed frames without one.
	Unknown, Malformed uint64
}

// SpoolBacklog is what waits in the disk spool for PostgreSQL.
type SpoolBacklog struct {
	PendingRecords uint64
	PendingBytes   int64
}

// TrackerStats reads the call tracker's counters (*telephony.Tracker).
type TrackerStats interface {
	Stats() telephony.Stats
}

var (
	descAgentState = prometheus.NewDesc("hotline_agent_state",
		"1 for the state each roster agent is in now (idle, ringing, talking, on_hold, offline), 0 for the others.",
		[]string{"agent", "state"}, nil)
	descActive = prometheus.NewDesc("hotline_calls_active",
		"Calls in progress by direction.", []string{"direction"}, nil)
	descARIConnected = prometheus.NewDesc("hotline_ari_connected",
		"1 while the ARI event WebSocket to the node is open.", []string{"node"}, nil)
	descARIEvents = prometheus.NewDesc("hotline_ari_events_total",
		"ARI event frames received, by node and event type (types of the ARI spec, \"unknown\" and \"malformed\" otherwise).",
		[]string{"node", "type"}, nil)
	descARIReconnects = prometheus.NewDesc("hotline_ari_reconnects_total",
		"ARI event WebSocket connects after the first, by node.", []string{"node"}, nil)
	descSpoolPending = prometheus.NewDesc("hotline_spool_pending",
		"Call-log writes waiting in the disk spool for PostgreSQL.", nil, nil)
	descSpoolBytes = prometheus.NewDesc("hotline_spool_pending_bytes",
		"Bytes of call-log writes waiting in the disk spool.", nil, nil)
	descTrackerEvents = prometheus.NewDesc("hotline_tracker_events_total",
		"ARI frames handed to the call tracker, by result (folded, skipped, duplicate, bad).", []string{"result"}, nil)
	descTrackerUpdates = prometheus.NewDesc("hotline_tracker_updates_total",
		"Call updates the tracker made durable.", nil, nil)
)

// healthCollector reads live state and component counters at scrape time.
type healthCollector struct {
	live *live

	mu      sync.Mutex
	nodes   map[string]func() ARIStats
	spool   func() SpoolBacklog
	tracker TrackerStats
}

// AddARINode exports the health of the ARI connection to node, read by
// stats at every scrape.
func (m *Metrics) AddARINode(node string, stats func() ARIStats) {
	m.health.mu.Lock()
	defer m.health.mu.Unlock()
	if m.health.nodes == nil {
		m.health.nodes = map[string]func() ARIStats{}
	}
	m.health.nodes[node] = stats
}

// SetSpool exports the spool's backlog, read by stats at every scrape.
func (m *Metrics) SetSpool(s func() SpoolBacklog) {
	m.health.mu.Lock()
	defer m.health.mu.Unlock()
	m.health.spool = s
}

// SetTracker exports the call tracker's counters.
func (m *Metrics) SetTracker(t TrackerStats) {
	m.health.mu.Lock()
	defer m.health.mu.Unlock()
	m.health.tracker = t
}

func (h *healthCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descAgentState, descActive, descARIConnected, descARIEvents,
		descARIReconnects, descSpoolPending, descSpoolBytes, descTrackerEvents, descTrackerUpdates} {
		ch <- d
	}
}

func (h *healthCollector) Collect(ch chan<- prometheus.Metric) {
	for agent, st := range h.live.agentStates() {
		for _, s := range AgentStates {
			ch <- prometheus.MustNewConstMetric(descAgentState, prometheus.GaugeValue, b2f(s == st), agent, string(s))
		}
	}
	active := h.live.activeCalls()
	for _, d := range []telephony.Direction{telephony.Inbound, telephony.Outbound, telephony.Internal} {
		ch <- prometheus.MustNewConstMetric(descActive, prometheus.GaugeValue, float64(active[d]), string(d))
	}
	h.mu.Lock()
	nodes := make([]string, 0, len(h.nodes))
	for n := range h.nodes {
		nodes = append(nodes, n)
	}
	sort.Strings(nodes)
	clients := make([]func() ARIStats, len(nodes))
	for i, n := range nodes {
		clients[i] = h.nodes[n]
	}
	sp, tr := h.spool, h.tracker
	h.mu.Unlock()
	for i, n := range nodes {
		collectARI(ch, n, clients[i]())
	}
	if sp != nil {
		st := sp()
		ch <- prometheus.MustNewConstMetric(descSpoolPending, prometheus.GaugeValue, float64(st.PendingRecords))
		ch <- prometheus.MustNewConstMetric(descSpoolBytes, prometheus.GaugeValue, float64(st.PendingBytes))
	}
	if tr != nil {
		st := tr.Stats()
		folded := st.Events - st.Skipped - st.Duplicates - st.Bad
		for _, r := range []struct {
			name string
			v    uint64
		}{{"folded", folded}, {"skipped", st.Skipped}, {"duplicate", st.Duplicates}, {"bad", st.Bad}} {
			ch <- prometheus.MustNewConstMetric(descTrackerEvents, prometheus.CounterValue, float64(r.v), r.name)
		}
		ch <- prometheus.MustNewConstMetric(descTrackerUpdates, prometheus.CounterValue, float64(st.Updates))
	}
}

func collectARI(ch chan<- prometheus.Metric, node string, st ARIStats) {
	ch <- prometheus.MustNewConstMetric(descARIConnected, prometheus.GaugeValue, b2f(st.Connected), node)
	ch <- prometheus.MustNewConstMetric(descARIReconnects, prometheus.CounterValue, float64(st.Reconnects), node)
	for _, t := range slices.Sorted(maps.Keys(st.Events)) {
		ch <- prometheus.MustNewConstMetric(descARIEvents, prometheus.CounterValue, float64(st.Events[t]), node, t)
	}
	ch <- prometheus.MustNewConstMetric(descARIEvents, prometheus.CounterValue, float64(st.Unknown), node, "unknown")
	ch <- prometheus.MustNewConstMetric(descARIEvents, prometheus.CounterValue, float64(st.Malformed), node, "malformed")
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
