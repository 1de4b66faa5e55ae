package telephony

import (
	"fmt"
	"time"
)

// ParsePeriod reads a report period from two query values. Each is a date
// (2026-11-27, in loc; to is inclusive: the day is reported whole) or an
// RFC 3339 instant (to exclusive). Empty from means the start of today in
// loc, empty to the end of from's day. The result is [start, end).
func ParsePeriod(from, to string, now time.Time, loc *time.Location) (start, end time.Time, err error) {
	if loc == nil {
		loc = time.Local
	}
	if from == "" {
		y, m, d := now.In(loc).Date()
		start = time.Date(y, m, d, 0, 0, 0, 0, loc)
	} else if start, _, err = parseBound(from, loc); err != nil {
		return start, end, fmt.Errorf("from: %w", err)
	}
	if to == "" {
		y, m, d := start.In(loc).Date()
		end = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	} else {
		var isDate bool
		if end, isDate, err = parseBound(to, loc); err != nil {
			return start, end, fmt.Errorf("to: %w", err)
		}
		if isDate {
			end = end.AddDate(0, 0, 1)
		}
	}
	if !end.After(start) {
		return start, end, fmt.Errorf("to: must be after from")
	}
	return start, end, nil
}

func parseBound(s string, loc *time.Location) (time.Time, bool, error) {
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, true, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, false, fmt.Errorf("%q is neither a date (2006-01-02) nor an RFC 3339 time", s)
	}
	return t, false, nil
}
