package ari

import (
	"fmt"
	"sync"
	"time"
)

// TimeLayout is the layout of every ARI timestamp, e.g. "2026-11-27T03:09:32.788+0000".
const TimeLayout = "2006-01-02T15:04:05.000-0700"

// Time is an ARI timestamp. It parses Asterisk's format (milliseconds and a
// numeric zone without colon) and marshals back in the same format.
type Time struct{ time.Time }

// MarshalJSON writes t in Asterisk's timestamp format.
func (t Time) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(TimeLayout)+2)
	b = append(b, '"')
	b = t.AppendFormat(b, TimeLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON parses an ARI timestamp; null and "" give the zero Time.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("ari: timestamp %.40q is not a JSON string", b)
	}
	return t.parse(b[1 : len(b)-1])
}

// MarshalText writes t in Asterisk's timestamp format.
func (t Time) MarshalText() ([]byte, error) {
	return t.AppendFormat(nil, TimeLayout), nil
}

// UnmarshalText parses an ARI timestamp; "" gives the zero Time.
func (t *Time) UnmarshalText(b []byte) error { return t.parse(b) }

// timeLayouts are tried in order: Asterisk's own, then RFC 3339 forms.
var timeLayouts = []string{TimeLayout, "2006-01-02T15:04:05-0700", time.RFC3339Nano}

func (t *Time) parse(b []byte) error {
	if len(b) == 0 {
		t.Time = time.Time{}
		return nil
	}
	if v, ok := parseARITime(b); ok {
		t.Time = v
		return nil
	}
	s := string(b)
	var firstErr error
	for _, layout := range timeLayouts {
		v, err := time.Parse(layout, s)
		if err == nil {
			v = inZone(v)
		}
		if err == nil {
			t.Time = v
			return nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return fmt.Errorf("ari: timestamp: %w", firstErr)
}

// parseARITime parses exactly "2006-01-02T15:04:05.000-0700" without
// time.Parse's cost; ok is false for anything else, which then goes to
// time.Parse.
func parseARITime(b []byte) (time.Time, bool) {
	if len(b) != len(TimeLayout) || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' ||
		b[16] != ':' || b[19] != '.' || (b[23] != '+' && b[23] != '-') {
		return time.Time{}, false
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	ms, ok7 := digits(b[20:23])
	zh, ok8 := digits(b[24:26])
	zm, ok9 := digits(b[26:28])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && ok8 && ok9) ||
		month < 1 || month > 12 || day < 1 || day > 28 && day > daysIn(month, year) ||
		hour > 23 || minute > 59 || sec > 59 || zh > 23 || zm > 59 {
		return time.Time{}, false
	}
	offset := (zh*60 + zm) * 60
	if b[23] == '-' {
		offset = -offset
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, ms*1e6, zone(offset)), true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// zones caches one fixed zone per UTC offset seen (bounded: offsets are
// whole minutes within ±24h).
var zones sync.Map // int → *time.Location

// zone returns UTC for offset 0 and a cached fixed zone otherwise, so that
// equal timestamps decode to equal time.Time values.
func zone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	if l, ok := zones.Load(offset); ok {
		return l.(*time.Location)
	}
	l, _ := zones.LoadOrStore(offset, time.FixedZone("", offset))
	return l.(*time.Location)
}

// inZone moves a time.Parse result to the same location parseARITime would use.
func inZone(v time.Time) time.Time {
	_, off := v.Zone()
	return v.In(zone(off))
}
