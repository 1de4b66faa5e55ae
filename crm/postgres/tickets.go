package postgres

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/service"
)

// Tickets of the service desk: creation with defaulted priority and SLA
// clocks, reads and lists restricted to what the viewer may see.

const ticketCols = `t.id, t.client_id, t.product_id, t.subject, t.description, t.category, t.priority, t.status,
	t.assignee_id, t.team_id, t.plan_id, t.created_by, t.public_token, t.response_due, t.resolve_due,
	t.responded_at, t.paused_at, t.paused_seconds, t.reopens, t.created_at, t.updated_at, t.resolved_at, t.closed_at,
	coalesce(t.external_ref, ''), c.name, coalesce((SELECT array_agg(linkedid ORDER BY at) FROM ticket_calls tc WHERE tc.ticket_id = t.id), '{}'),
	coalesce(t.callback_number, ''), t.callback_attempts`

const ticketFrom = ` FROM tickets t JOIN clients c ON c.id = t.client_id`

func scanTicket(r pgx.Row) (service.Ticket, error) {
	var t service.Ticket
	var paused int64
	err := r.Scan(&t.ID, &t.ClientID, &t.ProductID, &t.Subject, &t.Description, &t.Category, &t.Priority, &t.Status,
		&t.AssigneeID, &t.TeamID, &t.PlanID, &t.CreatedBy, &t.PublicToken, &t.SLA.ResponseDue, &t.SLA.ResolveDue,
		&t.SLA.RespondedAt, &t.SLA.PausedAt, &paused, &t.Reopens, &t.CreatedAt, &t.UpdatedAt, &t.ResolvedAt, &t.ClosedAt,
		&t.ExternalRef, &t.ClientName, &t.Calls, &t.CallbackNumber, &t.CallbackAttempts)
	t.SLA.Paused = time.Duration(paused) * time.Second
	return t, err
}

// newPublicToken returns 24 random bytes, base64url: the customer's link.
func newPublicToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// ticketError maps foreign keys of tickets to field errors.
func ticketError(err error, op string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if strings.Contains(msg, "tickets_external_ref_key") {
		return &crm.Error{Kind: crm.KindConflict, Field: "external_ref", Message: "a ticket was already opened for this", Err: err}
	}
	if strings.Contains(msg, "tickets_one_open_callback") {
		return &crm.Error{Kind: crm.KindConflict, Field: "callback_number", Message: "a callback request for this number is open", Err: err}
	}
	for _, f := range []string{"assignee_id", "team_id", "plan_id", "client_id", "created_by"} {
		if strings.Contains(msg, "tickets_"+f+"_fkey") {
			return crm.Invalid(f, "is not known")
		}
	}
	return translate(err, op)
}

// linkCall attaches a call to a ticket once and records it in the thread.
func linkCall(ctx context.Context, tx pgx.Tx, ticketID int64, linkedid string, at time.Time, user *int64) error {
	tag, err := tx.Exec(ctx, `INSERT INTO ticket_calls (ticket_id, linkedid, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		ticketID, linkedid, at)
	if err != nil {
		return translate(err, "link call")
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	return addEvent(ctx, tx, service.Event{TicketID: ticketID, At: at, UserID: user, Kind: service.EventCall, New: linkedid})
}

// LinkTicketCall attaches a call (its linkedid) to a ticket.
func (s *TicketService) LinkTicketCall(ctx context.Context, ticketID int64, linkedid string, user *int64) error {
	if linkedid == "" || len(linkedid) > 100 {
		return crm.Invalid("linkedid", "must be 1-100 characters")
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := lockTicket(ctx, tx, ticketID); err != nil {
			return err
		}
		return linkCall(ctx, tx, ticketID, linkedid, s.db.now(), user)
	})
}

// GetTicket returns a ticket by id.
func (s *TicketService) GetTicket(ctx context.Context, id int64) (service.Ticket, error) {
	t, err := scanTicket(s.db.pool.QueryRow(ctx, `SELECT `+ticketCols+ticketFrom+` WHERE t.id = $1`, id))
	if err != nil {
		if err == pgx.ErrNoRows {
			return t, notFound("ticket", id)
		}
		return t, translate(err, "get ticket")
	}
	return t, nil
}

// TicketByToken returns the ticket a customer's status link points at.
func (s *TicketService) TicketByToken(ctx context.Context, token string) (service.Ticket, error) {
	t, err := scanTicket(s.db.pool.QueryRow(ctx, `SELECT `+ticketCols+ticketFrom+` WHERE t.public_token = $1`, token))
	if err != nil {
		if err == pgx.ErrNoRows {
			return t, crm.Errorf(crm.KindNotFound, "no request behind this link")
		}
		return t, translate(err, "ticket by token")
	}
	return t, nil
}

// CanSeeTicket reports whether the viewer may see the ticket: supervisors
// and admins all, agents those of their teams, assigned to or created by them.
func (s *TicketService) CanSeeTicket(ctx context.Context, v *service.Viewer, t service.Ticket) (bool, error) {
	if v.SeesAll() {
		return true, nil
	}
	if (t.AssigneeID != nil && *t.AssigneeID == v.UserID) || (t.CreatedBy != nil && *t.CreatedBy == v.UserID) {
		return true, nil
	}
	if t.TeamID == nil {
		return false, nil
	}
	var ok bool
	err := s.db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM team_members WHERE team_id = $1 AND user_id = $2)`,
		*t.TeamID, v.UserID).Scan(&ok)
	return ok, translate(err, "ticket visibility")
}

// nextDue is a ticket's earliest running due time (as service.Ticket.NextDue):
// NULL when no clock runs. dueKey sorts those last, as noDue.
const (
	nextDue = `(CASE WHEN t.status NOT IN ('resolved', 'closed') AND t.paused_at IS NULL
		THEN LEAST(CASE WHEN t.responded_at IS NULL THEN t.response_due END, t.resolve_due) END)`
	dueKey = `coalesce(` + nextDue + `, '9999-12-31T00:00:00Z'::timestamptz)`
)

var noDue = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// ListTickets returns one page of tickets, newest first (or by due time),
// that match the filter and that the filter's viewer may see.
func (s *TicketService) ListTickets(ctx context.Context, f service.TicketFilter) (crm.Page[service.Ticket], error) {
	var page crm.Page[service.Ticket]
	cur, hasCur, err := decodeCursor(f.After)
	if err != nil {
		return page, err
	}
	limit := clampLimit(f.Limit)
	if f.Overdue && f.Now.IsZero() {
		f.Now = s.db.now()
	}
	w := ticketWhere(f)
	order := " ORDER BY t.created_at DESC, t.id DESC"
	switch {
	case f.ByDue:
		if hasCur {
			w.add("(" + dueKey + ", t.id) > (" + w.arg(cur.At) + ", " + w.arg(cur.ID) + ")")
		}
		order = " ORDER BY " + dueKey + ", t.id"
	case hasCur:
		w.add("(t.created_at, t.id) < (" + w.arg(cur.At) + ", " + w.arg(cur.ID) + ")")
	}
	rows, err := s.db.pool.Query(ctx, `SELECT `+ticketCols+ticketFrom+w.sql()+order+" LIMIT "+w.arg(limit+1), w.args...)
	if err != nil {
		return page, translate(err, "list tickets")
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (service.Ticket, error) { return scanTicket(r) })
	if err != nil {
		return page, translate(err, "list tickets")
	}
	now := s.db.now()
	for i := range items {
		items[i].Late = items[i].Overdue(now)
	}
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		at := last.CreatedAt
		if f.ByDue {
			at = noDue
			if d := last.NextDue(); d != nil {
				at = *d
			}
		}
		page.Next = cursor{At: at, ID: last.ID}.encode()
	}
	page.Items = items
	return page, nil
}

// ticketConds are the conditions of a ticket query and their arguments.
type ticketConds struct {
	where []string
	args  []any
}

// arg adds an argument and returns its placeholder.
func (c *ticketConds) arg(v any) string {
	c.args = append(c.args, v)
	return fmt.Sprintf("$%d", len(c.args))
}

func (c *ticketConds) add(cond string) { c.where = append(c.where, cond) }

// sql is the WHERE clause ("" without conditions).
func (c *ticketConds) sql() string {
	if len(c.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.where, " AND ")
}

// ticketWhere turns a filter into conditions: what it asks for, within
// what the viewer may see.
func ticketWhere(f service.TicketFilter) *ticketConds {
	c := &ticketConds{}
	if len(f.Status) > 0 {
		ss := make([]string, len(f.Status))
		for i, st := range f.Status {
			ss[i] = string(st)
		}
		c.add("t.status = ANY(" + c.arg(ss) + ")")
	}
	if f.OpenOnly {
		c.add("t.status NOT IN ('resolved', 'closed')")
	}
	if f.Priority != "" {
		c.add("t.priority = " + c.arg(string(f.Priority)))
	}
	if f.ClientID > 0 {
		c.add("t.client_id = " + c.arg(f.ClientID))
	}
	if f.AssigneeID > 0 {
		c.add("t.assignee_id = " + c.arg(f.AssigneeID))
	}
	if f.TeamID > 0 {
		c.add("t.team_id = " + c.arg(f.TeamID))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		c.add("t.subject ILIKE " + c.arg("%"+escapeLike(q)+"%"))
	}
	if !f.Viewer.SeesAll() {
		u := c.arg(f.Viewer.UserID)
		c.add("(t.assignee_id = " + u + " OR t.created_by = " + u +
			" OR t.team_id IN (SELECT team_id FROM team_members WHERE user_id = " + u + "))")
	}
	if f.Overdue {
		c.add(nextDue + " < " + c.arg(f.Now))
	}
	return c
}

// The service desk's domain services.
var (
	_ service.TicketService  = (*TicketService)(nil)
	_ service.TicketMessages = (*TicketService)(nil)
	_ service.TicketCosts    = (*TicketService)(nil)
	_ service.TimerStore     = (*TicketService)(nil)
	_ service.CallbackStore  = (*TicketService)(nil)
	_ service.SLAService     = (*SLAService)(nil)
)
