package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm/service"
)

// Durable escalation timers. Each due timer is claimed together with its
// ticket by SELECT ... FOR UPDATE SKIP LOCKED and marked fired in the same
// transaction that applies the escalation, so a level fires exactly once
// however many workers run and whenever they restart. Workers never wait for
// a lock, so they cannot deadlock with agents' updates.

// FireDueTimers fires up to limit timers due at now, one transaction each,
// and returns the levels that fired. worker names the firing process in
// the row. When none is due it costs one statement, no transaction.
func (s *TicketService) FireDueTimers(ctx context.Context, now time.Time, worker string, limit int) ([]service.Fired, error) {
	var due bool
	if err := s.db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ticket_timers WHERE fired_at IS NULL AND fire_at <= $1)`,
		now).Scan(&due); err != nil || !due {
		return nil, translate(err, "due timers")
	}
	var fired []service.Fired
	for len(fired) < limit {
		f, ok, err := s.fireOne(ctx, now, worker)
		if err != nil {
			return fired, err
		}
		if !ok {
			break
		}
		fired = append(fired, f)
	}
	return fired, nil
}

// NextTimerDue returns when the earliest timer not fired yet is due
// (false when there is none), for the escalator to sleep until then.
func (s *TicketService) NextTimerDue(ctx context.Context) (time.Time, bool, error) {
	var due *time.Time
	err := s.db.pool.QueryRow(ctx, `SELECT min(fire_at) FROM ticket_timers WHERE fired_at IS NULL`).Scan(&due)
	if err != nil || due == nil {
		return time.Time{}, false, translate(err, "next timer")
	}
	return *due, true, nil
}

func (s *TicketService) fireOne(ctx context.Context, now time.Time, worker string) (service.Fired, bool, error) {
	var found bool
	var f service.Fired
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		found, f = false, service.Fired{}
		err := tx.QueryRow(ctx, `SELECT tt.ticket_id, tt.clock, tt.level FROM ticket_timers tt
			JOIN tickets t ON t.id = tt.ticket_id
			WHERE tt.fired_at IS NULL AND tt.fire_at <= $1
			ORDER BY tt.fire_at, tt.level LIMIT 1 FOR UPDATE SKIP LOCKED`, now).Scan(&f.TicketID, &f.Clock, &f.Level)
		if err == pgx.ErrNoRows {
			return nil
		}
		if err != nil {
			return translate(err, "claim timer")
		}
		found = true
		// already locked by this transaction
		t, plan, err := lockTicketPlan(ctx, tx, f.TicketID, &f.PriorityClass)
		if err != nil {
			return err
		}
		// the ticket, its history, the notices and the fired mark: one batch
		b := &pgx.Batch{}
		if f.Breach, err = escalate(ctx, tx, b, &t, plan.LevelOf(f.Clock, f.Level), now); err != nil {
			return err
		}
		b.Queue(`UPDATE ticket_timers SET fired_at = $4, fired_by = $5
			WHERE ticket_id = $1 AND clock = $2 AND level = $3`, f.TicketID, f.Clock, f.Level, now, worker)
		return ticketError(tx.SendBatch(ctx, b).Close(), "escalate")
	})
	return f, found, err
}

// escalate applies one level: breach record, reassignment to the team
// lead, a raised priority, then notices to the owner the ticket now has
// (the lead after a reassignment: never the previous owner alone), the team
// lead on a breach, and the supervisors when the level says so. Due times
// stay as agreed. The writes after the breach record are queued on b. It
// reports whether a new breach was recorded.
func escalate(ctx context.Context, tx pgx.Tx, b *pgx.Batch, t *service.Ticket, l service.Level, now time.Time) (bool, error) {
	var events []service.Event
	if l.Level > 0 {
		events = append(events, service.Event{Kind: service.EventEscalated, Field: string(l.Clock), New: fmt.Sprint(l.Level),
			Body: fmt.Sprintf("Escalation level %d: %d%% of the %s target reached", l.Level, l.Percent, l.Clock)})
	}
	breach, err := recordBreach(ctx, tx, t, l, now)
	if err != nil {
		return false, err
	}
	breached := breach != nil
	if breached {
		events = append(events, *breach)
	}
	lead, err := teamLead(ctx, tx, t.TeamID)
	if err != nil {
		return false, err
	}
	events = append(events, applyLevel(b, t, l, lead, now)...)
	for i := range events {
		events[i].TicketID, events[i].At = t.ID, now
	}
	queueEvents(b, events)
	if !l.Notify && !breached {
		return breached, nil
	}
	return breached, tellEscalation(ctx, tx, b, t, l, lead, breached, now)
}

// recordBreach records the missed target when the level is a breach, once
// per ticket and clock; the history entry when it is new (else nil).
func recordBreach(ctx context.Context, tx pgx.Tx, t *service.Ticket, l service.Level, now time.Time) (*service.Event, error) {
	if !l.Breaches() {
		return nil, nil
	}
	due := t.SLA.ResolveDue
	if l.Clock == service.ClockResponse {
		due = t.SLA.ResponseDue
	}
	if due == nil {
		due = &now
	}
	tag, err := tx.Exec(ctx, `INSERT INTO sla_breaches (ticket_id, clock, due_at, at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, t.ID, l.Clock, *due, now)
	if err != nil {
		return nil, translate(err, "record breach")
	}
	if tag.RowsAffected() == 0 {
		return nil, nil
	}
	return &service.Event{Kind: service.EventBreach, Field: string(l.Clock),
		Body: fmt.Sprintf("The %s target was missed (due %s)", l.Clock, due.UTC().Format(time.RFC3339))}, nil
}

// applyLevel reassigns the ticket to its team lead and raises its priority
// when the level says so, queueing the ticket's save on b; the history
// entries of what changed.
func applyLevel(b *pgx.Batch, t *service.Ticket, l service.Level, lead *int64, now time.Time) []service.Event {
	var events []service.Event
	if l.ReassignToLead && lead != nil && (t.AssigneeID == nil || *t.AssigneeID != *lead) {
		events = append(events, service.Event{Kind: service.EventChange, Field: "assignee", Old: idText(t.AssigneeID), New: idText(lead)})
		t.AssigneeID = lead
	}
	if l.RaisePriority && t.Priority != service.PriorityCritical {
		next := t.Priority.Raise()
		events = append(events, service.Event{Kind: service.EventChange, Field: "priority", Old: string(t.Priority), New: string(next)})
		t.Priority = next
	}
	if len(events) == 0 {
		return nil
	}
	t.UpdatedAt = now
	queueSave(b, t)
	return events
}

// tellEscalation notifies the owner the ticket has now (the lead after a
// reassignment), the lead too on a breach or when the ticket has no
// owner, and the supervisors when the level says so, queueing the notices
// on b.
func tellEscalation(ctx context.Context, tx pgx.Tx, b *pgx.Batch, t *service.Ticket, l service.Level, lead *int64, breached bool, now time.Time) error {
	who := []*int64{t.AssigneeID}
	if breached || t.AssigneeID == nil {
		who = append(who, lead)
	}
	if l.NotifySupervisors {
		sv, err := supervisors(ctx, tx)
		if err != nil {
			return err
		}
		who = append(who, sv...)
	}
	kind := NoticeEscalation
	if breached {
		kind = NoticeBreach
	}
	args := map[string]string{"level": fmt.Sprint(l.Level), "clock": string(l.Clock), "percent": fmt.Sprint(l.Percent)}
	return queueUsersNotice(ctx, tx, b, who, t, kind, args, now)
}

// Breach is a missed SLA target.
type Breach struct {
	TicketID int64
	Clock    service.ClockKind
	Due      time.Time
	At       time.Time
}

// TicketBreaches returns a ticket's recorded breaches.
func (s *TicketService) TicketBreaches(ctx context.Context, ticketID int64) ([]Breach, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT ticket_id, clock, due_at, at FROM sla_breaches WHERE ticket_id = $1 ORDER BY at`, ticketID)
	if err != nil {
		return nil, translate(err, "ticket breaches")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Breach, error) {
		var b Breach
		err := r.Scan(&b.TicketID, &b.Clock, &b.Due, &b.At)
		return b, err
	})
}
