package survey

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// AgentLabels bounds the agent label of the survey's metrics to the agent
// roster (*metrics.Metrics): AgentLabel maps a login to its label value,
// OnRoster reports every label value now and whenever the roster changes,
// so that each agent's score series exist at zero before their first answer.
type AgentLabels interface {
	AgentLabel(login string) string
	OnRoster(f func(agentLabels []string))
}

// metrics are the survey's Prometheus collectors; labels are bounded by
// the surveys defined and the agent roster.
type metrics struct {
	agents    AgentLabels // nil: every agent is "unknown"
	responses *prometheus.CounterVec
	scores    *prometheus.HistogramVec
	journaled *prometheus.CounterVec
	dropped   prometheus.Counter
}

// newMetrics builds the collectors; with a journal, its backlog is a gauge.
func newMetrics(reg prometheus.Registerer, j Journal, agents AgentLabels) *metrics {
	m := &metrics{
		agents: agents,
		responses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_survey_responses_total", Help: "Survey responses by survey id and final state.",
		}, []string{"survey", "state"}),
		scores: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hotline_survey_score", Help: "Survey answers by agent and scale (csat 1-5, nps 0-10).",
			Buckets: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		}, []string{"agent", "scale"}),
		journaled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_survey_journaled_total",
			Help: "Survey writes the database could not take, put in the disk journal, by op (start, answer, finish).",
		}, []string{"op"}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_survey_journal_dropped_total",
			Help: "Journaled survey writes the database refused for good on replay (logged in full).",
		}),
	}
	if agents != nil {
		agents.OnRoster(m.rosterChanged)
	}
	if reg == nil {
		return m
	}
	reg.MustRegister(m.responses, m.scores, m.journaled, m.dropped)
	if j != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hotline_survey_journal_pending",
			Help: "Survey writes waiting in the disk journal for PostgreSQL.",
		}, func() float64 { return float64(j.Pending()) }))
	}
	return m
}

// loaded creates the response series of a survey about to be played, at
// zero for every final state, so that its first response of each state is
// an increase Prometheus sees (a survey lasts longer than a scrape interval).
func (m *metrics) loaded(sv Survey) {
	for _, st := range []State{StateCompleted, StatePartial, StateNoInput, StateOptedOut} {
		m.responses.WithLabelValues(strconv.FormatInt(sv.ID, 10), string(st))
	}
}

func (m *metrics) finished(sv Survey, st State) {
	m.responses.WithLabelValues(strconv.FormatInt(sv.ID, 10), string(st)).Inc()
}

func (m *metrics) score(agent string, a Answer) {
	if a.Scale == ScaleOther {
		return
	}
	m.scores.WithLabelValues(m.agentLabel(agent), string(a.Scale)).Observe(float64(a.Value))
}

// agentLabel is the bounded label value of an agent's login.
func (m *metrics) agentLabel(login string) string {
	switch {
	case login == "":
		return "none"
	case m.agents == nil:
		return "unknown"
	}
	return m.agents.AgentLabel(login)
}

// rosterChanged creates the score series of every agent label at zero.
func (m *metrics) rosterChanged(agentLabels []string) {
	for _, a := range agentLabels {
		for _, sc := range []Scale{ScaleCSAT, ScaleNPS} {
			m.scores.WithLabelValues(a, string(sc))
		}
	}
}
