package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm/notify"
)

// The outbox: e-mails and SMS wait in PostgreSQL until delivered. A worker
// claims the oldest due message with FOR UPDATE SKIP LOCKED and holds the
// row while sending, so two replicas never send one message, and records
// the outcome in the same transaction. Messages are inserted in the
// transaction of the change they report, so nothing is told that did not
// happen and nothing that happened goes untold.

const outboxColumns = `id, channel, recipient, template, lang, args, subject, body, ticket_id, user_id,
	state, attempts, next_at, last_error, created_at, sent_at`

func scanMessage(r pgx.Row) (notify.Message, error) {
	var m notify.Message
	err := r.Scan(&m.ID, &m.Channel, &m.To, &m.Template, &m.Lang, &m.Args, &m.Subject, &m.Body, &m.TicketID, &m.UserID,
		&m.State, &m.Attempts, &m.NextAt, &m.LastError, &m.CreatedAt, &m.SentAt)
	return m, err
}

// enqueue adds a message to the outbox in tx, due at now.
func enqueue(ctx context.Context, tx pgx.Tx, m notify.Message, now time.Time) error {
	if m.Args == nil {
		m.Args = map[string]string{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO outbox (channel, recipient, template, lang, args, subject, body, ticket_id, user_id,
		next_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
		m.Channel, m.To, m.Template, m.Lang, m.Args, m.Subject, m.Body, m.TicketID, m.UserID, now)
	return translate(err, "queue message")
}

// Enqueue adds a message to the outbox, due now.
func (s *NotifyService) Enqueue(ctx context.Context, m notify.Message) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error { return enqueue(ctx, tx, m, s.db.now()) })
}

// DeliverNext claims the oldest message due at now, calls deliver with it
// while holding its row, and records the outcome. It reports false when no
// message was due (or all due ones are held by other workers).
func (s *NotifyService) DeliverNext(ctx context.Context, now time.Time, deliver func(context.Context, *notify.Message) notify.Outcome) (bool, error) {
	found := false
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		m, err := scanMessage(tx.QueryRow(ctx, `SELECT `+outboxColumns+` FROM outbox
			WHERE state = 'pending' AND next_at <= $1 ORDER BY next_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`, now))
		if err == pgx.ErrNoRows {
			return nil
		}
		if err != nil {
			return translate(err, "claim message")
		}
		found = true
		o := deliver(ctx, &m)
		var sentAt *time.Time
		next := m.NextAt
		switch o.State {
		case notify.StateSent:
			sentAt = &now
		case notify.StatePending:
			next = o.Retry
		}
		_, err = tx.Exec(ctx, `UPDATE outbox SET state = $2, attempts = attempts + 1, next_at = $3, last_error = $4,
			subject = $5, body = $6, sent_at = $7 WHERE id = $1`,
			m.ID, o.State, next, truncate(o.Error, 500), o.Subject, o.Body, sentAt)
		return translate(err, "record delivery")
	})
	return found, err
}

// NextDue returns when the earliest pending message is due (false when
// there is none), for the dispatcher to sleep until then.
func (s *NotifyService) NextDue(ctx context.Context) (time.Time, bool, error) {
	var due *time.Time
	err := s.db.pool.QueryRow(ctx, `SELECT min(next_at) FROM outbox WHERE state = 'pending'`).Scan(&due)
	if err != nil || due == nil {
		return time.Time{}, false, translate(err, "next message")
	}
	return *due, true, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 { // do not cut a UTF-8 sequence
		n--
	}
	return s[:n]
}

// TicketMessages returns the e-mails and SMS about a ticket, newest first
// (at most 200), with their delivery state.
func (s *NotifyService) TicketMessages(ctx context.Context, ticketID int64) ([]notify.Message, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE ticket_id = $1 ORDER BY id DESC LIMIT 200`, ticketID)
	if err != nil {
		return nil, translate(err, "ticket messages")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.Message, error) { return scanMessage(r) })
}

// OutboxCounts returns how many messages are in each state.
func (s *NotifyService) OutboxCounts(ctx context.Context) (map[notify.State]int, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT state, count(*) FROM outbox GROUP BY state`)
	if err != nil {
		return nil, translate(err, "outbox counts")
	}
	out := map[notify.State]int{}
	for rows.Next() {
		var st notify.State
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, translate(err, "outbox counts")
		}
		out[st] = n
	}
	return out, translate(rows.Err(), "outbox counts")
}
