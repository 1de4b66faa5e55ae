package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// UsedSeries gathers g without the per-agent series still at zero (every
// roster agent has them from start-up), so tests can compare what calls
// counted; TestAgentSeriesExistAtZero checks the zero series themselves.
type UsedSeries struct{ prometheus.Gatherer }

// Gather drops counters at 0 and histograms without samples.
func (u UsedSeries) Gather() ([]*dto.MetricFamily, error) {
	mfs, err := u.Gatherer.Gather()
	out := mfs[:0]
	for _, mf := range mfs {
		ms := mf.Metric[:0]
		for _, m := range mf.Metric {
			if (m.Counter != nil && m.GetCounter().GetValue() == 0) || (m.Histogram != nil && m.GetHistogram().GetSampleCount() == 0) {
				continue
			}
			ms = append(ms, m)
		}
		mf.Metric = ms
		if len(ms) > 0 {
			out = append(out, mf)
		}
	}
	return out, err
}
