package metrics

import (
	"maps"
	"slices"
	"sort"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/spool"
)

// ARIStats reads an ARI client's counters (*ari.Client).
type ARIStats interface {
	Stats() ari.Stats
}

// SpoolStats reads the spool's backlog (*spool.Spool).
type SpoolStats interface {
	Stats() spool.Stats
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
	nodes   map[string]ARIStats
	spool   SpoolStats
	tracker TrackerStats
}

// AddARINode exports the health of the ARI connection to node.
func (m *Metrics) AddARINode(node string, c ARIStats) {
	m.health.mu.Lock()
	defer m.health.mu.Unlock()
	if m.health.nodes == nil {
		m.health.nodes = map[string]ARIStats{}
	}
	m.health.nodes[node] = c
}

// SetSpool exports the spool's backlog.
func (m *Metrics) SetSpool(s SpoolStats) {
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
	clients := make([]ARIStats, len(nodes))
	for i, n := range nodes {
		clients[i] = h.nodes[n]
	}
	sp, tr := h.spool, h.tracker
	h.mu.Unlock()
	for i, n := range nodes {
		collectARI(ch, n, clients[i].Stats())
	}
	if sp != nil {
		st := sp.Stats()
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

func collectARI(ch chan<- prometheus.Metric, node string, st ari.Stats) {
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
