package screenpop

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the screen pop's Prometheus collectors.
type Metrics struct {
	latency prometheus.Histogram
	dropped prometheus.Counter
}

// NewMetrics registers the collectors on reg (never the global registry);
// a nil reg leaves them unregistered.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hotline_screenpop_latency_seconds",
			Help:    "Time from a ringing event received to the pop written on the agent's socket.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_screenpop_slow_consoles_dropped_total",
			Help: "Console sockets dropped because they did not keep up.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.latency, m.dropped)
	}
	return m
}

// Delivered records a message written on a socket at now: first pops (not
// replays) count towards the latency histogram.
func (m *Metrics) Delivered(msg Message, now time.Time) {
	if m == nil || msg.Replay || msg.Popped.IsZero() {
		return
	}
	m.latency.Observe(now.Sub(msg.Popped).Seconds())
}

// Dropped counts a console dropped as too slow.
func (m *Metrics) Dropped() {
	if m != nil {
		m.dropped.Inc()
	}
}
