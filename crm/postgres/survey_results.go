package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/survey"
)

// ListResponses returns the responses (with answers) started in
// [f.From, f.To), oldest first, at most limit (0 = 10000).
func (s *SurveyService) ListResponses(ctx context.Context, f survey.ResultFilter, limit int) ([]survey.Response, error) {
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	return s.queryResponses(ctx, `WHERE r.started_at >= $1 AND r.started_at < $2
		AND ($3 = 0 OR r.survey_id = $3) AND ($4 = '' OR r.agent = $4)
		AND (NOT $6 OR EXISTS (SELECT 1 FROM survey_answers l WHERE l.response_id = r.id AND l.low))
		ORDER BY r.started_at, r.id LIMIT $5`, f.From, toOrFar(f.To), f.SurveyID, f.Agent, limit, f.LowOnly)
}

func toOrFar(t time.Time) time.Time {
	if t.IsZero() {
		return time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t
}

func (s *SurveyService) queryResponses(ctx context.Context, where string, args ...any) ([]survey.Response, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT r.id, r.survey_id, r.node, r.channel_id, r.linkedid, r.caller, r.agent,
		r.client_id, r.contact_id, r.state, r.started_at, r.ended_at,
		COALESCE((SELECT json_agg(json_build_object('response_id', a.response_id, 'index', a.idx, 'key', a.key,
			'value', a.value, 'scale', a.scale, 'low', a.low, 'at', a.at) ORDER BY a.idx)
			FROM survey_answers a WHERE a.response_id = r.id), '[]')
		FROM survey_responses r `+where, args...)
	if err != nil {
		return nil, translate(err, "list survey responses")
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (survey.Response, error) {
		var r survey.Response
		var state string
		err := row.Scan(&r.ID, &r.SurveyID, &r.Node, &r.ChannelID, &r.LinkedID, &r.Caller, &r.Agent,
			&r.ClientID, &r.ContactID, &state, &r.StartedAt, &r.EndedAt, &r.Answers)
		r.State = survey.State(state)
		return r, err
	})
	return list, translate(err, "list survey responses")
}

// SurveyTallies sums the responses started in [f.From, f.To) per group
// (agent, survey, or day/week/month in UTC); survey.Tally.Rates turns them
// into CSAT, NPS and rates.
func (s *SurveyService) SurveyTallies(ctx context.Context, f survey.ResultFilter) ([]survey.Tally, error) {
	var group string
	switch f.GroupBy {
	case survey.ByAgent:
		group = `CASE WHEN r.agent = '' THEN '(none)' ELSE r.agent END`
	case survey.BySurvey:
		group = `r.survey_id::text`
	case survey.ByDay, survey.ByWeek, survey.ByMonth:
		group = fmt.Sprintf(`to_char(date_trunc('%s', r.started_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`, f.GroupBy)
	default:
		return nil, fmt.Errorf("survey tallies: unknown grouping %q", f.GroupBy)
	}
	rows, err := s.db.pool.Query(ctx, `
		WITH a AS (SELECT response_id,
		        count(*) FILTER (WHERE scale = 'csat') AS csat_n,
		        count(*) FILTER (WHERE scale = 'csat' AND value >= 4) AS csat_top,
		        COALESCE(sum(value) FILTER (WHERE scale = 'csat'), 0) AS csat_sum,
		        count(*) FILTER (WHERE scale = 'nps') AS nps_n,
		        count(*) FILTER (WHERE scale = 'nps' AND value >= 9) AS promoters,
		        count(*) FILTER (WHERE scale = 'nps' AND value <= 6) AS detractors,
		        count(*) FILTER (WHERE low) AS low
		    FROM survey_answers GROUP BY response_id)
		SELECT `+group+` AS g, count(*), count(a.response_id), count(*) FILTER (WHERE r.state = 'completed'),
		    COALESCE(sum(a.csat_n), 0), COALESCE(sum(a.csat_top), 0), COALESCE(sum(a.nps_n), 0),
		    COALESCE(sum(a.promoters), 0), COALESCE(sum(a.detractors), 0), COALESCE(sum(a.csat_sum), 0),
		    COALESCE(sum(a.low), 0)
		FROM survey_responses r LEFT JOIN a ON a.response_id = r.id
		WHERE r.started_at >= $1 AND r.started_at < $2 AND ($3 = 0 OR r.survey_id = $3) AND ($4 = '' OR r.agent = $4)
		  AND r.state <> 'in_progress'
		GROUP BY g ORDER BY g`, f.From, toOrFar(f.To), f.SurveyID, f.Agent)
	if err != nil {
		return nil, translate(err, "survey tallies")
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (survey.Tally, error) {
		var t survey.Tally
		err := row.Scan(&t.Group, &t.Responses, &t.Answered, &t.Completed, &t.CSATCount, &t.CSATTop,
			&t.NPSCount, &t.Promoters, &t.Detractors, &t.ScoreSum, &t.LowScores)
		return t, err
	})
	return list, translate(err, "survey tallies")
}
