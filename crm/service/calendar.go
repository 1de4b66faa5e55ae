package service

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Span is one stretch of business hours within a day, in minutes from local
// midnight: From is inclusive, To exclusive, 0 <= From < To <= 1440.
type Span struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// WeekHours are the business hours of each weekday, indexed by time.Weekday
// (Sunday first). A day without spans is closed.
type WeekHours [7][]Span

// Calendar answers business-time questions: it adds a business duration to
// an instant and measures the business time between two instants, skipping
// nights, closed weekdays and holidays, in the calendar's time zone.
type Calendar struct {
	Location *time.Location
	Hours    WeekHours
	Holidays map[string]bool // local dates "2006-01-02"
}

// maxCalendarDays bounds every walk so that a calendar with no open hours
// (rejected by Validate) cannot loop forever.
const maxCalendarDays = 3 * 366

// ParseSpans parses "09:00-18:00,19:00-21:00" into spans; "" is a closed day.
func ParseSpans(s string) ([]Span, error) {
	var out []Span
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		from, to, ok := strings.Cut(part, "-")
		if !ok {
			return nil, fmt.Errorf("%q is not HH:MM-HH:MM", part)
		}
		f, err := parseClock(from)
		if err != nil {
			return nil, err
		}
		t, err := parseClock(to)
		if err != nil {
			return nil, err
		}
		out = append(out, Span{From: f, To: t})
	}
	return out, validSpans(out)
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", s)
	}
	return hh*60 + mm, nil
}

// validSpans checks that spans are in range, non-empty, sorted and disjoint.
func validSpans(spans []Span) error {
	for i, s := range spans {
		if s.From < 0 || s.To > 1440 || s.From >= s.To {
			return fmt.Errorf("span %02d:%02d-%02d:%02d is empty or outside the day", s.From/60, s.From%60, s.To/60, s.To%60)
		}
		if i > 0 && s.From < spans[i-1].To {
			return fmt.Errorf("spans overlap or are not in order")
		}
	}
	return nil
}

// Validate checks the calendar's hours and that it is open at all.
func (c Calendar) Validate() error {
	open := false
	for _, day := range c.Hours {
		if err := validSpans(day); err != nil {
			return err
		}
		open = open || len(day) > 0
	}
	if !open {
		return fmt.Errorf("no business hours on any weekday")
	}
	return nil
}

func (c Calendar) loc() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// openSpans returns the business intervals of the local day containing t.
func (c Calendar) openSpans(y int, m time.Month, d int) [][2]time.Time {
	loc := c.loc()
	day := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if c.Holidays[day.Format(time.DateOnly)] {
		return nil
	}
	var out [][2]time.Time
	for _, s := range c.Hours[day.Weekday()] {
		from := time.Date(y, m, d, s.From/60, s.From%60, 0, 0, loc)
		to := time.Date(y, m, d, s.To/60, s.To%60, 0, 0, loc) // 24:00 normalises to the next midnight
		out = append(out, [2]time.Time{from, to})
	}
	return out
}

// Add returns the instant at which d of business time has passed after
// start. A zero or negative d returns start. ok is false when the calendar
// has no open hours within about three years.
func (c Calendar) Add(start time.Time, d time.Duration) (t time.Time, ok bool) {
	if d <= 0 {
		return start, true
	}
	local := start.In(c.loc())
	y, m, day := local.Date()
	for i := 0; i < maxCalendarDays; i++ {
		for _, sp := range c.openSpans(y, m, day+i) {
			if !start.Before(sp[1]) {
				continue
			}
			from := sp[0]
			if start.After(from) {
				from = start
			}
			avail := sp[1].Sub(from)
			if d <= avail {
				return from.Add(d), true
			}
			d -= avail
		}
	}
	return time.Time{}, false
}

// Between returns the business time from a to b (negative when b is before a).
func (c Calendar) Between(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -c.Between(b, a)
	}
	local := a.In(c.loc())
	y, m, day := local.Date()
	var total time.Duration
	for i := 0; i < maxCalendarDays; i++ {
		dayStart := time.Date(y, m, day+i, 0, 0, 0, 0, c.loc())
		if !dayStart.Before(b) {
			break
		}
		for _, sp := range c.openSpans(y, m, day+i) {
			from, to := sp[0], sp[1]
			if from.Before(a) {
				from = a
			}
			if to.After(b) {
				to = b
			}
			if to.After(from) {
				total += to.Sub(from)
			}
		}
	}
	return total
}

// HolidayList returns the calendar's holidays sorted.
func (c Calendar) HolidayList() []string {
	out := make([]string, 0, len(c.Holidays))
	for d := range c.Holidays {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}
