package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/service"
)

// Callback requests: a missed or abandoned inbound call of a known client
// opens a request with its SLA clock running from the call, once per call,
// unless the client's priority class opts out; a later answered call with
// the same number (either direction) resolves it as handled. The request is
// assigned to the client's owner, when the owner's account is active, so it
// lands in that agent's list; otherwise supervisors dispatch it.

// CallbackCategory is the category of callback requests.
const CallbackCategory = "callback"

// SetCallbacks turns callback requests on or off for a priority class.
func (s *TicketService) SetCallbacks(ctx context.Context, priority string, enabled bool) error {
	_, err := s.db.pool.Exec(ctx, `INSERT INTO callback_settings (priority, enabled) VALUES ($1, $2)
		ON CONFLICT (priority) DO UPDATE SET enabled = EXCLUDED.enabled`, priority, enabled)
	if err != nil {
		return crm.Invalid("priority", "is not a known priority class")
	}
	return nil
}

type missedCall struct {
	node, linkedid, customer string
	clientID                 int64
	owner                    *int64
	at                       time.Time
	open                     bool // a callback request for the number was open
}

// Each sync reads only the missed calls written (inserted or updated,
// calls.updated_at, the database's clock) since its last successful round,
// less missedOverlap for writes that committed after that round began; a
// spool replayed late by another replica writes its calls then, so they
// are read too. Every missedSweep it reads the whole window again, so that
// what makes older missed calls call for a callback after all (callback
// requests turned on for a priority class, a client's class changed, a
// ticket deleted) counts as before, within that time.
const (
	missedOverlap = time.Minute
	missedSweep   = 10 * time.Minute
)

// missedMark is where the syncs of callback requests got to: the database
// time at which the last successful round began, and the last full one.
type missedMark struct {
	mu        sync.Mutex
	at, sweep time.Time
}

// since returns the lower bound of calls.updated_at for the next round;
// zero for a full one.
func (m *missedMark) since() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.at.IsZero() || m.at.Sub(m.sweep) >= missedSweep {
		return time.Time{}
	}
	return m.at.Add(-missedOverlap)
}

// done records a successful round that began at at (full: from the start
// of the window).
func (m *missedMark) done(at time.Time, full bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.at = at
	if full {
		m.sweep = at
	}
}

// missedCallsSQL reads the missed inbound calls of known clients that
// ended since $1 (by their start) and opened no callback request yet, nor
// were attached to one, nor followed by an answered call. missedCallsSince
// adds the calls' write time.
const missedCallsSQL = `SELECT c.node, c.linkedid, c.customer, c.client_id, coalesce(c.ended_at, c.started_at),
	       CASE WHEN NOT owner.disabled THEN owner.id END,
	       EXISTS (SELECT 1 FROM tickets o WHERE o.callback_number = c.customer AND o.status NOT IN ('resolved', 'closed'))
	FROM calls c LEFT JOIN clients cl ON cl.id = c.client_id
	LEFT JOIN users owner ON owner.id = cl.owner_id
	LEFT JOIN callback_settings cs ON cs.priority = cl.priority
	WHERE c.started_at >= $1 AND c.ended_at IS NOT NULL AND c.merged_into IS NULL
	  AND c.direction = 'inbound' AND c.outcome IN ('abandoned', 'no_answer', 'busy')
	  AND c.client_id IS NOT NULL AND c.customer <> '' AND coalesce(cs.enabled, true)
	  AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.external_ref = 'call/' || c.node || '/' || c.linkedid)
	  AND NOT EXISTS (SELECT 1 FROM ticket_calls tc JOIN tickets t ON t.id = tc.ticket_id
	                  WHERE tc.linkedid = c.linkedid AND t.category = 'callback')
	  AND NOT EXISTS (SELECT 1 FROM calls a WHERE a.customer = c.customer AND a.outcome = 'answered'
	                  AND a.started_at > c.started_at)`

const (
	missedCallsAll   = missedCallsSQL + ` ORDER BY c.started_at`
	missedCallsSince = missedCallsSQL + ` AND c.updated_at >= $2 ORDER BY c.started_at`
)

// handledCallbacksSQL reads the open callback requests whose number had
// an answered call after the missed call, with the first such call.
// The missed call is found by its key (node and linkedid, read back from
// the request's external_ref) rather than by the whole call log.
const handledCallbacksSQL = `SELECT t.id, a.linkedid FROM tickets t
	JOIN calls m ON m.node = substring(t.external_ref from '^call/(.*)/[^/]*$')
	            AND m.linkedid = substring(t.external_ref from '[^/]*$')
	            AND 'call/' || m.node || '/' || m.linkedid = t.external_ref
	JOIN LATERAL (SELECT linkedid FROM calls a WHERE a.customer = m.customer AND a.outcome = 'answered'
	              AND a.started_at > m.started_at ORDER BY a.started_at LIMIT 1) a ON true
	WHERE t.category = $1 AND t.status NOT IN ('resolved', 'closed')`

// handledCallback is an open callback request and the answered call that
// handled it.
type handledCallback struct {
	id       int64
	linkedid string
}

// SyncCallbacks opens callback requests for the missed calls that ended in
// the window before now and resolves open ones that a later answered call
// handled. It returns how many it opened and resolved. Reading both takes
// one round trip; a round with nothing to do costs no more.
func (s *TicketService) SyncCallbacks(ctx context.Context, now time.Time, window time.Duration) (opened, resolved int, err error) {
	since := s.missed.since()
	var began time.Time
	var missed []missedCall
	var handled []handledCallback
	b := &pgx.Batch{}
	b.Queue(`SELECT now()`).QueryRow(func(r pgx.Row) error { return r.Scan(&began) })
	if since.IsZero() {
		b.Queue(missedCallsAll, now.Add(-window)).Query(collectInto(&missed, scanMissedCall))
	} else {
		b.Queue(missedCallsSince, now.Add(-window), since).Query(collectInto(&missed, scanMissedCall))
	}
	b.Queue(handledCallbacksSQL, CallbackCategory).Query(collectInto(&handled, func(r pgx.CollectableRow) (handledCallback, error) {
		var h handledCallback
		err := r.Scan(&h.id, &h.linkedid)
		return h, err
	}))
	if err := s.db.pool.SendBatch(ctx, b).Close(); err != nil {
		return 0, 0, translate(err, "missed calls")
	}
	for _, m := range missed {
		ok, err := s.openCallback(ctx, m)
		if err != nil {
			return opened, resolved, fmt.Errorf("open callback for %s: %w", m.linkedid, err)
		}
		if ok {
			opened++
		}
	}
	resolved, err = s.resolveHandledCallbacks(ctx, handled)
	if err == nil {
		s.missed.done(began, since.IsZero())
	}
	return opened, resolved, err
}

func scanMissedCall(r pgx.CollectableRow) (missedCall, error) {
	var m missedCall
	err := r.Scan(&m.node, &m.linkedid, &m.customer, &m.clientID, &m.at, &m.owner, &m.open)
	return m, err
}

// collectInto is a batch query's callback that collects its rows into out.
func collectInto[T any](out *[]T, scan pgx.RowToFunc[T]) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		var err error
		*out, err = pgx.CollectRows(rows, scan)
		return err
	}
}

// resolveHandledCallbacks resolves the open callback requests whose
// number had an answered call after the request was opened.
func (s *TicketService) resolveHandledCallbacks(ctx context.Context, list []handledCallback) (int, error) {
	n := 0
	for _, h := range list {
		err := s.resolveCallback(ctx, h)
		if err != nil && !crm.IsKind(err, crm.KindConflict) {
			return n, fmt.Errorf("resolve callback %d: %w", h.id, err)
		}
		if err == nil {
			n++
		}
	}
	return n, nil
}

// openCallback opens the callback request of a missed call, or, while one
// for the same number is open, adds the call to it as another attempt
// (tried first when the read of missed calls saw one open). The
// unique index on open callback numbers settles races between replicas
// (and between two missed calls at once): the loser adds its attempt. It
// reports whether a request was opened.
func (s *TicketService) openCallback(ctx context.Context, m missedCall) (bool, error) {
	for range 3 { // the open request may be resolved between the two steps
		if m.open { // another attempt, most likely: no opening to refuse first
			added, err := s.addCallbackAttempt(ctx, m)
			if err != nil || added {
				return false, err
			}
		}
		t := service.Ticket{ClientID: m.clientID, Subject: "Call back " + m.customer + ": missed call", Category: CallbackCategory,
			Description: fmt.Sprintf("Inbound call %s from %s was not answered.", m.linkedid, m.customer),
			Calls:       []string{m.linkedid}, ExternalRef: "call/" + m.node + "/" + m.linkedid, CreatedAt: m.at, AssigneeID: m.owner,
			CallbackNumber: m.customer}
		err := s.CreateTicket(ctx, &t)
		if err == nil {
			return true, nil
		}
		var ce *crm.Error
		if !errors.As(err, &ce) || ce.Kind != crm.KindConflict {
			return false, err
		}
		if ce.Field == "external_ref" {
			return false, nil // this very call already opened one
		}
		m.open = true
	}
	return false, fmt.Errorf("callback for %s: the open request kept changing", m.customer)
}

// addCallbackAttempt links a missed call to the open callback request of
// its number, counting an attempt once per call, with the call and the
// count in the request's history: one statement. It reports false when no
// request for the number is open any more.
func (s *TicketService) addCallbackAttempt(ctx context.Context, m missedCall) (bool, error) {
	var found bool
	err := s.db.pool.QueryRow(ctx, `WITH open AS (
			SELECT id FROM tickets WHERE callback_number = $1 AND status NOT IN ('resolved', 'closed') FOR UPDATE),
		linked AS (INSERT INTO ticket_calls (ticket_id, linkedid, at) SELECT id, $2, $3 FROM open
			ON CONFLICT DO NOTHING RETURNING ticket_id),
		counted AS (UPDATE tickets t SET callback_attempts = t.callback_attempts + 1, updated_at = $4
			FROM linked l WHERE t.id = l.ticket_id RETURNING t.id, t.callback_attempts),
		history AS (INSERT INTO ticket_events (ticket_id, at, kind, field, old_value, new_value, body)
			SELECT c.id, $3, e.kind, e.field,
			       CASE WHEN e.n = 2 THEN (c.callback_attempts - 1)::text ELSE '' END,
			       CASE WHEN e.n = 2 THEN c.callback_attempts::text ELSE $2 END,
			       CASE WHEN e.n = 2 THEN $5 ELSE '' END
			FROM counted c CROSS JOIN (VALUES (1, $6, ''), (2, $7, 'callback_attempts')) AS e(n, kind, field)
			ORDER BY e.n)
		SELECT EXISTS (SELECT 1 FROM open)`,
		m.customer, m.linkedid, m.at, s.db.now(), fmt.Sprintf("Missed call %s from %s again", m.linkedid, m.customer),
		string(service.EventCall), string(service.EventChange)).Scan(&found)
	return found, translate(err, "add callback attempt")
}

// resolveCallback attaches the answered call to the callback request and
// resolves it, in one transaction; when the request cannot be resolved
// (KindConflict) the call is attached all the same.
func (s *TicketService) resolveCallback(ctx context.Context, h handledCallback) error {
	var conflict error
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		queueCallLinks(b, h.id, []string{h.linkedid}, s.db.now(), nil)
		st := service.StatusResolved
		_, err := s.updateTicket(ctx, tx, h.id, service.TicketUpdate{Status: &st, Comment: "Handled by the answered call " + h.linkedid}, nil, b)
		if crm.IsKind(err, crm.KindConflict) {
			conflict = err // refused before anything was written: the call alone
			return translate(tx.SendBatch(ctx, b).Close(), "link call")
		}
		return err
	})
	if err != nil {
		return err
	}
	return conflict
}
