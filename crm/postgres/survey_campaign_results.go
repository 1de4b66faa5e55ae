package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"hotline/survey"
)

// CampaignResults counts a campaign's numbers by outcome and sums each
// question's answers (the questions by key; survey.CampaignReport.OrderQuestions
// puts them in the survey's order).
func (s *CampaignService) CampaignResults(ctx context.Context, id int64) (survey.CampaignReport, error) {
	var r survey.CampaignReport
	err := s.db.pool.QueryRow(ctx, `
		SELECT count(*),
		       count(*) FILTER (WHERE k.response_id IS NOT NULL OR k.status = 'done'),
		       count(*) FILTER (WHERE rs.state = 'completed'),
		       count(*) FILTER (WHERE rs.state IN ('partial', 'opted_out', 'no_input')),
		       count(*) FILTER (WHERE k.status = 'failed'),
		       count(*) FILTER (WHERE k.status IN ('pending', 'calling') AND k.response_id IS NULL)
		FROM survey_campaign_contacts k LEFT JOIN survey_responses rs ON rs.id = k.response_id
		WHERE k.campaign_id = $1`, id).Scan(&r.Contacts, &r.Reached, &r.Completed, &r.Refused, &r.NotReached, &r.Waiting)
	if err != nil {
		return r, translate(err, fmt.Sprintf("results of campaign %d", id))
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT a.key, a.value, count(*)
		FROM survey_campaign_contacts k JOIN survey_answers a ON a.response_id = k.response_id
		WHERE k.campaign_id = $1 GROUP BY a.key, a.value ORDER BY a.key, a.value`, id)
	if err != nil {
		return r, translate(err, "campaign answers")
	}
	var key string
	var value, n int
	_, err = pgx.ForEachRow(rows, []any{&key, &value, &n}, func() error {
		if len(r.Questions) == 0 || r.Questions[len(r.Questions)-1].Key != key {
			r.Questions = append(r.Questions, survey.QuestionReport{Key: key})
		}
		q := &r.Questions[len(r.Questions)-1]
		q.Values = append(q.Values, survey.ValueCount{Value: value, Count: n})
		q.Average = (q.Average*float64(q.Count) + float64(value*n)) / float64(q.Count+n)
		q.Count += n
		return nil
	})
	return r, translate(err, "campaign answers")
}

// CampaignAnswers returns the responses of a campaign's numbers, oldest
// first, with the client's name and the answers by question key.
func (s *CampaignService) CampaignAnswers(ctx context.Context, id int64) ([]survey.CampaignAnswer, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT r.id, COALESCE(r.client_id, k.client_id), COALESCE(c.name, ''), k.phone, r.state, r.started_at,
		       COALESCE((SELECT json_object_agg(a.key, a.value) FROM survey_answers a WHERE a.response_id = r.id), '{}')
		FROM survey_campaign_contacts k
		JOIN survey_responses r ON r.id = k.response_id
		LEFT JOIN clients c ON c.id = COALESCE(r.client_id, k.client_id)
		WHERE k.campaign_id = $1 ORDER BY r.started_at, r.id`, id)
	if err != nil {
		return nil, translate(err, "campaign answers")
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (survey.CampaignAnswer, error) {
		var a survey.CampaignAnswer
		var state string
		var answers []byte
		if err := row.Scan(&a.ResponseID, &a.ClientID, &a.ClientName, &a.Phone, &state, &a.StartedAt, &answers); err != nil {
			return a, err
		}
		a.State = survey.State(state)
		return a, json.Unmarshal(answers, &a.Answers)
	})
	return list, translate(err, "campaign answers")
}
