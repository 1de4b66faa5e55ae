package telephony

import (
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	now := time.Date(2026, 11, 27, 22, 30, 0, 0, time.UTC) // 01:30 on the 28th in Moscow
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, msk) }
	for _, tc := range []struct {
		name, from, to string
		start, end     time.Time
		bad            bool
	}{
		{name: "today by default", start: day(28), end: day(29)},
		{name: "one day", from: "2026-11-27", start: day(27), end: day(28)},
		{name: "dates inclusive", from: "2026-11-01", to: "2026-11-27", start: day(1), end: day(28)},
		{name: "instants", from: "2026-11-27T09:00:00Z", to: "2026-11-27T10:00:00Z",
			start: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), end: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)},
		{name: "reversed", from: "2026-11-27", to: "2026-11-26", bad: true},
		{name: "garbage", from: "yesterday", bad: true},
		{name: "garbage to", to: "27.11.2026", bad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, e, err := ParsePeriod(tc.from, tc.to, now, msk)
			if tc.bad {
				if err == nil {
					t.Fatalf("no error for %q..%q", tc.from, tc.to)
				}
				return
			}
			if err != nil || !s.Equal(tc.start) || !e.Equal(tc.end) {
				t.Fatalf("= %v, %v, %v; want %v, %v", s, e, err, tc.start, tc.end)
			}
		})
	}
}
