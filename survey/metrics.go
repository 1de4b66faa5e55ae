package survey

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the survey's Prometheus collectors; labels are bounded by
// the surveys defined and the agent roster.
type metrics struct {
	responses *prometheus.CounterVec
	scores    *prometheus.HistogramVec
	journaled *prometheus.CounterVec
	dropped   prometheus.Counter
}

// newMetrics builds the collectors; with a journal, its backlog is a gauge.
func newMetrics(reg prometheus.Registerer, j Journal) *metrics {
	m := &metrics{
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

func (m *metrics) finished(sv Survey, st State) {
	m.responses.WithLabelValues(strconv.FormatInt(sv.ID, 10), string(st)).Inc()
}

func (m *metrics) score(agent string, a Answer) {
	if a.Scale == ScaleOther {
		return
	}
	if agent == "" {
		agent = "none"
	}
	m.scores.WithLabelValues(agent, string(a.Scale)).Observe(float64(a.Value))
}
