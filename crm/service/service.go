// Package service is Hotline's service desk domain: customer requests
// (tickets) with their status workflow and history, SLA plans computed in
// business time, escalation levels, correspondence and knowledge-base
// articles. It holds plain types, their rules and the interfaces it
// consumes; storage lives in crm/postgres and transport in crm/httpapi.
package service

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"hotline/crm"
)

// Status is where a ticket is in its workflow.
type Status string

// The ticket statuses.
const (
	StatusNew        Status = "new"
	StatusInProgress Status = "in_progress"
	StatusWaiting    Status = "waiting" // waiting for the customer: SLA clocks pause
	StatusResolved   Status = "resolved"
	StatusClosed     Status = "closed"
	StatusReopened   Status = "reopened"
)

// Statuses lists every status in workflow order.
var Statuses = []Status{StatusNew, StatusInProgress, StatusWaiting, StatusResolved, StatusClosed, StatusReopened}

var transitions = map[Status][]Status{
	StatusNew:        {StatusInProgress, StatusWaiting, StatusResolved, StatusClosed},
	StatusInProgress: {StatusWaiting, StatusResolved, StatusClosed},
	StatusWaiting:    {StatusInProgress, StatusResolved, StatusClosed},
	StatusResolved:   {StatusClosed, StatusReopened},
	StatusClosed:     {StatusReopened},
	StatusReopened:   {StatusInProgress, StatusWaiting, StatusResolved, StatusClosed},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Open reports whether a ticket in this status still needs work.
func (s Status) Open() bool { return s != StatusResolved && s != StatusClosed }

// CanMoveTo reports whether the workflow allows going from s to next.
func (s Status) CanMoveTo(next Status) bool { return slices.Contains(transitions[s], next) }

// Priority is a ticket's urgency; it selects the SLA targets.
type Priority string

// The priorities, most urgent first.
const (
	PriorityCritical Priority = "critical"
	PriorityHigh     Priority = "high"
	PriorityNormal   Priority = "normal"
	PriorityLow      Priority = "low"
)

// Priorities lists every priority, most urgent first.
var Priorities = []Priority{PriorityCritical, PriorityHigh, PriorityNormal, PriorityLow}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return slices.Contains(Priorities, p) }

// Raise returns the next more urgent priority (critical stays critical).
func (p Priority) Raise() Priority {
	i := slices.Index(Priorities, p)
	if i <= 0 {
		return PriorityCritical
	}
	return Priorities[i-1]
}

// DefaultPriority derives a ticket's priority from the client's priority
// class (rank 0 such as VIP: high; rank 1: high; others: normal) and, when
// the ticket is about a product under support, the product's terms, which
// win when more urgent.
func DefaultPriority(class *crm.PriorityClass, terms *SupportTerms) Priority {
	p := PriorityNormal
	if class != nil && class.Rank <= 1 {
		p = PriorityHigh
	}
	if terms != nil && terms.Priority.Valid() && slices.Index(Priorities, terms.Priority) < slices.Index(Priorities, p) {
		p = terms.Priority
	}
	return p
}

// SupportTerms are a purchased product's support conditions: a priority,
// an SLA plan and the support period. Products live in another module, which
// supplies them through a ProductTerms implementation.
type SupportTerms struct {
	ProductID int64
	Product   string // the product's name, for the ticket's history
	Priority  Priority
	PlanID    *int64
	Bought    time.Time // the client's latest purchase of the product
	Until     time.Time // zero: no end
}

// ProductTerms looks up the support conditions of a client's purchased
// product (crm/postgres.Store). Nil terms mean the client never bought the
// product or it comes without support; terms whose period is over are
// returned with Until in the past (Active reports false), so the ticket's
// history can say the support has ended.
type ProductTerms interface {
	SupportTerms(ctx context.Context, clientID, productID int64) (*SupportTerms, error)
}

// Active reports whether the terms apply at t (the support period has not ended).
func (s *SupportTerms) Active(t time.Time) bool {
	return s != nil && (s.Until.IsZero() || !t.After(s.Until))
}

// Ticket is a customer request.
type Ticket struct {
	ID          int64
	ClientID    int64
	ProductID   *int64
	Subject     string
	Description string
	Category    string
	Priority    Priority
	Status      Status
	AssigneeID  *int64
	TeamID      *int64
	PlanID      *int64
	CreatedBy   *int64
	// Calls are the linkedids of the calls that raised or concern the ticket.
	Calls []string
	// PublicToken opens the customer's status page (/status/{token}).
	PublicToken string
	SLA         Clocks
	// ExternalRef names what opened the ticket automatically (a survey
	// answer, a missed call); a second ticket with the same ref is refused.
	ExternalRef string
	Reopens     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ResolvedAt  *time.Time
	ClosedAt    *time.Time
	// ClientName is filled by list queries for display.
	ClientName string
	// Terms are the product's support conditions, used when creating the
	// ticket: when active at its creation they give its default priority
	// and SLA plan; either way its history records them (EventSupport).
	// Not stored otherwise.
	Terms *SupportTerms

	// CallbackNumber is the E.164 number a callback request is to call
	// back: one open request per number, CallbackAttempts counting the
	// missed calls it answers.
	CallbackNumber   string
	CallbackAttempts int
	// Late is filled by list queries: overdue at the store's clock.
	Late bool
}

// NextDue is the earliest due time the ticket's running clocks have: the
// response due while not answered, the resolution due; nil when none runs
// (closed, resolved, waiting for the customer).
func (t *Ticket) NextDue() *time.Time {
	if !t.Status.Open() || t.SLA.PausedAt != nil {
		return nil
	}
	due := t.SLA.ResolveDue
	if r := t.SLA.ResponseDue; r != nil && t.SLA.RespondedAt == nil && (due == nil || r.Before(*due)) {
		due = r
	}
	return due
}

// Overdue reports whether a running clock of the ticket is past due at now.
func (t *Ticket) Overdue(now time.Time) bool {
	d := t.NextDue()
	return d != nil && d.Before(now)
}

// Validate checks and tidies the ticket's own fields.
func (t *Ticket) Validate() error {
	t.Subject = strings.TrimSpace(t.Subject)
	t.Category = strings.TrimSpace(t.Category)
	switch {
	case t.ClientID <= 0:
		return crm.Invalid("client_id", "is required")
	case t.Subject == "":
		return crm.Invalid("subject", "is required")
	case utf8.RuneCountInString(t.Subject) > 300:
		return crm.Invalid("subject", "must be at most 300 characters")
	case utf8.RuneCountInString(t.Description) > 50000:
		return crm.Invalid("description", "must be at most 50000 characters")
	case utf8.RuneCountInString(t.Category) > 100:
		return crm.Invalid("category", "must be at most 100 characters")
	case t.Priority != "" && !t.Priority.Valid():
		return crm.Invalid("priority", "must be one of critical, high, normal, low")
	case t.Status != "" && !t.Status.Valid():
		return crm.Invalid("status", "is not a known status")
	case len(t.Calls) > 50:
		return crm.Invalid("calls", "at most 50 calls")
	}
	for _, f := range []struct{ name, v string }{{"subject", t.Subject}, {"description", t.Description}, {"category", t.Category}} {
		if !validText(f.v) {
			return crm.Invalid(f.name, "contains invalid characters")
		}
	}
	for _, c := range t.Calls {
		if c == "" || utf8.RuneCountInString(c) > 100 || !validText(c) {
			return crm.Invalid("calls", "each call id must be 1-100 characters")
		}
	}
	return nil
}

// validText rejects invalid UTF-8 and NUL bytes (PostgreSQL refuses both)
// and bidirectional overrides (see crm.CheckText).
func validText(s string) bool { return crm.ValidText(s) }

// TicketFilter selects tickets. Zero values select everything the viewer may see.
type TicketFilter struct {
	Status     []Status
	OpenOnly   bool
	Priority   Priority
	ClientID   int64
	AssigneeID int64
	TeamID     int64
	Query      string // subject words
	After      string // opaque cursor
	Limit      int
	// Viewer restricts the list to what the user may see (nil: everything).
	Viewer *Viewer
	// Overdue keeps open requests past a due time at Now (response due
	// and not yet answered, or resolution due), not paused.
	Overdue bool
	// ByDue orders by the next due time, earliest first (overdue ones on
	// top, requests without a running clock last) instead of newest first.
	ByDue bool
	Now   time.Time // for Overdue; the store's clock when zero
}

// Viewer is who asks: agents see tickets of their teams and their own;
// supervisors and admins see all.
type Viewer struct {
	UserID int64
	Role   crm.Role
}

// SeesAll reports whether the viewer sees every ticket.
func (v *Viewer) SeesAll() bool {
	return v == nil || v.Role == crm.RoleSupervisor || v.Role == crm.RoleAdmin
}

// TicketUpdate is a change to a ticket; nil fields stay as they are.
type TicketUpdate struct {
	Status     *Status
	Priority   *Priority
	AssigneeID *int64 // 0 unassigns
	TeamID     *int64 // 0 removes the team
	Category   *string
	Subject    *string
	Comment    string // optional note recorded with the change
}

// Validate checks the update's values.
func (u TicketUpdate) Validate() error {
	if u.Status != nil && !u.Status.Valid() {
		return crm.Invalid("status", "must be one of new, in_progress, waiting, resolved, closed, reopened")
	}
	if u.Priority != nil && !u.Priority.Valid() {
		return crm.Invalid("priority", "must be one of critical, high, normal, low")
	}
	if u.Subject != nil && (strings.TrimSpace(*u.Subject) == "" || len(*u.Subject) > 300 || !validText(*u.Subject)) {
		return crm.Invalid("subject", "must be 1-300 characters")
	}
	if u.Category != nil && (len(*u.Category) > 100 || !validText(*u.Category)) {
		return crm.Invalid("category", "must be at most 100 characters")
	}
	if utf8.RuneCountInString(u.Comment) > 50000 || !validText(u.Comment) {
		return crm.Invalid("comment", "must be at most 50000 characters of text")
	}
	return nil
}

// Team is a group of agents with a lead, who receives escalations.
type Team struct {
	ID      int64
	Name    string
	LeadID  *int64
	Members []int64
}

// TeamUpdate changes a team; nil fields stay as they are. A LeadID of 0
// leaves the team without a lead; any other lead becomes a member too, as
// on creation.
type TeamUpdate struct {
	Name   *string
	LeadID *int64
}

// EventKind is the type of an entry in a ticket's history and thread.
type EventKind string

// The event kinds.
const (
	EventCreated   EventKind = "created"
	EventChange    EventKind = "change"    // a field changed: Field, Old, New
	EventComment   EventKind = "comment"   // an internal comment or an agent's answer
	EventEmailIn   EventKind = "email_in"  // a customer's email
	EventEmailOut  EventKind = "email_out" // an email sent to the customer
	EventCall      EventKind = "call"      // a call linked to the ticket
	EventEscalated EventKind = "escalated" // an escalation level fired
	EventBreach    EventKind = "breach"    // an SLA target was missed
	EventArticle   EventKind = "article"   // a knowledge-base article linked as the solution
	EventSupport   EventKind = "support"   // the product support terms the ticket was opened under
)

// Event is one entry in a ticket's history: a change, a message or a call.
type Event struct {
	ID       int64
	TicketID int64
	At       time.Time
	UserID   *int64
	UserName string
	Kind     EventKind
	Field    string
	Old      string
	New      string
	Body     string
	// Email fields for email_in/email_out.
	From    string
	To      string
	Subject string
	// MessageID deduplicates inbound emails delivered twice.
	MessageID string
	// Public marks entries the customer may see on the status page.
	Public bool
}
