package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm/notify"
	"hotline/crm/service"
)

// The writes of one ticket change go to PostgreSQL together: each helper
// here queues one statement on a pgx.Batch (a whole list of history
// entries or timers in one INSERT over unnest), and the batch goes in one
// round trip, inside the change's transaction or, for a new ticket, as one
// implicit transaction of its own.

// queueEvents queues one INSERT of history entries, in their order (an
// inbound email whose Message-ID is recorded already is left out).
func queueEvents(b *pgx.Batch, events []service.Event) {
	if len(events) == 0 {
		return
	}
	n := len(events)
	ticket, at, user := make([]int64, n), make([]time.Time, n), make([]*int64, n)
	kind, field, old, nw, body := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	from, to, subject, msgID, public := make([]string, n), make([]string, n), make([]string, n), make([]*string, n), make([]bool, n)
	for i, e := range events {
		ticket[i], at[i], user[i], kind[i], field[i] = e.TicketID, e.At, e.UserID, string(e.Kind), e.Field
		old[i], nw[i], body[i], from[i], to[i], subject[i], public[i] = e.Old, e.New, e.Body, e.From, e.To, e.Subject, e.Public
		if e.MessageID != "" {
			msgID[i] = &events[i].MessageID
		}
	}
	b.Queue(`INSERT INTO ticket_events (ticket_id, at, user_id, kind, field, old_value, new_value, body,
		mail_from, mail_to, mail_subject, message_id, public)
		SELECT e.ticket_id, e.at, e.user_id, e.kind, e.field, e.old_value, e.new_value, e.body,
		       e.mail_from, e.mail_to, e.mail_subject, e.message_id, e.public
		FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
		            $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::boolean[]) WITH ORDINALITY
		     AS e(ticket_id, at, user_id, kind, field, old_value, new_value, body, mail_from, mail_to, mail_subject,
		          message_id, public, n)
		ORDER BY e.n
		ON CONFLICT (ticket_id, message_id) WHERE message_id IS NOT NULL DO NOTHING`,
		ticket, at, user, kind, field, old, nw, body, from, to, subject, msgID, public)
}

// addEvents appends entries to tickets' histories in one statement.
func addEvents(ctx context.Context, tx pgx.Tx, events []service.Event) error {
	if len(events) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	queueEvents(b, events)
	return translate(tx.SendBatch(ctx, b).Close(), "ticket history")
}

// queueTimers queues the ticket's escalation timers, one INSERT; replace
// first clears the unfired ones (fired timers stay: a level never fires
// twice). A new ticket has none to clear.
func queueTimers(b *pgx.Batch, ticketID int64, timers []service.Timer, replace bool) {
	if replace {
		b.Queue(`DELETE FROM ticket_timers WHERE ticket_id = $1 AND fired_at IS NULL`, ticketID)
	}
	if len(timers) == 0 {
		return
	}
	clock, level, fire := make([]string, len(timers)), make([]int32, len(timers)), make([]time.Time, len(timers))
	for i, tm := range timers {
		clock[i], level[i], fire[i] = string(tm.Clock), int32(tm.Level), tm.FireAt
	}
	b.Queue(`INSERT INTO ticket_timers (ticket_id, clock, level, fire_at)
		SELECT $1, clock, level, fire_at FROM unnest($2::text[], $3::integer[], $4::timestamptz[]) AS t(clock, level, fire_at)
		ON CONFLICT DO NOTHING`, ticketID, clock, level, fire)
}

// queueCallLinks queues the attaching of calls to a ticket, each once,
// with a history entry for each call newly attached, in the list's order.
func queueCallLinks(b *pgx.Batch, ticketID int64, linkedids []string, at time.Time, user *int64) {
	if len(linkedids) == 0 {
		return
	}
	b.Queue(`WITH wanted AS (SELECT linkedid, min(n) AS n FROM unnest($2::text[]) WITH ORDINALITY AS w(linkedid, n) GROUP BY linkedid),
		linked AS (INSERT INTO ticket_calls (ticket_id, linkedid, at) SELECT $1, linkedid, $3 FROM wanted
		           ON CONFLICT DO NOTHING RETURNING linkedid)
		INSERT INTO ticket_events (ticket_id, at, user_id, kind, new_value)
		SELECT $1, $3, $4, $5, l.linkedid FROM linked l JOIN wanted w USING (linkedid) ORDER BY w.n`,
		ticketID, linkedids, at, user, string(service.EventCall))
}

// queueMessage queues a message on the outbox, due at now (enqueue's).
func queueMessage(b *pgx.Batch, m notify.Message, now time.Time) {
	if m.Args == nil {
		m.Args = map[string]string{}
	}
	b.Queue(`INSERT INTO outbox (channel, recipient, template, lang, args, subject, body, ticket_id, user_id,
		next_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
		m.Channel, m.To, m.Template, m.Lang, m.Args, m.Subject, m.Body, m.TicketID, m.UserID, now)
}

// staff is what telling a user needs of them.
type staff struct {
	id          int64
	email, lang string
	disabled    bool
}

// queueUserNotice queues tellUser's writes for a user read beforehand:
// the in-app notice, its e-mail when the user has an address, and the
// wake-up of the user's bell.
func queueUserNotice(b *pgx.Batch, u staff, t *service.Ticket, kind string, args map[string]string, now time.Time) {
	if u.disabled {
		return
	}
	if args == nil {
		args = map[string]string{}
	}
	args["number"], args["subject"] = strconv.FormatInt(t.ID, 10), t.Subject
	b.Queue(`INSERT INTO ticket_notifications (user_id, ticket_id, body, at, kind, args)
		VALUES ($1, $2, '', $3, $4, $5)`, u.id, t.ID, now, kind, args)
	if u.email != "" {
		id := u.id
		queueMessage(b, notify.Message{Channel: notify.ChannelEmail, To: u.email, Template: "staff_" + kind,
			Lang: u.lang, Args: args, TicketID: &t.ID, UserID: &id}, now)
	}
	b.Queue(`SELECT pg_notify($1, $2)`, NotifyChannel, strconv.FormatInt(u.id, 10))
}
