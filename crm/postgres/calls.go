package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"hotline/telephony"
)

var _ telephony.CallStore = (*CallService)(nil)

// saveCalls writes a batch of call updates, $1 a JSON array of
// CallUpdates, in one statement:
//
//   - u: the updates, the batch parsed once (as jsonb: the call's legs,
//     transfers and timeline are then jsonb already), with their position;
//   - n: the newest update of each call (the later one of equal
//     versions), the one whose record is written, and how many the batch
//     has; tl: the timeline entries of every update of a call that has
//     several, each seq once (the later update's), in seq order;
//   - new_keys, keys: call_keys fixes the started_at of each call seen for
//     the first time, so that its row stays in its month partition
//     (migration 00120). A key that a concurrent writer of the same call
//     committed while this statement waited is in neither (the snapshot
//     predates it): the statement returns how many calls it so skipped,
//     and SaveCalls runs it again;
//   - up: the upsert (upsertCalls);
//   - ended, added: every call whose newest update ends it goes on the
//     timeline of each client whose phone contact is its customer number,
//     once (callInteractions): the row as this statement wrote it, or as
//     stored when the update did not apply (a replay).
const saveCalls = `
WITH u AS MATERIALIZED (
    SELECT x.i, (x.r->>'version')::int AS version, x.r->'timeline' AS timeline, x.r->'state' AS state, r.*
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(r, i)
    CROSS JOIN LATERAL jsonb_to_record(x.r->'call') AS r(node text, linkedid text, direction text,
        outcome text, caller text, caller_name text, callee text, customer text, agent text,
        agents jsonb, started_at timestamptz, answered_at timestamptz, ended_at timestamptz,
        wait_seconds double precision, ring_seconds double precision, talk_seconds double precision,
        hold_seconds double precision, hangup_cause integer, hangup_cause_text text, hangup_by text,
        transfers jsonb, closed_by_reconciliation boolean, gaps integer, merged_into text, legs jsonb)
),
n AS MATERIALIZED (
    SELECT DISTINCT ON (u.node, u.linkedid) u.*, count(*) OVER (PARTITION BY u.node, u.linkedid
        ORDER BY u.version DESC, u.i DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS updates
    FROM u
    ORDER BY u.node, u.linkedid, u.version DESC, u.i DESC
),
tl AS (
    SELECT t.node, t.linkedid, jsonb_agg(t.v ORDER BY t.seq) AS timeline
    FROM (
        SELECT DISTINCT ON (u.node, u.linkedid, (e.v->>'seq')::int) u.node, u.linkedid,
            (e.v->>'seq')::int AS seq, e.v
        FROM n
        JOIN u ON u.node = n.node AND u.linkedid = n.linkedid
        CROSS JOIN LATERAL jsonb_array_elements(u.timeline) AS e(v)
        WHERE n.updates > 1
        ORDER BY u.node, u.linkedid, (e.v->>'seq')::int, u.i DESC) t
    GROUP BY t.node, t.linkedid
),
new_keys AS (
    INSERT INTO call_keys (node, linkedid, started_at)
    SELECT n.node, n.linkedid, n.started_at FROM n
    ON CONFLICT (node, linkedid) DO NOTHING
    RETURNING node, linkedid, started_at
),
keys AS (
    SELECT * FROM new_keys
    UNION ALL
    SELECT k.node, k.linkedid, k.started_at FROM n JOIN call_keys k ON k.node = n.node AND k.linkedid = n.linkedid
),
up AS (` + upsertCalls + `
    RETURNING ` + callInteractionColumns + `
),
ended AS (
    SELECT * FROM up
    UNION ALL
    SELECT ` + callInteractionColumns + `
    FROM n
    JOIN keys k ON k.node = n.node AND k.linkedid = n.linkedid
    JOIN calls c ON c.node = k.node AND c.linkedid = k.linkedid AND c.started_at = k.started_at
    WHERE n.ended_at IS NOT NULL AND NOT EXISTS (SELECT FROM up WHERE up.node = n.node AND up.linkedid = n.linkedid)
),
added AS (` + callInteractions + `ended c` + callInteractionsOnce + `
)
SELECT count(*) FROM n WHERE NOT EXISTS (SELECT FROM keys k WHERE k.node = n.node AND k.linkedid = n.linkedid)`

// upsertCalls inserts or updates the newest update n of each call of a
// batch; a row is replaced only by a newer version, except that an ended
// call is never reopened and an update that ends an open call always
// applies: after a fail-over two replicas may write the same call (the
// survivor's, and the killed replica's spool replayed when it restarts),
// and their versions count different histories. Its timeline gets the
// entries of the update newer than its last one (so that replaying a batch
// that overlaps stored updates adds no entry twice). A new call gets the
// client whose phone contact is the call's customer number. started_at is
// the one fixed in call_keys at the call's first write, so the row stays
// in its partition.
const upsertCalls = `
INSERT INTO calls AS c (node, linkedid, version, direction, outcome, caller, caller_name, callee,
    customer, client_id, agent, agents, started_at, answered_at, ended_at, wait_seconds,
    ring_seconds, talk_seconds, hold_seconds, hangup_cause, hangup_cause_text, hangup_by,
    transfers, closed_by_reconciliation, gaps, merged_into, legs, state, timeline)
SELECT n.node, n.linkedid, n.version, n.direction, n.outcome, n.caller, coalesce(n.caller_name, ''),
    n.callee, coalesce(n.customer, ''),
    (SELECT min(ct.client_id) FROM contacts ct WHERE ct.kind = 'phone' AND ct.value = n.customer),
    coalesce(n.agent, ''), coalesce(ARRAY(SELECT jsonb_array_elements_text(n.agents)), '{}'),
    k.started_at, n.answered_at, n.ended_at, n.wait_seconds, n.ring_seconds, n.talk_seconds,
    n.hold_seconds, n.hangup_cause, coalesce(n.hangup_cause_text, ''), coalesce(n.hangup_by, ''),
    coalesce(n.transfers, '[]'), n.closed_by_reconciliation, n.gaps, n.merged_into,
    coalesce(n.legs, '[]'), n.state::json,
    coalesce(CASE WHEN n.updates > 1 THEN tl.timeline ELSE n.timeline END, '[]')
FROM n
JOIN keys k ON k.node = n.node AND k.linkedid = n.linkedid
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

// callInteractionColumns are the columns of a call that callInteractions reads.
const callInteractionColumns = `c.id, c.node, c.linkedid, c.started_at, c.ended_at, c.merged_into, c.agent,
    c.direction, c.outcome, c.talk_seconds, c.caller, c.callee, c.customer`

// callInteractions puts each ended call of the calls c it is given on the
// timeline of every client whose phone contact is its customer number,
// once (interactions_ref): replaying a batch adds nothing.
const (
	callInteractions = `
INSERT INTO interactions (client_id, kind, at, user_id, summary, body, ref_type, ref_id)
SELECT ct.client_id, 'call', c.started_at, (SELECT u.id FROM users u WHERE u.login = c.agent AND c.agent <> ''),
    initcap(c.direction) || ' call, ' || replace(c.outcome, '_', ' ') ||
        CASE WHEN c.agent <> '' THEN ', agent ' || c.agent ELSE '' END ||
        CASE WHEN c.talk_seconds > 0 THEN ', talk ' || round(c.talk_seconds)::int || ' s' ELSE '' END,
    c.caller || ' -> ' || c.callee, 'call', c.id::text
FROM `
	callInteractionsOnce = `
JOIN contacts ct ON ct.kind = 'phone' AND ct.value = c.customer
WHERE c.ended_at IS NOT NULL AND c.merged_into IS NULL
ON CONFLICT (client_id, ref_type, ref_id) WHERE ref_type <> '' DO NOTHING`
)

// addCallInteractions puts the ended calls of $1 nodes, $2 linkedids on
// their clients' timelines (callInteractions).
const addCallInteractions = callInteractions + `(
    SELECT ` + callInteractionColumns + `
    FROM unnest($1::text[], $2::text[]) AS b(node, linkedid)
    JOIN call_keys k ON k.node = b.node AND k.linkedid = b.linkedid
    JOIN calls c ON c.node = k.node AND c.linkedid = k.linkedid AND c.started_at = k.started_at) c` +
	callInteractionsOnce

// SaveCalls writes a batch of tracker updates, each record the JSON
// encoding of a telephony.CallUpdate, in one statement (one transaction,
// one round trip): the records go as they are, joined into one JSON array,
// and PostgreSQL reduces several updates of a call to the newest one's
// record and the timeline entries of them all, fixes the calls' keys,
// writes the calls and puts the ended ones on their clients' timelines
// (saveCalls). It is idempotent: replaying updates (after a crash or a
// spool replay) changes nothing, and each call appears on a client's
// timeline once. Strings are stored as the records hold them (the journal
// writes invalid UTF-8 as U+FFFD).
func (s *CallService) SaveCalls(ctx context.Context, records [][]byte) error {
	if len(records) == 0 {
		return nil
	}
	batch := joinRecords(records)
	// A call skipped for a key committed concurrently is written by the
	// next run, whose snapshot sees the key.
	for range 3 {
		var skipped int
		if err := s.db.pool.QueryRow(ctx, saveCalls, batch).Scan(&skipped); err != nil {
			return fmt.Errorf("save calls: %w", err)
		}
		if skipped == 0 {
			return nil
		}
	}
	return fmt.Errorf("save calls: calls of the batch found no key three times")
}

// joinRecords makes the JSON array of records, the statement's parameter.
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
