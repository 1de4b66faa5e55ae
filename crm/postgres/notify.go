package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm/notify"
	"hotline/crm/service"
)

// Who is told what, queued in the transaction of the change itself:
// the client (by e-mail or SMS, as they prefer) when their request opens
// or changes status; staff (in the app, and by e-mail when they have an
// address) when a request is escalated or breached, assigned to them, or
// answered by the customer. In-app notices wake listeners through
// pg_notify on NotifyChannel when the transaction commits, on every
// replica.

// NotifyChannel is the PostgreSQL channel that carries the id of a user
// who has a new in-app notification.
const NotifyChannel = "hotline_notifications"

// WorkChannel is the PostgreSQL channel on which changes that give the
// background workers work wake them on every replica (migration
// 00330_work_wakeups.sql): the payload is WorkTimers, WorkOutbox or WorkCalls.
const WorkChannel = "hotline_work"

// Kinds of work announced on WorkChannel.
const (
	WorkTimers = "timers" // escalation timers were scheduled
	WorkOutbox = "outbox" // a message was queued
	WorkCalls  = "calls"  // the call log was written
)

// Notification kinds (notify's).
const (
	NoticeEscalation = notify.NoticeEscalation
	NoticeBreach     = notify.NoticeBreach
	NoticeAssigned   = notify.NoticeAssigned
	NoticeReply      = notify.NoticeReply
)

// tellCustomer queues the client's notice about t: template is
// notify.TemplateOpened or notify.TemplateStatus (its _sms form for SMS).
func tellCustomer(ctx context.Context, tx pgx.Tx, t *service.Ticket, template string, now time.Time) error {
	if t.Category == CallbackCategory {
		return nil // the callback itself answers a missed call
	}
	var c customerContacts
	if err := tx.QueryRow(ctx, customerContactsSQL, t.ClientID).Scan(&c.pref, &c.lang, &c.email, &c.phone); err != nil {
		return translate(err, "client contacts")
	}
	if m, ok := c.message(t, template); ok {
		return enqueue(ctx, tx, m, now)
	}
	return nil
}

// customerContactsSQL reads how a client ($1) wants to hear of requests.
const customerContactsSQL = `SELECT c.notify, c.language,
	coalesce((SELECT value FROM contacts WHERE client_id = c.id AND kind = 'email' ORDER BY id LIMIT 1), ''),
	coalesce((SELECT value FROM contacts WHERE client_id = c.id AND kind = 'phone' ORDER BY id LIMIT 1), '')
	FROM clients c WHERE c.id = $1`

// customerContacts is how a client wants to hear of their requests.
type customerContacts struct {
	pref               notify.Preference
	lang, email, phone string
}

// message is the client's notice about t by e-mail or SMS, as they
// prefer; false when they are not to be told or cannot be reached.
func (c customerContacts) message(t *service.Ticket, template string) (notify.Message, bool) {
	m := notify.Message{Template: template, Lang: c.lang, TicketID: &t.ID, Args: map[string]string{
		"number": strconv.FormatInt(t.ID, 10), "subject": t.Subject, "status": string(t.Status), "token": t.PublicToken}}
	switch {
	case c.pref == notify.PreferNone:
		return m, false
	case c.email != "" && (c.pref == notify.PreferAuto || c.pref == notify.PreferEmail):
		m.Channel, m.To = notify.ChannelEmail, c.email
	case c.phone != "" && (c.pref == notify.PreferAuto || c.pref == notify.PreferSMS):
		m.Channel, m.To, m.Template = notify.ChannelSMS, c.phone, template+"_sms"
	default:
		return m, false
	}
	return m, true
}

// tellUser records an in-app notice for a user about a ticket, queues its
// e-mail when the user has an address, and wakes the user's bell: a read,
// then one batch.
func tellUser(ctx context.Context, tx pgx.Tx, userID int64, t *service.Ticket, kind string, args map[string]string, now time.Time) error {
	u := staff{id: userID}
	err := tx.QueryRow(ctx, `SELECT email, language, disabled FROM users WHERE id = $1`, userID).Scan(&u.email, &u.lang, &u.disabled)
	if err == pgx.ErrNoRows || (err == nil && u.disabled) {
		return nil
	}
	if err != nil {
		return translate(err, "notified user")
	}
	b := &pgx.Batch{}
	queueUserNotice(b, u, t, kind, args, now)
	return translate(tx.SendBatch(ctx, b).Close(), "notify")
}

// queueUsersNotice reads the users (one round trip) and queues tellUser's
// writes for each of them once, in order, on b.
func queueUsersNotice(ctx context.Context, tx pgx.Tx, b *pgx.Batch, users []*int64, t *service.Ticket, kind string, args map[string]string, now time.Time) error {
	var ids []int64
	seen := map[int64]bool{}
	for _, u := range users {
		if u != nil && !seen[*u] {
			seen[*u] = true
			ids = append(ids, *u)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT id, email, language, disabled FROM users WHERE id = ANY($1)`, ids)
	if err != nil {
		return translate(err, "notified users")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (staff, error) {
		var u staff
		err := r.Scan(&u.id, &u.email, &u.lang, &u.disabled)
		return u, err
	})
	if err != nil {
		return translate(err, "notified users")
	}
	found := make(map[int64]staff, len(list))
	for _, u := range list {
		found[u.id] = u
	}
	for _, id := range ids {
		u, ok := found[id]
		if !ok {
			continue
		}
		a := make(map[string]string, len(args)+2)
		for k, v := range args {
			a[k] = v
		}
		queueUserNotice(b, u, t, kind, a, now)
	}
	return nil
}

// tell queues the notices of one update's changes: the client hears of a
// new status, a new assignee (other than whoever assigned) of the
// assignment, and the owner (else the team lead) of a customer's e-mail.
func (c *changes) tell(ctx context.Context, customerMail bool) error {
	for _, e := range c.events {
		switch e.Field {
		case "status":
			if err := tellCustomer(ctx, c.tx, c.t, notify.TemplateStatus, c.at); err != nil {
				return err
			}
		case "assignee":
			if a := c.t.AssigneeID; a != nil && (c.user == nil || *c.user != *a) {
				if err := tellUser(ctx, c.tx, *a, c.t, NoticeAssigned, nil, c.at); err != nil {
					return err
				}
			}
		}
	}
	if !customerMail {
		return nil
	}
	who := c.t.AssigneeID
	if who == nil {
		lead, err := teamLead(ctx, c.tx, c.t.TeamID)
		if err != nil {
			return err
		}
		who = lead
	}
	if who == nil {
		return nil
	}
	return tellUser(ctx, c.tx, *who, c.t, NoticeReply, nil, c.at)
}

// teamLead returns the lead of a team (nil team or no lead: nil).
func teamLead(ctx context.Context, tx pgx.Tx, team *int64) (*int64, error) {
	if team == nil {
		return nil, nil
	}
	var lead *int64
	if err := tx.QueryRow(ctx, `SELECT lead_id FROM teams WHERE id = $1`, *team).Scan(&lead); err != nil && err != pgx.ErrNoRows {
		return nil, translate(err, "team lead")
	}
	return lead, nil
}

// supervisors returns the enabled supervisors' ids.
func supervisors(ctx context.Context, tx pgx.Tx) ([]*int64, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM users WHERE role = 'supervisor' AND NOT disabled ORDER BY id`)
	if err != nil {
		return nil, translate(err, "supervisors")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, translate(err, "supervisors")
	}
	out := make([]*int64, len(ids))
	for i := range ids {
		out[i] = &ids[i]
	}
	return out, nil
}

// ListenNotifications calls wake with the id of each user who gets a new
// in-app notification, on this replica or any other, until ctx ends (see
// Listen).
func (s *NotifyService) ListenNotifications(ctx context.Context, wake func(userID int64)) error {
	return s.Listen(ctx, map[string]func(string){NotifyChannel: bellWaker(wake)})
}

// bellWaker turns NotifyChannel's payloads into user ids.
func bellWaker(wake func(userID int64)) func(string) {
	return func(payload string) {
		if id, err := strconv.ParseInt(payload, 10, 64); err == nil {
			wake(id)
		}
	}
}

// ListenAll is ListenNotifications and, on the same connection, work
// calls with each kind announced on WorkChannel (and with "" after each
// (re)connection: anything may have changed meanwhile).
func (s *NotifyService) ListenAll(ctx context.Context, bell func(userID int64), work func(kind string)) error {
	return s.Listen(ctx, map[string]func(string){NotifyChannel: bellWaker(bell), WorkChannel: work})
}

// Listen calls the handler of each channel with the payload of each
// notification on it, from this replica or any other, until ctx ends; and
// with "" once LISTENing, after each (re)connection. It holds one
// connection and reconnects after a failure (notifying nobody in between:
// readers re-count on reconnect).
func (s *NotifyService) Listen(ctx context.Context, handlers map[string]func(payload string)) error {
	backoff := 500 * time.Millisecond
	for {
		err := s.listenOnce(ctx, handlers, func() { backoff = 500 * time.Millisecond })
		if ctx.Err() != nil {
			return nil
		}
		s.db.log.Warn("notification listener lost its connection", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (s *NotifyService) listenOnce(ctx context.Context, handlers map[string]func(string), connected func()) error {
	conn, err := s.db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The LISTEN belongs to this session: take the connection out of the
	// pool and close it afterwards rather than return a listening one.
	pc := conn.Hijack()
	defer pc.Close(context.Background())
	for ch := range handlers {
		if _, err := pc.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return err
		}
	}
	connected()
	for _, h := range handlers {
		h("")
	}
	for {
		n, err := pc.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if h := handlers[n.Channel]; h != nil {
			h(n.Payload)
		}
	}
}
