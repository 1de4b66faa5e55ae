package main

import (
	"hotline/metrics"
	"hotline/telephony/ari"
	"hotline/telephony/spool"
)

// ariStats reads an ARI client's counters as /metrics exports them.
func ariStats(c *ari.Client) func() metrics.ARIStats {
	return func() metrics.ARIStats {
		st := c.Stats()
		return metrics.ARIStats{Connected: st.Connected, Reconnects: st.Reconnects, Events: st.Events,
			Unknown: st.Unknown, Malformed: st.Malformed}
	}
}

// spoolStats reads the spool's backlog as /metrics exports it.
func spoolStats(sp *spool.Spool) func() metrics.SpoolBacklog {
	return func() metrics.SpoolBacklog {
		st := sp.Stats()
		return metrics.SpoolBacklog{PendingRecords: st.PendingRecords, PendingBytes: st.PendingBytes}
	}
}
