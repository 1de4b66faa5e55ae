package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm/funnel"
)

// firstCallDealsSQL opens in one statement the deals of the first calls
// among a batch of ended calls already in the call log ($1 nodes, $2
// linkedids, $3 customer numbers, $4 agents' logins, $5 start times, $6
// answered, $7 deal titles, $8 new clients' names, $9 their notes: the
// texts in the centre's language, funnel.FirstCallTexts). With deals opening from first calls (funnel_settings; the
// first column is NULL without its row), a call counts when it was
// answered by an agent who is a user; its client is the first with its
// number in FindClientsByPhone's order. The client is new when it has no
// deal and no logged call that started over a second before this one
// other than this one (the call itself is in the log already), or when no
// client has the number (an E.164 one: the client is then created, named
// after it and owned by the agent). One deal opens per new client or new
// number, from its earliest call of the batch, at the first stage of the
// default funnel, owned by the agent, dated when the call started. Replaying
// the batch opens nothing: the client has its deal by then. The ids of the
// new clients and deals are drawn first so that their rows can refer to each
// other within the statement; the foreign keys are checked, and the
// funnel's triggers run, at its end. It returns one row per deal opened
// (one row of NULLs after the setting when none).
const firstCallDealsSQL = `
WITH s AS (SELECT (SELECT auto_open_deals FROM funnel_settings WHERE id = 1) AS auto),
b AS (
	SELECT b.node, b.linkedid, b.customer, b.at, b.title, b.client_name, b.client_notes, u.id AS agent_id
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::boolean[],
		$7::text[], $8::text[], $9::text[])
		AS b(node, linkedid, customer, login, at, answered, title, client_name, client_notes)
	JOIN users u ON u.login = b.login
	WHERE (SELECT auto FROM s) AND b.answered AND b.customer <> ''
),
m AS (
	SELECT b.*, cl.id AS client_id, coalesce(cl.known, false) AS known
	FROM b LEFT JOIN LATERAL (
		SELECT c.id, EXISTS (SELECT 1 FROM deals WHERE client_id = c.id)
		       OR EXISTS (SELECT 1 FROM call_log l WHERE l.client_id = c.id
		                  AND l.started_at < b.at - interval '1 second'
		                  AND (l.node, l.linkedid) <> (b.node, b.linkedid)) AS known
		FROM clients c LEFT JOIN priority_classes p ON p.code = c.priority
		WHERE c.id IN (SELECT client_id FROM contacts WHERE kind = 'phone' AND value = b.customer)
		ORDER BY p.rank NULLS LAST, c.name, c.id LIMIT 1) cl ON true
),
f AS (
	SELECT DISTINCT ON (m.client_id, CASE WHEN m.client_id IS NULL THEN m.customer END) m.*
	FROM m
	WHERE NOT m.known AND (m.client_id IS NOT NULL OR m.customer ~ '^\+[1-9][0-9]{6,14}$')
	ORDER BY m.client_id, CASE WHEN m.client_id IS NULL THEN m.customer END, m.at, m.node, m.linkedid
),
n AS (
	SELECT f.*, fs.funnel_id, fs.stage_id,
		CASE WHEN f.client_id IS NULL THEN nextval(pg_get_serial_sequence('clients', 'id')) END AS new_client,
		nextval(pg_get_serial_sequence('deals', 'id')) AS deal_id
	FROM f, (SELECT fu.id AS funnel_id, (SELECT st.id FROM funnel_stages st WHERE st.funnel_id = fu.id
			ORDER BY st.position LIMIT 1) AS stage_id
		FROM funnels fu WHERE fu.is_default) fs
	WHERE fs.stage_id IS NOT NULL
),
new_clients AS (
	INSERT INTO clients (id, kind, name, priority, owner_id, notes) OVERRIDING SYSTEM VALUE
	SELECT n.new_client, 'person', n.client_name,
		(SELECT code FROM priority_classes ORDER BY rank DESC, code LIMIT 1), n.agent_id, n.client_notes
	FROM n WHERE n.new_client IS NOT NULL
),
new_contacts AS (
	INSERT INTO contacts (client_id, kind, value, raw)
	SELECT n.new_client, 'phone', n.customer, n.customer FROM n WHERE n.new_client IS NOT NULL
),
d AS (
	INSERT INTO deals (id, client_id, owner_id, funnel_id, stage_id, title, source, created_at, updated_at)
	OVERRIDING SYSTEM VALUE
	SELECT n.deal_id, coalesce(n.client_id, n.new_client), n.agent_id, n.funnel_id, n.stage_id, n.title, 'call', n.at, n.at
	FROM n
),
changes AS (
	INSERT INTO stage_changes (deal_id, funnel_id, to_stage_id, owner_id, user_id, at)
	SELECT n.deal_id, n.funnel_id, n.stage_id, n.agent_id, n.agent_id, n.at FROM n
)
SELECT s.auto, n.deal_id, coalesce(n.client_id, n.new_client), n.agent_id, n.funnel_id, n.stage_id, n.title, n.at,
	n.customer, n.new_client IS NOT NULL
FROM s LEFT JOIN n ON true`

// linkFirstCallsSQL gives calls of a batch ($1 nodes, $2 linkedids) whose
// numbers had no client when they were logged the client their first call
// created, as SaveCalls would have had the client existed when it wrote
// them. addCallInteractions, queued after it, puts them on the clients'
// timelines.
const linkFirstCallsSQL = `
UPDATE calls c SET client_id = (SELECT min(ct.client_id) FROM contacts ct WHERE ct.kind = 'phone' AND ct.value = c.customer)
FROM unnest($1::text[], $2::text[]) AS b(node, linkedid)
JOIN call_keys k ON k.node = b.node AND k.linkedid = b.linkedid
WHERE c.node = k.node AND c.linkedid = k.linkedid AND c.started_at = k.started_at AND c.client_id IS NULL`

// firstCallArgs are a batch's calls as the arrays firstCallDealsSQL
// unnests.
type firstCallArgs struct {
	nodes, linkedids, customers, logins []string
	at                                  []time.Time
	answered                            []bool
	titles, names, notes                []string
}

func newFirstCallArgs(calls []funnel.Call) firstCallArgs {
	a := firstCallArgs{nodes: make([]string, len(calls)), linkedids: make([]string, len(calls)),
		customers: make([]string, len(calls)), logins: make([]string, len(calls)),
		at: make([]time.Time, len(calls)), answered: make([]bool, len(calls)),
		titles: make([]string, len(calls)), names: make([]string, len(calls)), notes: make([]string, len(calls))}
	for i, c := range calls {
		a.nodes[i], a.linkedids[i], a.customers[i] = c.Node, c.LinkedID, c.Customer
		a.logins[i] = strings.ToLower(strings.TrimSpace(c.Agent))
		a.at[i], a.answered[i] = c.At, c.Answered
		a.titles[i], a.names[i], a.notes[i] = c.Texts.DealTitle, c.Texts.ClientName, c.Texts.ClientNotes
	}
	return a
}

// OpenFirstCallDeals opens the deals of the first calls among calls, ended
// calls already in the call log (see funnel.FirstCallStore), in one round
// trip; a second one, only when clients were created, links the batch's
// calls with their numbers to them (the call log row and the client's
// timeline). It is idempotent.
func (s *FunnelService) OpenFirstCallDeals(ctx context.Context, calls []funnel.Call) ([]funnel.Deal, error) {
	if len(calls) == 0 {
		return nil, nil
	}
	a := newFirstCallArgs(calls)
	rows, err := s.db.pool.Query(ctx, firstCallDealsSQL, a.nodes, a.linkedids, a.customers, a.logins, a.at, a.answered,
		a.titles, a.names, a.notes)
	if err != nil {
		return nil, funnelErr(err, "open deals from first calls")
	}
	var auto *bool
	var deals []funnel.Deal
	var created []string // numbers of the clients created
	for rows.Next() {
		var id, clientID, ownerID, funnelID, stageID *int64
		var title, customer *string
		var at *time.Time
		var newClient *bool
		if err := rows.Scan(&auto, &id, &clientID, &ownerID, &funnelID, &stageID, &title, &at, &customer, &newClient); err != nil {
			rows.Close()
			return nil, funnelErr(err, "open deals from first calls")
		}
		if id == nil {
			continue
		}
		deals = append(deals, funnel.Deal{ID: *id, ClientID: *clientID, OwnerID: *ownerID, FunnelID: *funnelID,
			StageID: *stageID, Title: *title, Currency: "RUB",
			Status: funnel.StatusOpen, Source: "call", CreatedAt: *at, UpdatedAt: *at})
		if *newClient {
			created = append(created, *customer)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, funnelErr(err, "open deals from first calls")
	}
	if auto == nil {
		return nil, funnelErr(pgx.ErrNoRows, "funnel settings")
	}
	if len(created) > 0 {
		if err := s.linkFirstCalls(ctx, a, created); err != nil {
			return deals, err
		}
	}
	return deals, nil
}

// linkFirstCalls links the calls of a batch with the numbers of the
// clients its first calls created to them, in one round trip.
func (s *FunnelService) linkFirstCalls(ctx context.Context, a firstCallArgs, numbers []string) error {
	var nodes, linkedids []string
	for i, c := range a.customers {
		if slices.Contains(numbers, c) {
			nodes, linkedids = append(nodes, a.nodes[i]), append(linkedids, a.linkedids[i])
		}
	}
	b := &pgx.Batch{}
	b.Queue(linkFirstCallsSQL, nodes, linkedids)
	b.Queue(addCallInteractions, nodes, linkedids)
	if err := s.db.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("link first calls to their new clients: %w", err)
	}
	return nil
}
