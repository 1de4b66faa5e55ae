package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/service"
)

// ServiceReport computes the efficiency figures per agent or team for the
// tickets created in the period: first-response and resolution medians and
// 90th percentiles, breach and reopen rates, and the mean CSAT of the
// surveys on the tickets' calls.
func (s *TicketService) ServiceReport(ctx context.Context, f service.ReportFilter) ([]service.ReportRow, error) {
	group := `coalesce(nullif(u.name, ''), u.login, '(unassigned)')`
	switch f.By {
	case "agent", "":
	case "team":
		group = `coalesce(tm.name, '(no team)')`
	default:
		return nil, crm.Invalid("by", "must be agent or team")
	}
	if !f.To.After(f.From) {
		return nil, crm.Invalid("to", "must be after from")
	}
	rows, err := s.db.pool.Query(ctx, `SELECT `+group+` AS grp, count(*), count(t.resolved_at),
		percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.responded_at - t.created_at)) FILTER (WHERE t.responded_at IS NOT NULL),
		percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t.responded_at - t.created_at)) FILTER (WHERE t.responded_at IS NOT NULL),
		percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.resolved_at - t.created_at) - t.paused_seconds) FILTER (WHERE t.resolved_at IS NOT NULL),
		percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t.resolved_at - t.created_at) - t.paused_seconds) FILTER (WHERE t.resolved_at IS NOT NULL),
		avg((EXISTS (SELECT 1 FROM sla_breaches b WHERE b.ticket_id = t.id))::int)::float8,
		avg((t.reopens > 0)::int)::float8,
		avg((SELECT avg(sa.value) FROM ticket_calls tc JOIN survey_responses sr ON sr.linkedid = tc.linkedid AND sr.linkedid <> ''
			JOIN survey_answers sa ON sa.response_id = sr.id AND sa.scale = 'csat' WHERE tc.ticket_id = t.id))::float8,
		count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ticket_articles ta WHERE ta.ticket_id = t.id))
		FROM tickets t LEFT JOIN users u ON u.id = t.assignee_id LEFT JOIN teams tm ON tm.id = t.team_id
		WHERE t.created_at >= $1 AND t.created_at < $2
		GROUP BY grp ORDER BY grp`, f.From, f.To)
	if err != nil {
		return nil, translate(err, "service report")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (service.ReportRow, error) {
		var row service.ReportRow
		err := r.Scan(&row.Group, &row.Handled, &row.Resolved, &row.ResponseMedian, &row.ResponseP90,
			&row.ResolutionMedian, &row.ResolutionP90, &row.BreachRate, &row.ReopenRate, &row.Satisfaction, &row.SolvedByArticle)
		return row, err
	})
}

// ClientIDByEmail returns the client with this email contact (the oldest
// when several share it).
func (s *TicketService) ClientIDByEmail(ctx context.Context, email string) (int64, error) {
	var id int64
	err := s.db.pool.QueryRow(ctx, `SELECT client_id FROM contacts WHERE kind = 'email' AND value = lower($1)
		ORDER BY client_id LIMIT 1`, email).Scan(&id)
	if err == pgx.ErrNoRows {
		return 0, crm.Errorf(crm.KindNotFound, "no client with email %s", email)
	}
	return id, translate(err, "client by email")
}
