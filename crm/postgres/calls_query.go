package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/telephony"
)

// callColumns is a call record as JSON with the field names of telephony.Call.
const callColumns = `SELECT row_to_json(x) FROM (SELECT c.id, c.client_id, c.node, c.linkedid, c.direction,
    c.outcome, c.caller, c.caller_name, c.callee, c.customer, c.agent, c.agents, c.started_at,
    c.answered_at, c.ended_at, c.wait_seconds, c.ring_seconds, c.talk_seconds, c.hold_seconds,
    c.hangup_cause, c.hangup_cause_text, c.hangup_by, c.transfers, c.closed_by_reconciliation,
    c.gaps, c.legs FROM calls c WHERE c.merged_into IS NULL`

// ListCalls returns one page of the call log, newest first.
func (s *CallService) ListCalls(ctx context.Context, f telephony.CallFilter) (crm.Page[telephony.Call], error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", len(args))))
	}
	if f.Agent != "" {
		add("$? = ANY(c.agents)", f.Agent)
	}
	if f.ClientID > 0 {
		add("c.client_id = $?", f.ClientID)
	}
	if f.Number != "" {
		add("(c.customer = $? OR c.caller = $? OR c.callee = $?)", f.Number)
	}
	if f.Direction != "" {
		add("c.direction = $?", string(f.Direction))
	}
	if f.Outcome != "" {
		add("c.outcome = $?", string(f.Outcome))
	}
	if f.Missed {
		where = append(where, "c.outcome IN ('no_answer', 'busy', 'failed', 'abandoned')")
	}
	if f.LinkedID != "" {
		add("c.linkedid = $?", f.LinkedID)
	}
	if !f.From.IsZero() {
		add("c.started_at >= $?", f.From)
	}
	if !f.To.IsZero() {
		add("c.started_at < $?", f.To)
	}
	cur, ok, err := decodeCursor(f.After)
	if err != nil {
		return crm.Page[telephony.Call]{}, err
	}
	if ok {
		add("(c.started_at, c.id) < ($?::timestamptz, "+fmt.Sprintf("$%d", len(args)+2)+")", cur.At)
		args = append(args, cur.ID)
	}
	limit := clampLimit(f.Limit)
	q := callColumns
	for _, w := range where {
		q += " AND " + w
	}
	q += fmt.Sprintf(" ORDER BY c.started_at DESC, c.id DESC LIMIT %d) x", limit+1)
	calls, err := s.queryCalls(ctx, q, args...)
	if err != nil {
		return crm.Page[telephony.Call]{}, err
	}
	page := crm.Page[telephony.Call]{Items: calls}
	if len(calls) > limit {
		page.Items = calls[:limit]
		last := page.Items[limit-1]
		page.Next = cursor{At: last.StartedAt, ID: last.ID}.encode()
	}
	return page, nil
}

func (s *CallService) queryCalls(ctx context.Context, q string, args ...any) ([]telephony.Call, error) {
	rows, err := s.db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	defer rows.Close()
	calls := []telephony.Call{}
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("list calls: %w", err)
		}
		var c telephony.Call
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("decode call: %w", err)
		}
		calls = append(calls, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	return calls, nil
}

// GetCall returns one call of the log with its legs and event timeline.
func (s *CallService) GetCall(ctx context.Context, id int64) (telephony.Call, []telephony.TimelineEntry, error) {
	calls, err := s.queryCalls(ctx, callColumns+" AND c.id = $1) x", id)
	if err != nil {
		return telephony.Call{}, nil, err
	}
	if len(calls) == 0 {
		return telephony.Call{}, nil, &crm.Error{Kind: crm.KindNotFound, Message: fmt.Sprintf("no call with id %d", id)}
	}
	c := calls[0]
	rows, err := s.db.pool.Query(ctx, `SELECT e.seq, e.at, e.kind, coalesce(e.channel, ''), coalesce(e.detail, '')
FROM calls c CROSS JOIN LATERAL jsonb_to_recordset(c.timeline) AS e(seq integer, at timestamptz, kind text,
    channel text, detail text)
WHERE c.id = $1 ORDER BY e.seq`, c.ID)
	if err != nil {
		return telephony.Call{}, nil, fmt.Errorf("call timeline: %w", err)
	}
	tl, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (telephony.TimelineEntry, error) {
		var e telephony.TimelineEntry
		err := r.Scan(&e.Seq, &e.At, &e.Kind, &e.Channel, &e.Detail)
		return e, err
	})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return telephony.Call{}, nil, fmt.Errorf("call timeline: %w", err)
	}
	return c, tl, nil
}
