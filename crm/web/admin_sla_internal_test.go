package web

import (
	"strings"
	"testing"
	"time"

	"hotline/crm/service"
	"hotline/internal/i18n"
)

func TestParseMinutes(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     int
		err      string
	}{
		{"plain minutes", "90", 90, ""},
		{"minutes", "30m", 30, ""},
		{"hours", "4h", 240, ""},
		{"hours and minutes", "1h30m", 90, ""},
		{"days are 24 hours", "2d", 2880, ""},
		{"spaces and capitals", " 1D 4H ", 1680, ""},
		{"empty", "", 0, "Required"},
		{"zero", "0m", 0, "must be more than 0"},
		{"over a year", "367d", 0, "at most 366d"},
		{"unknown unit", "4x", 0, "is not a duration"},
		{"number without unit", "1h30", 0, "30 has no unit"},
		{"unit without number", "h", 0, "write a number before h"},
		{"negative", "-5", 0, "must be more than 0"},
		{"decimal", "1.5h", 0, "is not a duration"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseMinutes(c.in)
			if c.err == "" && (err != nil || got != c.want) {
				t.Fatalf("parseMinutes(%q) = %d, %v; want %d", c.in, got, err, c.want)
			}
			if c.err != "" && (err == nil || !strings.Contains(err.text(english(t)), c.err)) {
				t.Fatalf("parseMinutes(%q) = %d, %v; want an error with %q", c.in, got, err, c.err)
			}
		})
	}
}

// TestMinutesTextReadsBack: every written target parses back to itself.
func TestMinutesTextReadsBack(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{30, "30m"}, {60, "1h"}, {90, "1h30m"}, {1440, "1d"}, {1680, "1d4h"}, {1441, "1d1m"}, {2400, "1d16h"}} {
		if got := minutesText(c.n); got != c.want {
			t.Errorf("minutesText(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	for n := 1; n <= 3*1440; n += 7 {
		if back, err := parseMinutes(minutesText(n)); err != nil || back != n {
			t.Fatalf("%d written as %q reads back as %d, %v", n, minutesText(n), back, err)
		}
	}
}

func TestHoursSummary(t *testing.T) {
	day := []service.Span{{From: 9 * 60, To: 18 * 60}}
	allDay := []service.Span{{From: 0, To: 1440}}
	split := []service.Span{{From: 9 * 60, To: 13 * 60}, {From: 14 * 60, To: 18 * 60}}
	for _, c := range []struct {
		name string
		h    service.WeekHours
		want string
	}{
		{"office", service.WeekHours{nil, day, day, day, day, day, nil}, "Mon–Fri 09:00-18:00"},
		{"round the clock", service.WeekHours{allDay, allDay, allDay, allDay, allDay, allDay, allDay}, "24/7"},
		{"weekends too", service.WeekHours{day, day, day, day, day, day, day}, "Mon–Sun 09:00-18:00"},
		{"mixed", service.WeekHours{nil, split, day, day, nil, day, allDay}, "Mon 09:00-13:00, 14:00-18:00; Tue–Wed 09:00-18:00; Fri 09:00-18:00; Sat 00:00-24:00"},
	} {
		if got := hoursSummary(english(t), c.h); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// english is the English Localizer the pages use in these tests.
func english(t *testing.T) *i18n.Localizer {
	t.Helper()
	cat, err := i18n.Load(i18n.Options{Default: i18n.English, Zone: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	return cat.For(i18n.English)
}
