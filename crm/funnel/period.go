package funnel

import (
	"fmt"
	"time"

	"hotline/crm"
)

// PeriodKind is the length of a planning period.
type PeriodKind string

// The period kinds. Weeks start on Monday (ISO 8601).
const (
	Week    PeriodKind = "week"
	Month   PeriodKind = "month"
	Quarter PeriodKind = "quarter"
)

// Valid reports whether k is a known kind.
func (k PeriodKind) Valid() bool { return k == Week || k == Month || k == Quarter }

// Period is a week, month or quarter in a time zone: [Start, End).
// Start and End are local midnights, so a period that spans a daylight
// saving change is an hour shorter or longer than its nominal length.
type Period struct {
	Kind  PeriodKind
	Start time.Time
	End   time.Time
}

// PeriodOf returns the period of the kind that contains t, with its
// boundaries at midnight in loc.
func PeriodOf(kind PeriodKind, t time.Time, loc *time.Location) (Period, error) {
	if !kind.Valid() {
		return Period{}, crm.Invalid("period", "must be week, month or quarter")
	}
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	y, m, d := t.Date()
	var start time.Time
	switch kind {
	case Week:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		start = time.Date(y, m, d-back, 0, 0, 0, 0, loc)
	case Month:
		start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
	case Quarter:
		start = time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, loc)
	}
	return Period{Kind: kind, Start: start, End: advance(kind, start, 1)}, nil
}

// PeriodAt is the period of the kind that contains the calendar date.
func PeriodAt(kind PeriodKind, d Date, loc *time.Location) (Period, error) {
	if loc == nil {
		loc = time.UTC
	}
	// noon avoids any zone whose midnight does not exist on a DST day
	noon := time.Date(d.Year, time.Month(d.Month), d.Day, 12, 0, 0, 0, loc)
	return PeriodOf(kind, noon, loc)
}

func advance(kind PeriodKind, start time.Time, n int) time.Time {
	y, m, d := start.Date()
	switch kind {
	case Week:
		return time.Date(y, m, d+7*n, 0, 0, 0, 0, start.Location())
	case Month:
		return time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, start.Location())
	default:
		return time.Date(y, m+time.Month(3*n), 1, 0, 0, 0, 0, start.Location())
	}
}

// Shift returns the period n periods later (earlier when n < 0).
func (p Period) Shift(n int) Period {
	start := advance(p.Kind, p.Start, n)
	return Period{Kind: p.Kind, Start: start, End: advance(p.Kind, start, 1)}
}

// StartDate is the period's first calendar day, its key in plans.
func (p Period) StartDate() Date { return DateOf(p.Start) }

// EndDate is the first calendar day after the period.
func (p Period) EndDate() Date { return DateOf(p.End) }

// Label names the period: 2026-W48, 2026-11 or 2026-Q4.
func (p Period) Label() string {
	switch p.Kind {
	case Week:
		y, w := p.Start.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	case Month:
		return p.Start.Format("2006-01")
	default:
		return fmt.Sprintf("%d-Q%d", p.Start.Year(), (int(p.Start.Month())-1)/3+1)
	}
}

// HistoryPeriods is how many periods before a report's period its forecast
// learns conversion from: 12 weeks, 6 months or 4 quarters.
func HistoryPeriods(kind PeriodKind) int {
	switch kind {
	case Week:
		return 12
	case Month:
		return 6
	default:
		return 4
	}
}
