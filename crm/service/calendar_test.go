package service

import (
	"testing"
	"time"

	"hotline/crm"
)

func moscowCalendar(t *testing.T) Calendar {
	t.Helper()
	p := StandardPlan()
	p.Holidays = []string{"2026-12-31", "2027-01-01", "2027-01-04"}
	c, err := p.Calendar()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func msk(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// 2026-11-27 is a Friday; 2026-12-31 (Thursday), 2027-01-01 (Friday) and
// 2027-01-04 (Monday) are holidays in the test calendar.
func TestCalendarAdd(t *testing.T) {
	c := moscowCalendar(t)
	tests := []struct {
		name  string
		start string
		d     time.Duration
		want  string
	}{
		{"within the day", "2026-11-26 10:00", 2 * time.Hour, "2026-11-26 12:00"},
		{"ends exactly at closing", "2026-11-26 16:00", 2 * time.Hour, "2026-11-26 18:00"},
		{"over the night", "2026-11-26 17:00", 2 * time.Hour, "2026-11-27 10:00"},
		{"created at night starts at opening", "2026-11-26 03:00", 30 * time.Minute, "2026-11-26 09:30"},
		{"created after closing", "2026-11-26 20:15", time.Hour, "2026-11-27 10:00"},
		{"over the weekend", "2026-11-27 17:30", time.Hour, "2026-11-30 09:30"},
		{"created on Saturday", "2026-11-28 12:00", 4 * time.Hour, "2026-11-30 13:00"},
		{"a full business day", "2026-11-26 09:00", 9 * time.Hour, "2026-11-26 18:00"},
		{"three business days", "2026-11-26 12:00", 27 * time.Hour, "2026-12-01 12:00"},
		{"over new year holidays and weekend", "2026-12-30 17:00", 2 * time.Hour, "2027-01-05 10:00"},
		{"created on a holiday", "2026-12-31 11:00", time.Hour, "2027-01-05 10:00"},
		{"zero duration keeps start", "2026-11-28 12:00", 0, "2026-11-28 12:00"},
		{"minute precision", "2026-11-26 17:59", 2 * time.Minute, "2026-11-27 09:01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := c.Add(msk(t, tt.start), tt.d)
			if !ok || !got.Equal(msk(t, tt.want)) {
				t.Fatalf("Add(%s, %v) = %v, %v; want %s", tt.start, tt.d, got.In(c.Location), ok, tt.want)
			}
			// Between is Add's inverse whenever start lies in business hours.
			if tt.d > 0 {
				if b := c.Between(msk(t, tt.start), got); b != tt.d {
					t.Fatalf("Between(%s, %v) = %v, want %v", tt.start, got, b, tt.d)
				}
			}
		})
	}
}

func TestCalendarBetween(t *testing.T) {
	c := moscowCalendar(t)
	tests := []struct {
		name     string
		from, to string
		want     time.Duration
	}{
		{"same hour", "2026-11-26 10:00", "2026-11-26 10:45", 45 * time.Minute},
		{"night counts nothing", "2026-11-26 18:00", "2026-11-27 09:00", 0},
		{"weekend counts nothing", "2026-11-27 18:00", "2026-11-30 09:00", 0},
		{"friday evening to monday morning", "2026-11-27 17:00", "2026-11-30 10:00", 2 * time.Hour},
		{"a week", "2026-11-23 00:00", "2026-11-30 00:00", 45 * time.Hour},
		{"holidays skipped", "2026-12-30 00:00", "2027-01-06 00:00", 18 * time.Hour},
		{"reversed is negative", "2026-11-26 11:00", "2026-11-26 10:00", -time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Between(msk(t, tt.from), msk(t, tt.to)); got != tt.want {
				t.Fatalf("Between = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCalendarSplitDayAndAroundTheClock(t *testing.T) {
	split, err := ParseSpans("09:00-13:00, 14:00-18:00")
	if err != nil {
		t.Fatal(err)
	}
	c := Calendar{Location: time.UTC, Hours: WeekHours{nil, split, split, split, split, split, nil}}
	start := time.Date(2026, 11, 26, 12, 30, 0, 0, time.UTC)
	if got, _ := c.Add(start, time.Hour); !got.Equal(time.Date(2026, 11, 26, 14, 30, 0, 0, time.UTC)) {
		t.Fatalf("lunch break not skipped: %v", got)
	}
	all, _ := ParseSpans("00:00-24:00")
	c24 := Calendar{Location: time.UTC, Hours: WeekHours{all, all, all, all, all, all, all}}
	if got, _ := c24.Add(start, 48*time.Hour); !got.Equal(start.Add(48 * time.Hour)) {
		t.Fatalf("24x7 calendar: %v", got)
	}
}

func TestCalendarRejectsBadHours(t *testing.T) {
	for _, s := range []string{"18:00-09:00", "9-18", "09:00-25:00", "09:00-12:00,11:00-13:00", "24:30-24:40"} {
		if _, err := ParseSpans(s); err == nil {
			t.Errorf("ParseSpans(%q) accepted", s)
		}
	}
	if err := (Calendar{}).Validate(); err == nil {
		t.Error("calendar without hours accepted")
	}
	if _, ok := (Calendar{Location: time.UTC}).Add(time.Now(), time.Hour); ok {
		t.Error("Add on a closed calendar reported ok")
	}
}

func TestClocksPauseWhileWaiting(t *testing.T) {
	p := StandardPlan()
	created := msk(t, "2026-11-26 10:00") // Thursday
	var c Clocks
	if err := p.Recompute(&c, created, PriorityHigh); err != nil {
		t.Fatal(err)
	}
	if !c.ResponseDue.Equal(msk(t, "2026-11-26 11:00")) || !c.ResolveDue.Equal(msk(t, "2026-11-26 18:00")) {
		t.Fatalf("dues %v %v", c.ResponseDue, c.ResolveDue)
	}
	// Waiting for the customer from 12:00 Thursday to 11:00 Friday: 7 business hours.
	if err := p.Pause(&c, msk(t, "2026-11-26 12:00"), created, PriorityHigh); err != nil {
		t.Fatal(err)
	}
	if c.ResolveDue != nil {
		t.Fatal("resolution due kept while paused")
	}
	if timers, _ := p.Timers(c, created, PriorityHigh, true); len(timers) != 0 {
		t.Fatalf("timers while paused: %v", timers)
	}
	if err := p.Resume(&c, msk(t, "2026-11-27 11:00"), created, PriorityHigh); err != nil {
		t.Fatal(err)
	}
	if c.Paused != 8*time.Hour {
		t.Fatalf("paused %v, want 8h (6h Thursday + 2h Friday)", c.Paused)
	}
	// 8h target + 8h paused from Thursday 10:00 → Monday... Thursday has 8h, Friday 9h: Friday 17:00.
	if want := msk(t, "2026-11-27 17:00"); !c.ResolveDue.Equal(want) {
		t.Fatalf("resolution due after resume %v, want %v", c.ResolveDue, want)
	}
	timers, err := p.Timers(c, created, PriorityHigh, true)
	if err != nil || len(timers) != 5 {
		t.Fatalf("timers %v %v", timers, err)
	}
}

func TestStatusWorkflow(t *testing.T) {
	tests := []struct {
		from, to Status
		ok       bool
	}{
		{StatusNew, StatusInProgress, true},
		{StatusInProgress, StatusWaiting, true},
		{StatusWaiting, StatusInProgress, true},
		{StatusResolved, StatusReopened, true},
		{StatusClosed, StatusReopened, true},
		{StatusClosed, StatusInProgress, false},
		{StatusResolved, StatusWaiting, false},
		{StatusNew, StatusReopened, false},
	}
	for _, tt := range tests {
		if got := tt.from.CanMoveTo(tt.to); got != tt.ok {
			t.Errorf("%s -> %s: %v, want %v", tt.from, tt.to, got, tt.ok)
		}
	}
}

func TestDefaultPriorityFromClassAndProduct(t *testing.T) {
	vip := &crm.PriorityClass{Code: "VIP", Rank: 0}
	c := &crm.PriorityClass{Code: "C", Rank: 3}
	tests := []struct {
		name  string
		class *crm.PriorityClass
		terms *SupportTerms
		want  Priority
	}{
		{"no class", nil, nil, PriorityNormal},
		{"vip", vip, nil, PriorityHigh},
		{"class C", c, nil, PriorityNormal},
		{"product more urgent", c, &SupportTerms{Priority: PriorityCritical}, PriorityCritical},
		{"product less urgent keeps class", vip, &SupportTerms{Priority: PriorityLow}, PriorityHigh},
	}
	for _, tt := range tests {
		if got := DefaultPriority(tt.class, tt.terms); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	until := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	terms := &SupportTerms{Until: until}
	if !terms.Active(until.Add(-time.Hour)) || terms.Active(until.Add(time.Hour)) || (*SupportTerms)(nil).Active(until) {
		t.Error("support period")
	}
}
