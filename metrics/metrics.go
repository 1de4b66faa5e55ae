// Package metrics is Hotline's supervisor view of the call centre: the
// Prometheus collectors behind /metrics (agent call counts and durations,
// agent states, active calls, ARI, spool and tracker health, ticket SLA
// breaches) and the live state of agents and calls the wallboard shows.
// Both are fed by the call tracker's domain events (RunTracker or Observe).
//
// Labels are bounded: agent is a login from the roster ("unknown" for any
// other, "none" for calls no agent touched), direction and outcome are the
// tracker's enums, node is a configured Asterisk node. Other packages
// register their own collectors (screen pop latency, survey responses and
// scores) on the same Registerer.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"hotline/telephony"
)

// Roster lists the logins of the agents that get their own label values.
type Roster interface {
	Agents() []string
}

// AgentList is a fixed roster.
type AgentList []string

// Agents returns the list.
func (a AgentList) Agents() []string { return a }

// RosterFunc is a roster read by a function, e.g. the logins of
// postgres.Store.ListAgentEndpoints.
type RosterFunc func() []string

// Agents calls f.
func (f RosterFunc) Agents() []string { return f() }

// Options configure Metrics. Zero values are safe.
type Options struct {
	Now      func() time.Time // default time.Now
	Location *time.Location   // where "today" is counted; default time.Local
	Logger   *slog.Logger
}

// Label values used for calls without a roster agent.
const (
	AgentUnknown = "unknown" // an agent login not in the roster
	AgentNone    = "none"    // no agent rang or talked (abandoned in the IVR, app-only calls)
)

// Metrics holds Hotline's call-centre collectors and live state.
type Metrics struct {
	log    *slog.Logger
	roster Roster
	live   *live

	calls       *prometheus.CounterVec
	talk        *prometheus.HistogramVec
	ring        *prometheus.HistogramVec
	wait        prometheus.Histogram
	hold        prometheus.Histogram
	slaBreaches *prometheus.CounterVec
	health      *healthCollector

	rosterMu  sync.Mutex
	listeners []func(agentLabels []string)
}

// Durations buckets in seconds: ring and wait are short, talk is long.
var (
	talkBuckets = []float64{10, 30, 60, 120, 180, 300, 600, 900, 1800, 3600}
	ringBuckets = []float64{1, 2, 5, 10, 15, 20, 30, 45, 60, 120}
	holdBuckets = []float64{5, 15, 30, 60, 120, 300, 600}
)

// New builds the collectors and registers them on reg (never the global
// registry). roster bounds the agent label; it is read now and on Refresh.
func New(reg prometheus.Registerer, roster Roster, opts Options) *Metrics {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if roster == nil {
		roster = AgentList(nil)
	}
	m := &Metrics{
		log:    opts.Logger,
		roster: roster,
		live:   newLive(opts.Now, opts.Location),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_agent_calls_total",
			Help: "Calls that ended, by the agent who talked last (or rang last when unanswered), direction and outcome.",
		}, []string{"agent", "direction", "outcome"}),
		talk: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hotline_call_talk_seconds", Help: "Talk time of answered calls (hold excluded), by agent and direction.",
			Buckets: talkBuckets,
		}, []string{"agent", "direction"}),
		ring: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hotline_call_ring_seconds", Help: "Time calls rang at agents before an answer or the end of ringing, by agent.",
			Buckets: ringBuckets,
		}, []string{"agent"}),
		wait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hotline_call_wait_seconds", Help: "Time inbound callers waited from the start of the call to the answer (or hang-up when unanswered).",
			Buckets: ringBuckets,
		}),
		hold: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hotline_call_hold_seconds", Help: "Total hold time of answered calls.", Buckets: holdBuckets,
		}),
		slaBreaches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_ticket_sla_breaches_total", Help: "Service requests that breached their SLA, by priority class and kind (response or resolution).",
		}, []string{"priority", "kind"}),
	}
	m.health = &healthCollector{live: m.live}
	if reg != nil {
		reg.MustRegister(m.calls, m.talk, m.ring, m.wait, m.hold, m.slaBreaches, m.health)
	}
	m.Refresh()
	return m
}

// Refresh re-reads the roster (call it after agents are added or disabled).
// Every per-agent series of a new agent is created at zero before the agent
// becomes a label value, so its first call is an increase Prometheus sees
// (a counter that first appears at 1 loses that 1 in increase()). An agent
// who leaves the roster keeps its series until the process restarts, so no
// increment between two scrapes is dropped with a deleted series.
func (m *Metrics) Refresh() {
	agents := m.roster.Agents()
	labels := AgentLabels(agents)
	for _, a := range labels {
		for _, d := range directionLabels {
			for _, o := range outcomeLabels {
				m.calls.WithLabelValues(a, d, o)
			}
			m.talk.WithLabelValues(a, d)
		}
		m.ring.WithLabelValues(a)
	}
	m.live.setRoster(agents)
	m.rosterMu.Lock()
	listeners := slices.Clone(m.listeners)
	m.rosterMu.Unlock()
	for _, f := range listeners {
		f(labels)
	}
}

// OnRoster calls f now and after every Refresh with every agent label value
// (the roster's logins, "none" and "unknown"), so that packages with
// per-agent series of their own (survey scores) create them at zero before
// they are used. f must not block.
func (m *Metrics) OnRoster(f func(agentLabels []string)) {
	m.rosterMu.Lock()
	m.listeners = append(m.listeners, f)
	m.rosterMu.Unlock()
	m.live.mu.Lock()
	roster := slices.Clone(m.live.roster)
	m.live.mu.Unlock()
	f(AgentLabels(roster))
}

// AgentLabels returns the agent label values of a roster: its logins, then
// AgentNone and AgentUnknown.
func AgentLabels(logins []string) []string {
	out := slices.Sorted(slices.Values(logins))
	out = slices.Compact(out)
	out = slices.DeleteFunc(out, func(l string) bool { return l == "" || l == AgentNone || l == AgentUnknown })
	return append(out, AgentNone, AgentUnknown)
}

// directionLabels and outcomeLabels are the values of the direction and
// outcome labels of an ended call ("unknown": a call whose first channel
// was never seen).
var (
	directionLabels = []string{string(telephony.Inbound), string(telephony.Outbound), string(telephony.Internal), "unknown"}
	outcomeLabels   = []string{string(telephony.OutcomeAnswered), string(telephony.OutcomeNoAnswer),
		string(telephony.OutcomeBusy), string(telephony.OutcomeFailed), string(telephony.OutcomeAbandoned)}
)

// Handler serves the registry's metrics in the Prometheus text format.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Observer is the tracker's synchronous event fan-out (*telephony.Tracker).
type Observer interface {
	Observe(fn func(telephony.Event), kinds ...telephony.EventKind) (cancel func())
}

// RunTracker observes the tracker's events until ctx is done. Observe is
// called synchronously as the tracker folds each event, so that metrics
// cost no goroutine wake-up per event and never miss one (an observer is
// never dropped). It can be: it only updates Prometheus collectors and the
// live state under its own mutex, never blocks (change notifications are
// coalesced without waiting) and never calls the tracker.
func (m *Metrics) RunTracker(ctx context.Context, t Observer) error {
	cancel := t.Observe(m.Observe)
	defer cancel()
	<-ctx.Done()
	return nil
}

// Observe folds one domain event of the tracker into the metrics and the live state.
func (m *Metrics) Observe(e telephony.Event) {
	m.live.observe(e)
	if e.Kind != telephony.EventCallEnded || e.Call.MergedInto != "" {
		return
	}
	c := &e.Call
	agent := m.agentLabel(c)
	dir := string(c.Direction)
	if dir == "" {
		dir = "unknown"
	}
	outcome := string(c.Outcome)
	if outcome == "" {
		outcome = "unknown"
	}
	m.calls.WithLabelValues(agent, dir, outcome).Inc()
	if c.AnsweredAt != nil {
		m.talk.WithLabelValues(agent, dir).Observe(c.TalkSeconds)
		m.hold.Observe(c.HoldSeconds)
	}
	if len(c.Agents) > 0 && c.RingSeconds > 0 {
		m.ring.WithLabelValues(agent).Observe(c.RingSeconds)
	}
	if c.Direction == telephony.Inbound {
		m.wait.Observe(c.WaitSeconds)
	}
}

// agentLabel is the agent a call counts for, bounded by the roster.
func (m *Metrics) agentLabel(c *telephony.Call) string {
	login := c.Agent
	if login == "" && len(c.Agents) > 0 {
		login = c.Agents[len(c.Agents)-1]
	}
	return m.AgentLabel(login)
}

// AgentLabel maps a login to a bounded label value: the login when it is in
// the roster, "none" when empty, "unknown" otherwise. Other packages use it
// for their own per-agent series.
func (m *Metrics) AgentLabel(login string) string {
	if login == "" {
		return AgentNone
	}
	m.live.mu.Lock()
	defer m.live.mu.Unlock()
	if m.live.known(login) {
		return login
	}
	return AgentUnknown
}

// SetAgentOnline records whether an agent's phone is registered; an agent
// whose phone is not is "offline" when on no call.
func (m *Metrics) SetAgentOnline(login string, online bool) {
	m.live.setOnline(login, online, m.live.now())
}

// SLABreached counts a service request that breached its SLA; kind is
// "response" or "resolution", priority the client's priority class code
// ("" counts as "none"). The escalation timers call it as each breach is
// recorded.
func (m *Metrics) SLABreached(priority, kind string) {
	if priority == "" {
		priority = "none"
	}
	m.slaBreaches.WithLabelValues(priority, kind).Inc()
}

// InitSLABreaches creates the breach series of every priority class (and
// "none") at zero, so that increase() sees the first breach of each.
func (m *Metrics) InitSLABreaches(priorityClasses []string) {
	for _, p := range append([]string{"none"}, priorityClasses...) {
		for _, kind := range []string{"response", "resolution"} {
			m.slaBreaches.WithLabelValues(p, kind)
		}
	}
}

// Snapshot returns the live state of agents and calls.
func (m *Metrics) Snapshot() Snapshot { return m.live.snapshot() }

// Changes returns a channel that receives a value after the live state
// changes (several changes may coalesce into one), and a cancel func.
func (m *Metrics) Changes() (<-chan struct{}, func()) { return m.live.subscribe() }
