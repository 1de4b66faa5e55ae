package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"hotline/telephony"
)

var _ telephony.CallStore = (*CallService)(nil)

// batchUpdates are the updates of a batch ($1, a JSON array of
// CallUpdates) with their position, and batchNewest the newest one of
// each call (the later one of equal versions): the one whose record is
// written.
const (
	batchUpdates = `
SELECT u.r, u.i, u.r->'call' AS call, u.r->'call'->>'node' AS node, u.r->'call'->>'linkedid' AS linkedid
FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS u(r, i)`
	batchNewest = `
SELECT DISTINCT ON (b.node, b.linkedid) b.*
FROM (` + batchUpdates + `) b
ORDER BY b.node, b.linkedid, (b.r->>'version')::int DESC, b.i DESC`
)

// fixCallKeys records the started_at of each call of a batch seen for the
// first time; the month partition of its row follows from it for good
// (migration 00120).
const fixCallKeys = `
INSERT INTO call_keys (node, linkedid, started_at)
SELECT n.node, n.linkedid, (n.call->>'started_at')::timestamptz
FROM (` + batchNewest + `) n
ON CONFLICT (node, linkedid) DO NOTHING`

// upsertCalls inserts or updates a batch of calls; a row is replaced only
// by a newer version, except that an ended call is never reopened and an
// update that ends an open call always applies: after a fail-over two
// replicas may write the same call (the survivor's, and the killed
// replica's spool replayed when it restarts), and their versions count
// different histories. Its timeline gets the entries of the update newer
// than its last one (so that replaying a batch that overlaps stored
// updates adds no entry twice). A new call gets the client whose phone
// contact is the call's customer number. started_at is the one fixed in
// call_keys at the call's first write, so the row stays in its partition.
const upsertCalls = `
WITH n AS (` + batchNewest + `),
tl AS (
    SELECT b.node, b.linkedid, jsonb_agg(e.v ORDER BY b.i, e.j) AS timeline
    FROM (` + batchUpdates + `) b, jsonb_array_elements(b.r->'timeline') WITH ORDINALITY AS e(v, j)
    GROUP BY b.node, b.linkedid)
INSERT INTO calls AS c (node, linkedid, version, direction, outcome, caller, caller_name, callee,
    customer, client_id, agent, agents, started_at, answered_at, ended_at, wait_seconds,
    ring_seconds, talk_seconds, hold_seconds, hangup_cause, hangup_cause_text, hangup_by,
    transfers, closed_by_reconciliation, gaps, merged_into, legs, state, timeline)
SELECT n.node, n.linkedid, (n.r->>'version')::int, r.direction, r.outcome, r.caller, coalesce(r.caller_name, ''),
    r.callee, coalesce(r.customer, ''),
    (SELECT min(ct.client_id) FROM contacts ct WHERE ct.kind = 'phone' AND ct.value = r.customer),
    coalesce(r.agent, ''), coalesce(ARRAY(SELECT jsonb_array_elements_text(r.agents)), '{}'),
    k.started_at, r.answered_at, r.ended_at, r.wait_seconds, r.ring_seconds, r.talk_seconds,
    r.hold_seconds, r.hangup_cause, coalesce(r.hangup_cause_text, ''), coalesce(r.hangup_by, ''),
    coalesce(r.transfers, '[]'), r.closed_by_reconciliation, r.gaps, r.merged_into,
    coalesce(r.legs, '[]'), (n.r->'state')::json, coalesce(tl.timeline, '[]')
FROM n
CROSS JOIN LATERAL jsonb_to_record(n.call) AS r(direction text, outcome text, caller text,
    caller_name text, callee text, customer text, agent text, agents jsonb, answered_at timestamptz,
    ended_at timestamptz, wait_seconds double precision, ring_seconds double precision,
    talk_seconds double precision, hold_seconds double precision, hangup_cause integer,
    hangup_cause_text text, hangup_by text, transfers jsonb, closed_by_reconciliation boolean,
    gaps integer, merged_into text, legs jsonb)
JOIN call_keys k ON k.node = n.node AND k.linkedid = n.linkedid
LEFT JOIN tl ON tl.node = n.node AND tl.linkedid = n.linkedid
ON CONFLICT (node, linkedid, started_at) DO UPDATE SET
    version = excluded.version, direction = excluded.direction, outcome = excluded.outcome,
    caller = excluded.caller, caller_name = excluded.caller_name, callee = excluded.callee,
    customer = excluded.customer,
    client_id = CASE WHEN c.customer = excluded.customer THEN coalesce(c.client_id, excluded.client_id)
                     ELSE excluded.client_id END,
    agent = excluded.agent, agents = excluded.agents, started_at = excluded.started_at,
    answered_at = excluded.answered_at, ended_at = excluded.ended_at,
    wait_seconds = excluded.wait_seconds, ring_seconds = excluded.ring_seconds,
    talk_seconds = excluded.talk_seconds, hold_seconds = excluded.hold_seconds,
    hangup_cause = excluded.hangup_cause, hangup_cause_text = excluded.hangup_cause_text,
    hangup_by = excluded.hangup_by, transfers = excluded.transfers,
    closed_by_reconciliation = excluded.closed_by_reconciliation, gaps = excluded.gaps,
    merged_into = excluded.merged_into,
    legs = excluded.legs, state = excluded.state, updated_at = now(),
    timeline = CASE
        WHEN jsonb_array_length(excluded.timeline) = 0 THEN c.timeline
        WHEN (excluded.timeline->0->>'seq')::int > coalesce((c.timeline->-1->>'seq')::int, -1)
            THEN c.timeline || excluded.timeline
        ELSE c.timeline || coalesce((SELECT jsonb_agg(e.v ORDER BY e.i)
            FROM jsonb_array_elements(excluded.timeline) WITH ORDINALITY AS e(v, i)
            WHERE (e.v->>'seq')::int > coalesce((c.timeline->-1->>'seq')::int, -1)), '[]')
        END
WHERE (c.version < excluded.version AND (c.ended_at IS NULL OR excluded.ended_at IS NOT NULL))
    OR (c.ended_at IS NULL AND excluded.ended_at IS NOT NULL)`

// callInteractions puts each ended call of the calls b (node, linkedid)
// it is given on the timeline of every client whose phone contact is its
// customer number, once (interactions_ref): replaying a batch adds nothing.
const (
	callInteractions = `
INSERT INTO interactions (client_id, kind, at, user_id, summary, body, ref_type, ref_id)
SELECT ct.client_id, 'call', c.started_at, (SELECT u.id FROM users u WHERE u.login = c.agent AND c.agent <> ''),
    initcap(c.direction) || ' call, ' || replace(c.outcome, '_', ' ') ||
        CASE WHEN c.agent <> '' THEN ', agent ' || c.agent ELSE '' END ||
        CASE WHEN c.talk_seconds > 0 THEN ', talk ' || round(c.talk_seconds)::int || ' s' ELSE '' END,
    c.caller || ' -> ' || c.callee, 'call', c.id::text
FROM `
	callInteractionsOf = `
JOIN call_keys k ON k.node = b.node AND k.linkedid = b.linkedid
JOIN calls c ON c.node = k.node AND c.linkedid = k.linkedid AND c.started_at = k.started_at
JOIN contacts ct ON ct.kind = 'phone' AND ct.value = c.customer
WHERE c.ended_at IS NOT NULL AND c.merged_into IS NULL`
	callInteractionsOnce = `
ON CONFLICT (client_id, ref_type, ref_id) WHERE ref_type <> '' DO NOTHING`

	// addCallInteractions: the calls of $1 nodes, $2 linkedids.
	addCallInteractions = callInteractions + `unnest($1::text[], $2::text[]) AS b(node, linkedid)` +
		callInteractionsOf + callInteractionsOnce
	// addBatchCallInteractions: the calls a batch of updates ends (the
	// newest update of the call has ended_at).
	addBatchCallInteractions = callInteractions + `(` + batchNewest + `) b` +
		callInteractionsOf + ` AND b.call->>'ended_at' IS NOT NULL` + callInteractionsOnce
)

// SaveCalls writes a batch of tracker updates, each record the JSON
// encoding of a telephony.CallUpdate, in one transaction and one round
// trip: the records go as they are, joined into one JSON array, and
// PostgreSQL reduces several updates of a call to the newest one's record
// and the timeline entries of them all. The call keys, the calls and the
// client timeline entries of the ended ones go as one pipelined batch,
// which PostgreSQL runs as one implicit transaction (a failing statement
// undoes them all). It is idempotent: replaying updates (after a crash or
// a spool replay) changes nothing, and each call appears on a client's
// timeline once. Strings are stored as the records hold them: the journal
// writes invalid UTF-8 as U+FFFD.
func (s *CallService) SaveCalls(ctx context.Context, records [][]byte) error {
	if len(records) == 0 {
		return nil
	}
	batch := joinRecords(records)
	// The keys in a statement of their own: the upsert's snapshot then sees
	// keys that a concurrent writer of the same call committed while this
	// one waited. The timeline insert's snapshot sees the upserted rows.
	b := &pgx.Batch{}
	b.Queue(fixCallKeys, batch)
	b.Queue(upsertCalls, batch)
	b.Queue(addBatchCallInteractions, batch)
	res := s.db.pool.SendBatch(ctx, b)
	for _, step := range []string{"fix call keys", "upsert calls", "add calls to client timelines"} {
		if _, err := res.Exec(); err != nil {
			_ = res.Close()
			return fmt.Errorf("%s: %w", step, err)
		}
	}
	if err := res.Close(); err != nil {
		return fmt.Errorf("save calls: %w", err)
	}
	return nil
}

// joinRecords makes the JSON array of records, the statements' parameter.
func joinRecords(records [][]byte) []byte {
	n := len(records) + 1
	for _, r := range records {
		n += len(r)
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, r := range records {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	return append(b, ']')
}

// OpenCalls returns the latest update of every call of node that has not
// ended, so that the tracker resumes them after a restart.
func (s *CallService) OpenCalls(ctx context.Context, node string) ([]telephony.CallUpdate, error) {
	rows, err := s.db.pool.Query(ctx, `
SELECT c.version, c.state, row_to_json(x)
FROM calls c, LATERAL (SELECT c.node, c.linkedid, c.direction, c.outcome, c.caller, c.caller_name,
    c.callee, c.customer, c.agent, c.agents, c.started_at, c.answered_at, c.ended_at,
    c.wait_seconds, c.ring_seconds, c.talk_seconds, c.hold_seconds, c.hangup_cause,
    c.hangup_cause_text, c.hangup_by, c.transfers, c.closed_by_reconciliation, c.gaps, c.legs) x
WHERE c.node = $1 AND c.ended_at IS NULL AND c.merged_into IS NULL
ORDER BY c.started_at`, node)
	if err != nil {
		return nil, fmt.Errorf("list open calls of %s: %w", node, err)
	}
	defer rows.Close()
	var out []telephony.CallUpdate
	for rows.Next() {
		var u telephony.CallUpdate
		var state, rec []byte
		if err := rows.Scan(&u.Version, &state, &rec); err != nil {
			return nil, fmt.Errorf("list open calls of %s: %w", node, err)
		}
		if err := json.Unmarshal(rec, &u.Call); err != nil {
			return nil, fmt.Errorf("decode open call: %w", err)
		}
		u.State = state
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list open calls of %s: %w", node, err)
	}
	return out, nil
}
