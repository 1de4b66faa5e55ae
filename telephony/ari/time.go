package ari

import (
	"fmt"
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
	s := string(b)
	var firstErr error
	for _, layout := range timeLayouts {
		v, err := time.Parse(layout, s)
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
