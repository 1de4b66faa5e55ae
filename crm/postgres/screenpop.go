package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/telephony"
)

// The queries behind the screen pop (telephony/screenpop): each is one
// indexed round trip, since they run while the agent's phone rings.

// RecentInteractions returns the last perClient timeline entries of each of
// the clients, newest first, in one query (interactions_timeline index).
func (s *ScreenPopService) RecentInteractions(ctx context.Context, clientIDs []int64, perClient int) (map[int64][]crm.Interaction, error) {
	out := make(map[int64][]crm.Interaction, len(clientIDs))
	if len(clientIDs) == 0 || perClient <= 0 {
		return out, nil
	}
	rows, err := s.db.pool.Query(ctx, `SELECT `+interactionColumns+`
		FROM unnest($1::bigint[]) AS c(id)
		CROSS JOIN LATERAL (SELECT * FROM interactions WHERE client_id = c.id
			ORDER BY at DESC, id DESC LIMIT $2) i
		ORDER BY i.client_id, i.at DESC, i.id DESC`, clientIDs, perClient)
	if err != nil {
		return nil, translate(err, "recent interactions")
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (crm.Interaction, error) { return scanInteraction(r) })
	if err != nil {
		return nil, translate(err, "recent interactions")
	}
	for _, i := range items {
		out[i.ClientID] = append(out[i.ClientID], i)
	}
	return out, nil
}

// interactionColumns are the columns scanInteraction reads, of i.
const interactionColumns = `i.id, i.client_id, i.kind, i.at, i.user_id, i.summary, i.body, i.ref_type, i.ref_id, i.created_at`

func scanInteraction(r pgx.Row) (crm.Interaction, error) {
	var i crm.Interaction
	err := r.Scan(&i.ID, &i.ClientID, &i.Kind, &i.At, &i.UserID, &i.Summary, &i.Body, &i.RefType, &i.RefID, &i.CreatedAt)
	return i, err
}

// UserNames returns the display names (the login when no name is set) of
// the given users; unknown ids are absent.
func (s *ScreenPopService) UserNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.pool.Query(ctx, `SELECT id, CASE WHEN name = '' THEN login ELSE name END
		FROM users WHERE id = ANY($1::bigint[])`, ids)
	if err != nil {
		return nil, translate(err, "user names")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, translate(err, "user names")
		}
		out[id] = name
	}
	return out, translate(rows.Err(), "user names")
}

// AgentForEndpoint returns the login of the enabled user behind a telephony
// endpoint; found is false when the endpoint is nobody's.
func (s *ScreenPopService) AgentForEndpoint(ctx context.Context, endpoint string) (string, bool, error) {
	var login string
	err := s.db.pool.QueryRow(ctx, `SELECT u.login FROM user_endpoints e JOIN users u ON u.id = e.user_id
		WHERE e.endpoint = $1 AND NOT u.disabled`, endpoint).Scan(&login)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, translate(err, "agent for endpoint")
	}
	return login, true, nil
}

// RouteByPhone returns, for the best-ranked client with the number, its
// priority class and its owner's first endpoint (when the owner is enabled
// and has one), for the dialplan's routing hint. found is false for a
// number no client has.
func (s *ScreenPopService) RouteByPhone(ctx context.Context, e164 string) (priority, ownerEndpoint string, found bool, err error) {
	err = s.db.pool.QueryRow(ctx, `SELECT coalesce(c.priority, ''), coalesce((SELECT e.endpoint FROM user_endpoints e
			JOIN users u ON u.id = e.user_id WHERE e.user_id = c.owner_id AND NOT u.disabled
			ORDER BY e.endpoint LIMIT 1), '')
		FROM contacts ct JOIN clients c ON c.id = ct.client_id
		LEFT JOIN priority_classes pc ON pc.code = c.priority
		WHERE ct.kind = 'phone' AND ct.value = $1
		ORDER BY pc.rank NULLS LAST, c.id LIMIT 1`, e164).Scan(&priority, &ownerEndpoint)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, translate(err, "route by phone")
	}
	return priority, ownerEndpoint, true, nil
}

// AgentCallsSince returns the calls an agent rang or talked on since a
// moment (the console's "today's calls"), newest first. Consultation calls
// folded into others are left out.
func (s *ScreenPopService) AgentCallsSince(ctx context.Context, login string, since time.Time, limit int) ([]telephony.Call, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.db.pool.Query(ctx, `SELECT linkedid, node, direction, outcome, caller, caller_name, callee, customer,
			agent, agents, started_at, answered_at, ended_at, wait_seconds, ring_seconds, talk_seconds, hold_seconds
		FROM calls WHERE agents @> ARRAY[$1]::text[] AND started_at >= $2 AND merged_into IS NULL
		ORDER BY started_at DESC LIMIT $3`, login, since, limit)
	if err != nil {
		return nil, translate(err, "agent calls")
	}
	calls, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (telephony.Call, error) {
		var c telephony.Call
		err := r.Scan(&c.LinkedID, &c.Node, &c.Direction, &c.Outcome, &c.Caller, &c.CallerName, &c.Callee, &c.Customer,
			&c.Agent, &c.Agents, &c.StartedAt, &c.AnsweredAt, &c.EndedAt, &c.WaitSeconds, &c.RingSeconds, &c.TalkSeconds, &c.HoldSeconds)
		return c, err
	})
	if err != nil {
		return nil, translate(err, "agent calls")
	}
	return calls, nil
}

// ListPriorityClasses returns the priority classes the card classifies the
// caller by (screenpop.Directory).
func (s *ScreenPopService) ListPriorityClasses(ctx context.Context) ([]crm.PriorityClass, error) {
	return (&PriorityService{db: s.db}).List(ctx)
}
