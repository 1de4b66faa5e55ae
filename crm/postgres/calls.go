package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/jackc/pgx/v5"

	"hotline/telephony"
)

var _ telephony.CallStore = (*CallService)(nil)

// callRow is one call as the JSON object json_to_recordset reads.
type callRow struct {
	telephony.Call
	Version  int                       `json:"version"`
	State    json.RawMessage           `json:"state,omitempty"`
	Timeline []telephony.TimelineEntry `json:"timeline"` // entries added since the previous update, in seq order
}

// fixCallKeys records the started_at of each call of a batch seen for the
// first time; the month partition of its row follows from it for good
// (migration 00120).
const fixCallKeys = `
INSERT INTO call_keys (node, linkedid, started_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
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
INSERT INTO calls AS c (node, linkedid, version, direction, outcome, caller, caller_name, callee,
    customer, client_id, agent, agents, started_at, answered_at, ended_at, wait_seconds,
    ring_seconds, talk_seconds, hold_seconds, hangup_cause, hangup_cause_text, hangup_by,
    transfers, closed_by_reconciliation, gaps, merged_into, legs, state, timeline)
SELECT r.node, r.linkedid, r.version, r.direction, r.outcome, r.caller, coalesce(r.caller_name, ''),
    r.callee, coalesce(r.customer, ''),
    (SELECT min(ct.client_id) FROM contacts ct WHERE ct.kind = 'phone' AND ct.value = r.customer),
    coalesce(r.agent, ''), coalesce(ARRAY(SELECT json_array_elements_text(r.agents)), '{}'),
    k.started_at, r.answered_at, r.ended_at, r.wait_seconds, r.ring_seconds, r.talk_seconds,
    r.hold_seconds, r.hangup_cause, coalesce(r.hangup_cause_text, ''), coalesce(r.hangup_by, ''),
    coalesce(r.transfers::jsonb, '[]'), r.closed_by_reconciliation, r.gaps, r.merged_into,
    coalesce(r.legs::jsonb, '[]'), r.state, coalesce(r.timeline::jsonb, '[]')
FROM json_to_recordset($1::json) AS r(node text, linkedid text, version integer, direction text,
    outcome text, caller text, caller_name text, callee text, customer text, agent text,
    agents json, started_at timestamptz, answered_at timestamptz, ended_at timestamptz,
    wait_seconds double precision, ring_seconds double precision, talk_seconds double precision,
    hold_seconds double precision, hangup_cause integer, hangup_cause_text text, hangup_by text,
    transfers json, closed_by_reconciliation boolean, gaps integer, merged_into text, legs json, state json,
    timeline json)
JOIN call_keys k ON k.node = r.node AND k.linkedid = r.linkedid
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

// addCallInteractions puts each ended call of the batch (its node and
// linkedid keys) on the timeline of every client whose phone contact is
// its customer number, once (interactions_ref): replaying a batch adds
// nothing.
const addCallInteractions = `
INSERT INTO interactions (client_id, kind, at, user_id, summary, body, ref_type, ref_id)
SELECT ct.client_id, 'call', c.started_at, (SELECT u.id FROM users u WHERE u.login = c.agent AND c.agent <> ''),
    initcap(c.direction) || ' call, ' || replace(c.outcome, '_', ' ') ||
        CASE WHEN c.agent <> '' THEN ', agent ' || c.agent ELSE '' END ||
        CASE WHEN c.talk_seconds > 0 THEN ', talk ' || round(c.talk_seconds)::int || ' s' ELSE '' END,
    c.caller || ' -> ' || c.callee, 'call', c.id::text
FROM unnest($1::text[], $2::text[]) AS b(node, linkedid)
JOIN call_keys k ON k.node = b.node AND k.linkedid = b.linkedid
JOIN calls c ON c.node = k.node AND c.linkedid = k.linkedid AND c.started_at = k.started_at
JOIN contacts ct ON ct.kind = 'phone' AND ct.value = c.customer
WHERE c.ended_at IS NOT NULL AND c.merged_into IS NULL
ON CONFLICT (client_id, ref_type, ref_id) WHERE ref_type <> '' DO NOTHING`

// SaveCalls writes a batch of tracker updates in one transaction and one
// round trip: the call keys, the calls and the timeline entries of the
// ended ones go as one pipelined batch, which PostgreSQL runs as one
// implicit transaction (a failing statement undoes them all). It is
// idempotent: replaying updates (after a crash or a spool replay) changes
// nothing, and each call appears on a client's timeline once.
func (s *CallService) SaveCalls(ctx context.Context, updates []telephony.CallUpdate) error {
	if len(updates) == 0 {
		return nil
	}
	calls, keys, err := encodeCallBatch(updates)
	if err != nil {
		return err
	}
	// The keys in a statement of their own: the upsert's snapshot then sees
	// keys that a concurrent writer of the same call committed while this
	// one waited. The timeline insert's snapshot sees the upserted rows.
	b := &pgx.Batch{}
	b.Queue(fixCallKeys, keys.nodes, keys.linkedids, keys.started)
	b.Queue(upsertCalls, calls)
	if len(keys.endedNodes) > 0 {
		b.Queue(addCallInteractions, keys.endedNodes, keys.endedLinkedids)
	}
	res := s.db.pool.SendBatch(ctx, b)
	if _, err := res.Exec(); err != nil {
		_ = res.Close()
		return fmt.Errorf("fix call keys: %w", err)
	}
	if _, err := res.Exec(); err != nil {
		_ = res.Close()
		return fmt.Errorf("upsert calls: %w", err)
	}
	if len(keys.endedNodes) > 0 {
		if _, err := res.Exec(); err != nil {
			_ = res.Close()
			return fmt.Errorf("add calls to client timelines: %w", err)
		}
	}
	if err := res.Close(); err != nil {
		return fmt.Errorf("save calls: %w", err)
	}
	return nil
}

// callKeys are the (node, linkedid, started_at) of a batch's calls, as the
// arrays fixCallKeys unnests, and the (node, linkedid) of those the batch
// ends, as addCallInteractions unnests.
type callKeys struct {
	nodes, linkedids           []string
	started                    []time.Time
	endedNodes, endedLinkedids []string
}

// encodeCallBatch makes the JSON parameter of one batch; several updates
// of one call are reduced to the newest record and all timeline entries.
func encodeCallBatch(updates []telephony.CallUpdate) ([]byte, callKeys, error) {
	rows := make([]callRow, 0, len(updates))
	pos := make(map[[2]string]int, len(updates))
	for _, u := range updates {
		k := [2]string{u.Call.Node, u.Call.LinkedID}
		i, ok := pos[k]
		if !ok {
			pos[k] = len(rows)
			rows = append(rows, callRow{Call: u.Call, Version: u.Version, State: u.State, Timeline: u.Timeline})
			continue
		}
		r := &rows[i]
		tl := append(r.Timeline, u.Timeline...)
		if u.Version > r.Version {
			*r = callRow{Call: u.Call, Version: u.Version, State: u.State}
		}
		r.Timeline = tl
	}
	keys := callKeys{nodes: make([]string, len(rows)), linkedids: make([]string, len(rows)), started: make([]time.Time, len(rows))}
	for i := range rows {
		if rows[i].Timeline == nil {
			rows[i].Timeline = []telephony.TimelineEntry{}
		}
		keys.nodes[i], keys.linkedids[i], keys.started[i] = rows[i].Node, rows[i].LinkedID, rows[i].StartedAt
		if rows[i].EndedAt != nil {
			keys.endedNodes = append(keys.endedNodes, rows[i].Node)
			keys.endedLinkedids = append(keys.endedLinkedids, rows[i].LinkedID)
		}
	}
	calls, err := jsonv2.Marshal(rows, jsontext.AllowInvalidUTF8(true))
	if err != nil {
		return nil, callKeys{}, fmt.Errorf("encode calls: %w", err)
	}
	return calls, keys, nil
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
