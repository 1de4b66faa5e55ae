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

// Ticket changes: every change is one history entry, and each change that
// moves an SLA clock recomputes the due times and reschedules the timers.

// lockTicket reads a ticket for update.
func lockTicket(ctx context.Context, tx pgx.Tx, id int64) (service.Ticket, error) {
	t, err := scanTicket(tx.QueryRow(ctx, `SELECT `+ticketCols+ticketFrom+` WHERE t.id = $1 FOR UPDATE OF t`, id))
	if err != nil {
		if err == pgx.ErrNoRows {
			return t, notFound("ticket", id)
		}
		return t, translate(err, "lock ticket")
	}
	return t, nil
}

// planOfTicketSQL is planForSQL for the plan and client of ticket $1.
const planOfTicketSQL = `SELECT ` + planCols + ` FROM sla_plans, (SELECT plan_id, client_id FROM tickets WHERE id = $1) t
	WHERE id = coalesce(t.plan_id, (SELECT plan_id FROM client_sla_plans WHERE client_id = t.client_id))
	   OR (t.plan_id IS NULL AND is_default AND NOT EXISTS (SELECT 1 FROM client_sla_plans WHERE client_id = t.client_id))
	LIMIT 1`

// lockTicketPlan reads a ticket for update and its SLA plan (planFor's) in
// one round trip; also, when class is not nil, its client's priority class
// code ("" when none).
func lockTicketPlan(ctx context.Context, tx pgx.Tx, id int64, class *string) (service.Ticket, service.SLAPlan, error) {
	var t service.Ticket
	var plan service.SLAPlan
	b := &pgx.Batch{}
	b.Queue(`SELECT `+ticketCols+ticketFrom+` WHERE t.id = $1 FOR UPDATE OF t`, id).QueryRow(func(r pgx.Row) error {
		var err error
		t, err = scanTicket(r)
		if err == pgx.ErrNoRows {
			return notFound("ticket", id)
		}
		return translate(err, "lock ticket")
	})
	b.Queue(planOfTicketSQL, id).QueryRow(func(r pgx.Row) error {
		var err error
		plan, err = scanPlan(r)
		return translate(err, "sla plan of ticket")
	})
	if class != nil {
		b.Queue(`SELECT coalesce(c.priority, '') FROM tickets t JOIN clients c ON c.id = t.client_id WHERE t.id = $1`, id).
			QueryRow(func(r pgx.Row) error { return translate(r.Scan(class), "client priority class") })
	}
	err := tx.SendBatch(ctx, b).Close()
	var ce *crm.Error
	if err != nil && !errors.As(err, &ce) {
		err = translate(err, "lock ticket")
	}
	return t, plan, err
}

// addEvent appends an entry to a ticket's history. It reports false when an
// inbound email with the same Message-ID is already recorded.
func addEvent(ctx context.Context, tx pgx.Tx, e service.Event) error {
	_, err := insertEvent(ctx, tx, &e)
	return err
}

func insertEvent(ctx context.Context, tx pgx.Tx, e *service.Event) (bool, error) {
	var msgID *string
	if e.MessageID != "" {
		msgID = &e.MessageID
	}
	err := tx.QueryRow(ctx, `INSERT INTO ticket_events (ticket_id, at, user_id, kind, field, old_value, new_value, body,
		mail_from, mail_to, mail_subject, message_id, public)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (ticket_id, message_id) WHERE message_id IS NOT NULL DO NOTHING RETURNING id`,
		e.TicketID, e.At, e.UserID, e.Kind, e.Field, e.Old, e.New, e.Body, e.From, e.To, e.Subject, msgID, e.Public).Scan(&e.ID)
	if err == pgx.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, translate(err, "ticket history")
	}
	return true, nil
}

// scheduleTimers replaces the ticket's unfired escalation timers with those
// its clocks call for now, in one round trip. Fired timers stay: a level
// never fires twice.
func scheduleTimers(ctx context.Context, tx pgx.Tx, plan service.SLAPlan, t *service.Ticket) error {
	b := &pgx.Batch{}
	if err := queueSchedule(b, plan, t); err != nil {
		return err
	}
	return translate(tx.SendBatch(ctx, b).Close(), "schedule timers")
}

// queueSchedule queues scheduleTimers' statements.
func queueSchedule(b *pgx.Batch, plan service.SLAPlan, t *service.Ticket) error {
	timers, err := plan.Timers(t.SLA, t.CreatedAt, t.Priority, t.Status.Open())
	if err != nil {
		return err
	}
	queueTimers(b, t.ID, timers, true)
	return nil
}

// saveTicket writes the ticket's mutable columns.
func saveTicket(ctx context.Context, tx pgx.Tx, t *service.Ticket) error {
	b := &pgx.Batch{}
	queueSave(b, t)
	return ticketError(tx.SendBatch(ctx, b).Close(), "update ticket")
}

// queueSave queues saveTicket's statement.
func queueSave(b *pgx.Batch, t *service.Ticket) {
	b.Queue(`UPDATE tickets SET subject = $2, category = $3, priority = $4, status = $5, assignee_id = $6,
		team_id = $7, response_due = $8, resolve_due = $9, responded_at = $10, paused_at = $11, paused_seconds = $12,
		reopens = $13, updated_at = $14, resolved_at = $15, closed_at = $16 WHERE id = $1`,
		t.ID, t.Subject, t.Category, t.Priority, t.Status, t.AssigneeID, t.TeamID, t.SLA.ResponseDue, t.SLA.ResolveDue,
		t.SLA.RespondedAt, t.SLA.PausedAt, int64(t.SLA.Paused/time.Second), t.Reopens, t.UpdatedAt, t.ResolvedAt, t.ClosedAt)
}

// UpdateTicket applies a change by actor (nil: the system), recording each
// changed field in the history. A status the workflow does not allow is
// KindConflict.
func (s *TicketService) UpdateTicket(ctx context.Context, id int64, u service.TicketUpdate, actor *int64) (service.Ticket, error) {
	if err := u.Validate(); err != nil {
		return service.Ticket{}, err
	}
	var out service.Ticket
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = s.updateTicket(ctx, tx, id, u, actor, &pgx.Batch{})
		return err
	})
	return out, err
}

// updateTicket is UpdateTicket in tx: the statements already queued on b
// go with the change's own writes (or alone when nothing changes; not at
// all when the change fails before any write).
func (s *TicketService) updateTicket(ctx context.Context, tx pgx.Tx, id int64, u service.TicketUpdate, actor *int64, b *pgx.Batch) (service.Ticket, error) {
	t, plan, err := lockTicketPlan(ctx, tx, id, nil)
	if err != nil {
		return t, err
	}
	now := s.db.now()
	ch := &changes{tx: tx, t: &t, at: now, user: actor}
	if err := ch.apply(ctx, plan, u); err != nil {
		return t, err
	}
	if u.Comment != "" {
		ch.events = append(ch.events, service.Event{Kind: service.EventComment, Body: u.Comment})
	}
	if len(ch.events) == 0 {
		if b.Len() > 0 {
			return t, ticketError(tx.SendBatch(ctx, b).Close(), "update ticket")
		}
		return t, nil
	}
	t.UpdatedAt = now
	// the ticket, its history entries and its timers: one round trip
	queueSave(b, &t)
	for i := range ch.events {
		ch.events[i].TicketID, ch.events[i].At, ch.events[i].UserID = t.ID, now, actor
	}
	queueEvents(b, ch.events)
	if err := queueSchedule(b, plan, &t); err != nil {
		return t, err
	}
	if err := ticketError(tx.SendBatch(ctx, b).Close(), "update ticket"); err != nil {
		return t, err
	}
	return t, ch.tell(ctx, false)
}

// changes collects the history entries of one update.
type changes struct {
	tx     pgx.Tx
	t      *service.Ticket
	at     time.Time
	user   *int64
	events []service.Event
}

func (c *changes) field(name, old, new string) {
	if old != new {
		c.events = append(c.events, service.Event{Kind: service.EventChange, Field: name, Old: old, New: new, Public: name == "status"})
	}
}

func idText(p *int64) string {
	if p == nil {
		return ""
	}
	return fmt.Sprint(*p)
}

func optID(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

func (c *changes) apply(ctx context.Context, plan service.SLAPlan, u service.TicketUpdate) error {
	t := c.t
	if u.Subject != nil {
		c.field("subject", t.Subject, *u.Subject)
		t.Subject = *u.Subject
	}
	if u.Category != nil {
		c.field("category", t.Category, *u.Category)
		t.Category = *u.Category
	}
	if u.AssigneeID != nil {
		c.field("assignee", idText(t.AssigneeID), idText(optID(*u.AssigneeID)))
		t.AssigneeID = optID(*u.AssigneeID)
	}
	if u.TeamID != nil {
		c.field("team", idText(t.TeamID), idText(optID(*u.TeamID)))
		t.TeamID = optID(*u.TeamID)
	}
	if u.Priority != nil && *u.Priority != t.Priority {
		c.field("priority", string(t.Priority), string(*u.Priority))
		t.Priority = *u.Priority
		if err := plan.Recompute(&t.SLA, t.CreatedAt, t.Priority); err != nil {
			return err
		}
	}
	if u.Status != nil && *u.Status != t.Status {
		if err := c.moveTo(plan, *u.Status); err != nil {
			return err
		}
	}
	return nil
}

// moveTo changes the status along the workflow, pausing the clocks while
// waiting for the customer and stamping resolution, closing and reopening.
func (c *changes) moveTo(plan service.SLAPlan, next service.Status) error {
	t := c.t
	if !t.Status.CanMoveTo(next) {
		return &crm.Error{Kind: crm.KindConflict, Field: "status", Message: fmt.Sprintf("cannot go from %s to %s", t.Status, next)}
	}
	c.field("status", string(t.Status), string(next))
	var err error
	if t.Status == service.StatusWaiting {
		err = plan.Resume(&t.SLA, c.at, t.CreatedAt, t.Priority)
	}
	if next == service.StatusWaiting {
		err = plan.Pause(&t.SLA, c.at, t.CreatedAt, t.Priority)
	}
	if err != nil {
		return err
	}
	switch next {
	case service.StatusResolved:
		t.ResolvedAt = &c.at
	case service.StatusClosed:
		t.ClosedAt = &c.at
		if t.ResolvedAt == nil {
			t.ResolvedAt = &c.at
		}
	case service.StatusReopened:
		t.Reopens++
		t.ResolvedAt, t.ClosedAt = nil, nil
	}
	t.Status = next
	return nil
}

// AddMessage records a comment or email on a ticket. An agent's public
// message (an email out or a public comment) is the first response; a
// customer's email to a ticket waiting for them resumes it. ok is false when
// an inbound email with the same Message-ID was already recorded.
func (s *TicketService) AddMessage(ctx context.Context, e *service.Event) (ok bool, err error) {
	switch e.Kind {
	case service.EventComment, service.EventEmailIn, service.EventEmailOut:
	default:
		return false, crm.Invalid("kind", "must be comment, email_in or email_out")
	}
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		t, plan, err := lockTicketPlan(ctx, tx, e.TicketID, nil)
		if err != nil {
			return err
		}
		e.At = s.db.now()
		if ok, err = insertEvent(ctx, tx, e); err != nil || !ok {
			return err
		}
		ch := &changes{tx: tx, t: &t, at: e.At, user: e.UserID}
		if e.Kind == service.EventEmailIn && t.Status == service.StatusWaiting {
			if err := ch.moveTo(plan, service.StatusInProgress); err != nil {
				return err
			}
		}
		if e.Kind != service.EventEmailIn && e.Public && t.SLA.RespondedAt == nil {
			t.SLA.RespondedAt = &e.At
		}
		t.UpdatedAt = e.At
		if err := saveTicket(ctx, tx, &t); err != nil {
			return err
		}
		for i := range ch.events {
			ch.events[i].TicketID, ch.events[i].At = t.ID, e.At
		}
		if err := addEvents(ctx, tx, ch.events); err != nil {
			return err
		}
		if e.Kind == service.EventEmailOut {
			if err := enqueue(ctx, tx, notify.Message{Channel: notify.ChannelEmail, To: e.To, Subject: e.Subject, Body: e.Body,
				TicketID: &t.ID}, e.At); err != nil {
				return err
			}
		}
		if err := ch.tell(ctx, e.Kind == service.EventEmailIn); err != nil {
			return err
		}
		return scheduleTimers(ctx, tx, plan, &t)
	})
	return ok, err
}

// Thread returns a ticket's whole history in order: changes, comments,
// emails, calls, escalations and breaches. publicOnly keeps what the
// customer may see.
func (s *TicketService) Thread(ctx context.Context, ticketID int64, publicOnly bool) ([]service.Event, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT e.id, e.ticket_id, e.at, e.user_id, coalesce(nullif(u.name, ''), u.login, ''), e.kind,
		e.field, e.old_value, e.new_value, e.body, e.mail_from, e.mail_to, e.mail_subject, coalesce(e.message_id, ''), e.public
		FROM ticket_events e LEFT JOIN users u ON u.id = e.user_id
		WHERE e.ticket_id = $1 AND (e.public OR NOT $2) ORDER BY e.at, e.id`, ticketID, publicOnly)
	if err != nil {
		return nil, translate(err, "ticket thread")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (service.Event, error) {
		var e service.Event
		err := r.Scan(&e.ID, &e.TicketID, &e.At, &e.UserID, &e.UserName, &e.Kind, &e.Field, &e.Old, &e.New, &e.Body,
			&e.From, &e.To, &e.Subject, &e.MessageID, &e.Public)
		return e, err
	})
}
