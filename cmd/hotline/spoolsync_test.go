package main

import (
	"testing"
	"time"
)

// TestSpoolSyncSetting: HOTLINE_SPOOL_SYNC takes a duration from 0 (fsync
// every update) to 10 s, by default above the call log's write delay so
// that a PostgreSQL that keeps up spares every fsync.
func TestSpoolSyncSetting(t *testing.T) {
	for v, want := range map[string]time.Duration{"0": 0, "500ms": 500 * time.Millisecond, "2s": 2 * time.Second, "10s": 10 * time.Second} {
		var c Config
		if err := checkSpoolSync(v, &c); err != nil || c.SpoolSync != want || c.SpoolSyncAll != (want == 0) {
			t.Errorf("%q: %v, %v; want %v", v, c.SpoolSync, err, want)
		}
	}
	for _, v := range []string{"", "5", "-1s", "11s", "never"} {
		if err := checkSpoolSync(v, &Config{}); err == nil {
			t.Errorf("%q accepted", v)
		}
	}
	if defaultSpoolSync <= callLogDelay {
		t.Errorf("default HOTLINE_SPOOL_SYNC %v is not above the call log's write delay %v: every update would be fsynced", defaultSpoolSync, callLogDelay)
	}
}
