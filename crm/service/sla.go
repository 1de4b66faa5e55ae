package service

import (
	"fmt"
	"time"
	"unicode/utf8"

	"hotline/crm"
)

// Target is an SLA plan's targets for one priority, in business minutes.
type Target struct {
	ResponseMinutes   int `json:"response_minutes"`
	ResolutionMinutes int `json:"resolution_minutes"`
}

// ClockKind names one of a ticket's two SLA clocks.
type ClockKind string

// The SLA clocks.
const (
	ClockResponse   ClockKind = "response"
	ClockResolution ClockKind = "resolution"
)

// Level is an escalation rule: when Percent of a clock's target has passed
// in business time, it notifies the assignee, reassigns the ticket to the
// team lead and/or raises its priority. Percent >= 100 also records a breach.
type Level struct {
	Level          int       `json:"level"`
	Clock          ClockKind `json:"clock"`
	Percent        int       `json:"percent"`
	Notify         bool      `json:"notify"`
	ReassignToLead bool      `json:"reassign_to_lead"`
	RaisePriority  bool      `json:"raise_priority"`
}

// SLAPlan is a set of support conditions: targets per priority measured in
// the business hours and holidays of a time zone, and escalation levels.
type SLAPlan struct {
	ID       int64
	Name     string
	TimeZone string    // IANA name, e.g. Europe/Moscow
	Hours    WeekHours // per weekday, Sunday first
	Holidays []string  // local dates "2006-01-02"
	Targets  map[Priority]Target
	Levels   []Level
	Default  bool // used for clients and products without a plan
}

// Validate checks the plan: a known zone, open hours, sane holidays,
// targets for every priority and levels on known clocks.
func (p *SLAPlan) Validate() error {
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 200 || !validText(p.Name) {
		return crm.Invalid("name", "must be 1-200 characters")
	}
	if _, err := p.Calendar(); err != nil {
		return err
	}
	for _, pr := range Priorities {
		t, ok := p.Targets[pr]
		if !ok || t.ResponseMinutes <= 0 || t.ResolutionMinutes <= 0 {
			return crm.Invalid("targets", "%s needs positive response and resolution minutes", pr)
		}
		if t.ResponseMinutes > t.ResolutionMinutes {
			return crm.Invalid("targets", "%s: response target is longer than resolution", pr)
		}
	}
	for k := range p.Targets {
		if !k.Valid() {
			return crm.Invalid("targets", "%q is not a priority", k)
		}
	}
	seen := map[[2]any]bool{}
	for _, l := range p.Levels {
		if l.Clock != ClockResponse && l.Clock != ClockResolution {
			return crm.Invalid("levels", "clock must be response or resolution")
		}
		if l.Level < 1 || l.Level > 20 || l.Percent < 1 || l.Percent > 1000 {
			return crm.Invalid("levels", "level must be 1-20 and percent 1-1000")
		}
		key := [2]any{l.Clock, l.Level}
		if seen[key] {
			return crm.Invalid("levels", "level %d of the %s clock appears twice", l.Level, l.Clock)
		}
		seen[key] = true
	}
	return nil
}

// Calendar builds the plan's business calendar.
func (p *SLAPlan) Calendar() (Calendar, error) {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil || p.TimeZone == "" {
		return Calendar{}, crm.Invalid("time_zone", "%q is not a known IANA time zone", p.TimeZone)
	}
	c := Calendar{Location: loc, Hours: p.Hours, Holidays: map[string]bool{}}
	for _, h := range p.Holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			return Calendar{}, crm.Invalid("holidays", "%q is not a date YYYY-MM-DD", h)
		}
		c.Holidays[h] = true
	}
	if err := c.Validate(); err != nil {
		return Calendar{}, crm.Invalid("hours", "%v", err)
	}
	return c, nil
}

// Clocks are a ticket's SLA state. Due times are computed in business time
// from the ticket's creation plus the business time it spent waiting for the
// customer; while it waits (PausedAt set) no clock runs.
type Clocks struct {
	ResponseDue *time.Time
	ResolveDue  *time.Time
	RespondedAt *time.Time
	PausedAt    *time.Time
	// Paused is the business time spent waiting for the customer so far.
	Paused time.Duration
}

// due returns created + target + paused business time.
func due(cal Calendar, created time.Time, minutes int, paused time.Duration) (*time.Time, error) {
	t, ok := cal.Add(created, time.Duration(minutes)*time.Minute+paused)
	if !ok {
		return nil, fmt.Errorf("sla: no business hours within reach")
	}
	return &t, nil
}

// Recompute sets the due times for the ticket's priority and pause so far.
// While paused both dues are cleared; after the first response the response
// due stays as it was (it is history).
func (p *SLAPlan) Recompute(c *Clocks, created time.Time, pr Priority) error {
	if c.PausedAt != nil {
		c.ResolveDue = nil
		if c.RespondedAt == nil {
			c.ResponseDue = nil
		}
		return nil
	}
	cal, err := p.Calendar()
	if err != nil {
		return err
	}
	t := p.Targets[pr]
	if c.RespondedAt == nil {
		if c.ResponseDue, err = due(cal, created, t.ResponseMinutes, c.Paused); err != nil {
			return err
		}
	}
	c.ResolveDue, err = due(cal, created, t.ResolutionMinutes, c.Paused)
	return err
}

// Pause stops the clocks at now (the ticket waits for the customer).
func (p *SLAPlan) Pause(c *Clocks, now time.Time, created time.Time, pr Priority) error {
	if c.PausedAt != nil {
		return nil
	}
	c.PausedAt = &now
	return p.Recompute(c, created, pr)
}

// Resume restarts the clocks at now, adding the business time spent waiting.
func (p *SLAPlan) Resume(c *Clocks, now time.Time, created time.Time, pr Priority) error {
	if c.PausedAt == nil {
		return nil
	}
	cal, err := p.Calendar()
	if err != nil {
		return err
	}
	c.Paused += cal.Between(*c.PausedAt, now)
	c.PausedAt = nil
	return p.Recompute(c, created, pr)
}

// Timer is one escalation step scheduled for a ticket. Level 0 is the
// implicit breach check at 100% of a clock.
type Timer struct {
	Clock  ClockKind
	Level  int
	FireAt time.Time
}

// Timers returns the escalation steps still to schedule for a ticket with
// the given clocks: none while paused or once resolved; response steps only
// until the first response.
func (p *SLAPlan) Timers(c Clocks, created time.Time, pr Priority, open bool) ([]Timer, error) {
	if c.PausedAt != nil || !open {
		return nil, nil
	}
	cal, err := p.Calendar()
	if err != nil {
		return nil, err
	}
	t := p.Targets[pr]
	levels := append([]Level{{Level: 0, Clock: ClockResponse, Percent: 100}, {Level: 0, Clock: ClockResolution, Percent: 100}}, p.Levels...)
	var out []Timer
	for _, l := range levels {
		minutes := t.ResolutionMinutes
		if l.Clock == ClockResponse {
			if c.RespondedAt != nil {
				continue
			}
			minutes = t.ResponseMinutes
		}
		at, ok := cal.Add(created, time.Duration(minutes)*time.Minute*time.Duration(l.Percent)/100+c.Paused)
		if !ok {
			return nil, fmt.Errorf("sla: no business hours within reach")
		}
		out = append(out, Timer{Clock: l.Clock, Level: l.Level, FireAt: at})
	}
	return out, nil
}

// LevelOf returns the plan's level for a timer (level 0: breach only).
func (p *SLAPlan) LevelOf(clock ClockKind, level int) Level {
	for _, l := range p.Levels {
		if l.Clock == clock && l.Level == level {
			return l
		}
	}
	return Level{Level: level, Clock: clock, Percent: 100}
}

// Breaches reports whether a level marks a missed target.
func (l Level) Breaches() bool { return l.Percent >= 100 }

// StandardPlan is the default plan seeded by the migration: Monday to Friday
// 09:00-18:00 Moscow time.
func StandardPlan() SLAPlan {
	day := []Span{{From: 9 * 60, To: 18 * 60}}
	return SLAPlan{
		Name: "Standard", TimeZone: "Europe/Moscow", Default: true,
		Hours: WeekHours{nil, day, day, day, day, day, nil},
		Targets: map[Priority]Target{
			PriorityCritical: {ResponseMinutes: 30, ResolutionMinutes: 240},
			PriorityHigh:     {ResponseMinutes: 60, ResolutionMinutes: 480},
			PriorityNormal:   {ResponseMinutes: 240, ResolutionMinutes: 1440},
			PriorityLow:      {ResponseMinutes: 480, ResolutionMinutes: 2400},
		},
		Levels: []Level{
			{Level: 1, Clock: ClockResponse, Percent: 80, Notify: true},
			{Level: 1, Clock: ClockResolution, Percent: 80, Notify: true},
			{Level: 2, Clock: ClockResolution, Percent: 100, Notify: true, ReassignToLead: true, RaisePriority: true},
		},
	}
}

// PlanProduct is a product whose support terms name an SLA plan.
type PlanProduct struct {
	ID   int64
	SKU  string
	Name string
}

// PlanUsage is what an SLA plan applies to: the products whose support
// terms name it and the open tickets whose clocks it runs.
type PlanUsage struct {
	Products    []PlanProduct
	OpenTickets int
}
