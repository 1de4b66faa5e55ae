package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/notify"
	"hotline/crm/service"
)

// Opening a ticket costs two round trips: one batch reads what the new
// ticket needs (its client's priority class, its SLA plan, its id, whom to
// tell), then one batch writes it whole (the ticket, its history, calls,
// timers, notices and timeline entry), which PostgreSQL runs as one
// implicit transaction: a failing statement undoes them all.

// CreateTicket records a new ticket: the priority defaults from the client's
// priority class, the SLA plan from the client (else the default plan), the
// due times and escalation timers start, the history gets its first entry,
// the linked calls are attached and the client's timeline gets an entry.
func (s *TicketService) CreateTicket(ctx context.Context, t *service.Ticket) error {
	if err := t.Validate(); err != nil {
		return err
	}
	now := s.db.now()
	// A ticket may start in the past (a missed call's callback): its
	// clocks run from then, and its product's support counts as of then.
	if t.CreatedAt.IsZero() || t.CreatedAt.After(now) {
		t.CreatedAt = now
	}
	terms := service.TermsOutcome{Terms: t.Terms, Active: t.Terms.Active(t.CreatedAt)}
	var active *service.SupportTerms
	if terms.Active {
		active = t.Terms
	}
	planFromTerms := t.PlanID == nil && active != nil && active.PlanID != nil
	if planFromTerms {
		t.PlanID = active.PlanID
	}
	o, err := s.readOpening(ctx, t)
	if err != nil {
		return err
	}
	if t.Priority == "" {
		t.Priority = service.DefaultPriority(o.class, active)
		if t.Priority != service.DefaultPriority(o.class, nil) {
			terms.Priority = t.Priority
		}
	}
	t.PlanID = &o.plan.ID
	if planFromTerms {
		terms.Plan = o.plan.Name
	}
	t.Status, t.UpdatedAt = service.StatusNew, now
	t.PublicToken = newPublicToken()
	t.SLA = service.Clocks{}
	if err := o.plan.Recompute(&t.SLA, t.CreatedAt, t.Priority); err != nil {
		return err
	}
	timers, err := o.plan.Timers(t.SLA, t.CreatedAt, t.Priority, t.Status.Open())
	if err != nil {
		return err
	}
	t.ID = o.id
	b := &pgx.Batch{}
	queueTicket(b, t)
	queueEvents(b, openingEvents(t, terms))
	queueCallLinks(b, t.ID, t.Calls, now, t.CreatedBy)
	queueTimers(b, t.ID, timers, false)
	queueOpeningNotices(b, t, o, now)
	if err := ticketError(s.db.pool.SendBatch(ctx, b).Close(), "create ticket"); err != nil {
		t.ID = 0
		return err
	}
	return nil
}

// opening is what a new ticket needs read before it is written.
type opening struct {
	id       int64
	class    *crm.PriorityClass // the client's priority class; nil when none
	plan     service.SLAPlan
	customer *customerContacts // nil when the customer is not told
	assignee *staff            // nil when nobody is told of the assignment
}

// readOpening reads, in one round trip, the new ticket's id, its client's
// priority class (a client not found is invalid), its SLA plan (its own,
// the client's, else the default) and the contacts of whom its opening is
// told: the customer (not of a callback request) and the assignee, unless
// they opened it.
func (s *TicketService) readOpening(ctx context.Context, t *service.Ticket) (opening, error) {
	var o opening
	b := &pgx.Batch{}
	b.Queue(`SELECT p.code IS NOT NULL, coalesce(p.code, ''), coalesce(p.rank, 0)
		FROM clients c LEFT JOIN priority_classes p ON p.code = c.priority WHERE c.id = $1`, t.ClientID).
		QueryRow(func(r pgx.Row) error {
			var has bool
			var class crm.PriorityClass
			err := r.Scan(&has, &class.Code, &class.Rank)
			if err == pgx.ErrNoRows {
				return crm.Invalid("client_id", "client %d not found", t.ClientID)
			}
			if has {
				o.class = &class
			}
			return translate(err, "ticket client")
		})
	b.Queue(planForSQL, t.PlanID, t.ClientID).QueryRow(func(r pgx.Row) error {
		var err error
		o.plan, err = scanPlan(r)
		return translate(err, "sla plan of ticket")
	})
	b.Queue(`SELECT nextval(pg_get_serial_sequence('tickets', 'id'))`).QueryRow(func(r pgx.Row) error {
		return translate(r.Scan(&o.id), "ticket id")
	})
	if t.Category != CallbackCategory { // the callback itself answers a missed call
		b.Queue(customerContactsSQL, t.ClientID).QueryRow(func(r pgx.Row) error {
			var c customerContacts
			err := r.Scan(&c.pref, &c.lang, &c.email, &c.phone)
			o.customer = &c
			return translate(err, "client contacts")
		})
	}
	if a := t.AssigneeID; a != nil && (t.CreatedBy == nil || *t.CreatedBy != *a) {
		b.Queue(`SELECT email, language, disabled FROM users WHERE id = $1`, *a).QueryRow(func(r pgx.Row) error {
			u := staff{id: *a}
			err := r.Scan(&u.email, &u.lang, &u.disabled)
			if err == pgx.ErrNoRows {
				return nil
			}
			o.assignee = &u
			return translate(err, "notified user")
		})
	}
	err := s.db.pool.SendBatch(ctx, b).Close()
	var ce *crm.Error
	if err != nil && !errors.As(err, &ce) {
		err = translate(err, "open ticket")
	}
	return o, err
}

// queueTicket queues the new ticket's row, with the id read beforehand.
func queueTicket(b *pgx.Batch, t *service.Ticket) {
	b.Queue(`INSERT INTO tickets (id, client_id, product_id, subject, description, category, priority, status,
		assignee_id, team_id, plan_id, created_by, public_token, response_due, resolve_due, created_at, updated_at, external_ref,
		callback_number, callback_attempts) OVERRIDING SYSTEM VALUE
		VALUES ($19, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $17, nullif($16, ''), nullif($18, ''),
		CASE WHEN $18 = '' THEN 0 ELSE 1 END)`,
		t.ClientID, t.ProductID, t.Subject, t.Description, t.Category, t.Priority, t.Status,
		t.AssigneeID, t.TeamID, t.PlanID, t.CreatedBy, t.PublicToken, t.SLA.ResponseDue, t.SLA.ResolveDue, t.CreatedAt, t.ExternalRef,
		t.UpdatedAt, t.CallbackNumber, t.ID)
}

// openingEvents start the new ticket's history, with the support terms it
// was opened under.
func openingEvents(t *service.Ticket, terms service.TermsOutcome) []service.Event {
	events := []service.Event{{TicketID: t.ID, At: t.CreatedAt, UserID: t.CreatedBy, Kind: service.EventCreated,
		New: string(t.Status), Body: t.Description, Public: true}}
	if t.Terms != nil {
		events = append(events, service.Event{TicketID: t.ID, At: t.CreatedAt, Kind: service.EventSupport,
			Field: service.TermsRecordField, New: terms.Record(), Body: terms.Note()})
	}
	return events
}

// queueOpeningNotices queues the notices of the new ticket to the customer
// and the assignee (as readOpening found them) and its entry on the
// client's timeline.
func queueOpeningNotices(b *pgx.Batch, t *service.Ticket, o opening, now time.Time) {
	if o.customer != nil {
		if m, ok := o.customer.message(t, notify.TemplateOpened); ok {
			queueMessage(b, m, now)
		}
	}
	if o.assignee != nil {
		queueUserNotice(b, *o.assignee, t, NoticeAssigned, nil, now)
	}
	b.Queue(`INSERT INTO interactions (client_id, kind, at, user_id, summary, ref_type, ref_id, created_at)
		VALUES ($1, 'ticket', $2, $3, $4, 'ticket', $5, $2)`,
		t.ClientID, now, t.CreatedBy, fmt.Sprintf("Request #%d opened: %s", t.ID, t.Subject), fmt.Sprint(t.ID))
}
