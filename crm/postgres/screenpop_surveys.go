package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

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
	rows, err := s.db.pool.Query(ctx, surveyScoresSQL, clientID, limit)
	if err != nil {
		return nil, fmt.Errorf("last survey scores of client %d: %w", clientID, err)
	}
	defer rows.Close()
	var out []screenpop.SurveyScore
	for rows.Next() {
		sc, err := scanSurveyScore(rows)
		if err != nil {
			return nil, fmt.Errorf("scan survey score: %w", err)
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// scanSurveyScore reads a card's survey score (label, value, scale, at,
// after the lead columns), out of 5 for CSAT and 10 for NPS.
func scanSurveyScore(r pgx.Row, lead ...any) (screenpop.SurveyScore, error) {
	var sc screenpop.SurveyScore
	var value int
	var scale string
	if err := r.Scan(append(lead, &sc.Survey, &value, &scale, &sc.At)...); err != nil {
		return sc, err
	}
	sc.Score, sc.Max = float64(value), 5
	if scale == "nps" {
		sc.Max = 10
	}
	return sc, nil
}
