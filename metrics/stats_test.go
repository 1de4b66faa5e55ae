package metrics_test

import (
	"hotline/metrics"
	"hotline/telephony/ari"
)

// ariStats reads c's counters as /metrics exports them (as cmd/hotline does).
func ariStats(c interface{ Stats() ari.Stats }) func() metrics.ARIStats {
	return func() metrics.ARIStats {
		st := c.Stats()
		return metrics.ARIStats{Connected: st.Connected, Reconnects: st.Reconnects, Events: st.Events,
			Unknown: st.Unknown, Malformed: st.Malformed}
	}
}
