package postgres

import (
	"context"
	"fmt"

	"hotline/telephony/screenpop"
)

var _ screenpop.SurveyLister = (*SurveyService)(nil)

// LastSurveyScores returns a client's latest survey answers, newest first,
// each with the top of its scale (5 for CSAT, 10 for NPS), for the screen
// pop card (telephony/screenpop.SurveyLister).
func (s *SurveyService) LastSurveyScores(ctx context.Context, clientID int64, limit int) ([]screenpop.SurveyScore, error) {
	if limit <= 0 {
		limit = 5
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT d.name || ': ' || a.key, a.value, a.scale, a.at
		FROM (SELECT id, survey_id FROM survey_responses
		      WHERE client_id = $1 ORDER BY started_at DESC LIMIT $2) r
		JOIN survey_definitions d ON d.id = r.survey_id
		JOIN survey_answers a ON a.response_id = r.id
		WHERE a.scale IN ('csat', 'nps')
		ORDER BY a.at DESC
		LIMIT $2`, clientID, limit)
	if err != nil {
		return nil, fmt.Errorf("last survey scores of client %d: %w", clientID, err)
	}
	defer rows.Close()
	var out []screenpop.SurveyScore
	for rows.Next() {
		var sc screenpop.SurveyScore
		var value int
		var scale string
		if err := rows.Scan(&sc.Survey, &value, &scale, &sc.At); err != nil {
			return nil, fmt.Errorf("scan survey score: %w", err)
		}
		sc.Score, sc.Max = float64(value), 5
		if scale == "nps" {
			sc.Max = 10
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}
