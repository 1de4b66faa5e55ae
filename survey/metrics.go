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
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		responses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_survey_responses_total", Help: "Survey responses by survey id and final state.",
		}, []string{"survey", "state"}),
		scores: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hotline_survey_score", Help: "Survey answers by agent and scale (csat 1-5, nps 0-10).",
			Buckets: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		}, []string{"agent", "scale"}),
	}
	if reg != nil {
		reg.MustRegister(m.responses, m.scores)
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
