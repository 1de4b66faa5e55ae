// Package funnel is Hotline's sales funnel domain: funnels with ordered
// stages, deals that move through them (every stage change kept with its
// time), activities, plans per period for the company and per salesperson,
// period arithmetic in a time zone, and the report built from counted stage
// entries: plan against actual, fulfilment, conversion from each stage to the
// next, and a forecast. It has plain types and pure functions; storage is in
// crm/postgres and transport in crm/httpapi and crm/web.
//
// Counting rule: a deal enters a stage the first time it reaches that stage
// or a later one. A skipped stage therefore counts as entered at the time of
// the skip, and a deal that goes back and forward again is not counted twice,
// so each stage's count is never larger than the previous stage's over a
// deal's life, and conversion is at most 100%.
package funnel

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"hotline/crm"
)

// Funnel is a sales process: a named, ordered list of stages.
type Funnel struct {
	ID      int64   `json:"id"`
	Name    string  `json:"name"`
	Default bool    `json:"default"`
	Stages  []Stage `json:"stages"`
}

// Stage is one step of a funnel. Position counts from 1.
type Stage struct {
	ID       int64  `json:"id"`
	Position int    `json:"position"`
	Name     string `json:"name"`
}

// MaxStages caps the stages of one funnel.
const MaxStages = 20

// Validate checks the funnel's name and stages and numbers the stages in
// their order.
func (f *Funnel) Validate() error {
	f.Name = strings.TrimSpace(f.Name)
	if err := text("name", f.Name, 1, 100); err != nil {
		return err
	}
	if len(f.Stages) < 2 || len(f.Stages) > MaxStages {
		return crm.Invalid("stages", "a funnel needs 2 to %d stages", MaxStages)
	}
	seen := map[string]bool{}
	ids := map[int64]bool{}
	for i := range f.Stages {
		s := &f.Stages[i]
		s.Name = strings.TrimSpace(s.Name)
		field := fmt.Sprintf("stages[%d].name", i)
		if err := text(field, s.Name, 1, 100); err != nil {
			return err
		}
		if seen[strings.ToLower(s.Name)] {
			return crm.Invalid(field, "%q appears twice", s.Name)
		}
		seen[strings.ToLower(s.Name)] = true
		if s.ID != 0 {
			if ids[s.ID] {
				return crm.Invalid(fmt.Sprintf("stages[%d].id", i), "stage %d appears twice", s.ID)
			}
			ids[s.ID] = true
		}
		s.Position = i + 1
	}
	return nil
}

// StageByID returns the stage with the id.
func (f Funnel) StageByID(id int64) (Stage, bool) {
	for _, s := range f.Stages {
		if s.ID == id {
			return s, true
		}
	}
	return Stage{}, false
}

// Last is the final stage (the signed deal).
func (f Funnel) Last() Stage {
	if len(f.Stages) == 0 {
		return Stage{}
	}
	return f.Stages[len(f.Stages)-1]
}

// Status is where a deal stands.
type Status string

// The deal statuses. A won deal is in the funnel's last stage.
const (
	StatusOpen Status = "open"
	StatusWon  Status = "won"
	StatusLost Status = "lost"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == StatusOpen || s == StatusWon || s == StatusLost }

// Deal is an opportunity: a client, the salesperson who owns it, its funnel
// and current stage, the money at stake and how it ended.
type Deal struct {
	ID            int64     `json:"id"`
	ClientID      int64     `json:"client_id"`
	ClientName    string    `json:"client_name,omitempty"`
	OwnerID       int64     `json:"salesperson_id"`
	OwnerName     string    `json:"salesperson_name,omitempty"`
	FunnelID      int64     `json:"funnel_id"`
	StageID       int64     `json:"stage_id"`
	StageName     string    `json:"stage_name,omitempty"`
	Title         string    `json:"title"`
	Amount        Money     `json:"amount"`
	Currency      string    `json:"currency"`
	ExpectedClose *Date     `json:"expected_close,omitempty"`
	Status        Status    `json:"status"`
	LostReason    string    `json:"lost_reason,omitempty"`
	Source        string    `json:"source,omitempty"` // "call" when opened by a first call
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	ClosedAt      time.Time `json:"closed_at,omitzero"`
}

// Validate checks the deal's own fields (the store checks references).
func (d *Deal) Validate() error {
	if d.ClientID <= 0 {
		return crm.Invalid("client_id", "is required")
	}
	if d.OwnerID <= 0 {
		return crm.Invalid("salesperson_id", "is required")
	}
	d.Title = strings.TrimSpace(d.Title)
	if err := text("title", d.Title, 0, 200); err != nil {
		return err
	}
	if d.Amount < 0 {
		return crm.Invalid("amount", "must not be negative")
	}
	if d.Amount > MaxMoney {
		return crm.Invalid("amount", "is too large")
	}
	d.Currency = strings.ToUpper(strings.TrimSpace(d.Currency))
	if d.Currency == "" {
		d.Currency = "RUB"
	}
	if !isCurrency(d.Currency) {
		return crm.Invalid("currency", "must be a three-letter ISO 4217 code such as RUB")
	}
	if d.Status == "" {
		d.Status = StatusOpen
	}
	if !d.Status.Valid() {
		return crm.Invalid("status", "must be open, won or lost")
	}
	d.LostReason = strings.TrimSpace(d.LostReason)
	if err := text("lost_reason", d.LostReason, 0, 500); err != nil {
		return err
	}
	if d.Status == StatusLost && d.LostReason == "" {
		return crm.Invalid("lost_reason", "say why the deal was lost")
	}
	if d.Status != StatusLost {
		d.LostReason = ""
	}
	return nil
}

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// StageChange is one move of a deal: from a stage (none when the deal was
// created) to another, at a time, by a user, while a salesperson owned it.
type StageChange struct {
	ID        int64     `json:"id"`
	DealID    int64     `json:"deal_id"`
	FromStage *int64    `json:"from_stage_id,omitempty"`
	ToStage   int64     `json:"to_stage_id"`
	ToName    string    `json:"to_stage_name,omitempty"`
	OwnerID   int64     `json:"salesperson_id"`
	UserID    *int64    `json:"user_id,omitempty"`
	At        time.Time `json:"at"`
}

// ActivityKind is what was done for a deal.
type ActivityKind string

// The activity kinds. Calls come from the call log (any call with the
// deal's client); the others are logged by hand.
const (
	ActivityCall    ActivityKind = "call"
	ActivityMeeting ActivityKind = "meeting"
	ActivityOffer   ActivityKind = "offer"
	ActivityNote    ActivityKind = "note"
)

// Activity is a call, meeting, offer sent or note about a deal.
type Activity struct {
	ID     int64        `json:"id,omitempty"`
	DealID int64        `json:"deal_id"`
	Kind   ActivityKind `json:"kind"`
	At     time.Time    `json:"at"`
	UserID *int64       `json:"user_id,omitempty"`
	Note   string       `json:"note,omitempty"`
	CallID int64        `json:"call_id,omitempty"`
}

// Validate checks a hand-logged activity.
func (a *Activity) Validate() error {
	switch a.Kind {
	case ActivityMeeting, ActivityOffer, ActivityNote:
	default:
		return crm.Invalid("kind", "must be meeting, offer or note (calls come from the call log)")
	}
	a.Note = strings.TrimSpace(a.Note)
	return text("note", a.Note, 0, 2000)
}

// Settings are the funnel's company-wide settings.
type Settings struct {
	// TimeZone is where days, weeks, months and quarters begin (IANA name).
	TimeZone string `json:"time_zone"`
	// AutoOpenDeals opens a deal at the first stage of the default funnel
	// when the first logged call with a new client ends.
	AutoOpenDeals bool `json:"auto_open_deals"`
}

// Validate checks the settings.
func (s *Settings) Validate() error {
	s.TimeZone = strings.TrimSpace(s.TimeZone)
	if s.TimeZone == "" {
		s.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || strings.EqualFold(s.TimeZone, "local") {
		return crm.Invalid("time_zone", "%q is not an IANA time zone such as Europe/Moscow", s.TimeZone)
	}
	return nil
}

func text(field, s string, minLen, maxLen int) error {
	if !crm.ValidText(s) {
		return crm.Invalid(field, "must be valid text")
	}
	n := utf8.RuneCountInString(s)
	if n < minLen {
		return crm.Invalid(field, "is required")
	}
	if n > maxLen {
		return crm.Invalid(field, "must be at most %d characters", maxLen)
	}
	return nil
}
