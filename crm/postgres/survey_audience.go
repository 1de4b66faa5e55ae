package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/survey"
)

// Campaign audiences picked from the CRM (survey.Audience) and the
// clients' survey opt-out.

// audienceQuery selects the audience's clients with their first phone
// number: $1 priority, $2 tag, $3 owner, $4 bought after, $5 quiet since
// (zero times and empty texts ignore their condition).
const audienceQuery = `
	WITH picked AS (
		SELECT c.id, c.name,
		       (SELECT k.value FROM contacts k WHERE k.client_id = c.id AND k.kind = 'phone' ORDER BY k.id LIMIT 1) AS phone,
		       (SELECT max(at) FROM (
		            SELECT m.at FROM stock_movements m WHERE m.client_id = c.id AND m.kind = 'shipment'
		            UNION ALL
		            SELECT t.at FROM money_transactions t WHERE t.client_id = c.id AND t.direction = 'income') p) AS bought
		FROM clients c
		WHERE NOT c.survey_opt_out
		  AND ($1 = '' OR c.priority = $1)
		  AND ($2 = '' OR $2 = ANY (c.tags))
		  AND ($3::bigint IS NULL OR c.owner_id = $3))
	SELECT id, name, phone FROM picked
	WHERE phone IS NOT NULL
	  AND ($4::timestamptz IS NULL OR bought >= $4)
	  AND ($5::timestamptz IS NULL OR bought IS NULL OR bought < $5)`

func audienceArgs(a survey.Audience, now time.Time) []any {
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	return []any{a.Priority, a.Tag, a.OwnerID, opt(a.BoughtAfter(now)), opt(a.QuietSince(now))}
}

// MatchAudience counts the clients a picks at now and returns the first
// limit of them by name.
func (s *CampaignService) MatchAudience(ctx context.Context, a survey.Audience, now time.Time, limit int) (survey.AudienceMatch, error) {
	var m survey.AudienceMatch
	if err := a.Validate(); err != nil {
		return m, err
	}
	args := audienceArgs(a, now)
	if err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM (`+audienceQuery+`) x`, args...).Scan(&m.Count); err != nil {
		return m, translate(err, "count audience")
	}
	rows, err := s.db.pool.Query(ctx, audienceQuery+` ORDER BY name, id LIMIT $6`, append(args, limit)...)
	if err != nil {
		return m, translate(err, "preview audience")
	}
	m.Preview, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (survey.AudienceClient, error) {
		var c survey.AudienceClient
		err := r.Scan(&c.ClientID, &c.Name, &c.Phone)
		return c, err
	})
	return m, translate(err, "preview audience")
}

// AddAudience adds the clients a picks at now to a campaign (a number
// already in it is skipped) and returns how many were added.
func (s *CampaignService) AddAudience(ctx context.Context, campaignID int64, a survey.Audience, now time.Time) (int, error) {
	if err := a.Validate(); err != nil {
		return 0, err
	}
	args := append(audienceArgs(a, now), campaignID, s.db.now())
	tag, err := s.db.pool.Exec(ctx, `INSERT INTO survey_campaign_contacts (campaign_id, phone, client_id, next_attempt_at)
		SELECT DISTINCT ON (phone) $6::bigint, phone, id, $7::timestamptz FROM (`+audienceQuery+`) x ORDER BY phone, id
		ON CONFLICT (campaign_id, phone) DO NOTHING`, args...)
	return int(tag.RowsAffected()), translate(err, "add audience")
}

// AudienceTags returns every tag clients have, sorted, for the audience picker.
func (s *CampaignService) AudienceTags(ctx context.Context) ([]string, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT DISTINCT unnest(tags) AS tag FROM clients ORDER BY tag`)
	if err != nil {
		return nil, translate(err, "client tags")
	}
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return list, translate(err, "client tags")
}

// SetSurveyOptOut records whether a client refuses survey calls.
func (s *CampaignService) SetSurveyOptOut(ctx context.Context, clientID int64, out bool) error {
	tag, err := s.db.pool.Exec(ctx, `UPDATE clients SET survey_opt_out = $2 WHERE id = $1`, clientID, out)
	if err != nil {
		return translate(err, "set survey opt-out")
	}
	if tag.RowsAffected() == 0 {
		return notFound("client", clientID)
	}
	return nil
}

// SurveyOptedOut reports whether the client refuses survey calls.
func (s *CampaignService) SurveyOptedOut(ctx context.Context, clientID int64) (bool, error) {
	var out bool
	err := s.db.pool.QueryRow(ctx, `SELECT survey_opt_out FROM clients WHERE id = $1`, clientID).Scan(&out)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, notFound("client", clientID)
	}
	return out, translate(err, "survey opt-out")
}

// SurveyOptOuts returns the clients who refuse survey calls, by name.
func (s *CampaignService) SurveyOptOuts(ctx context.Context) ([]survey.AudienceClient, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT c.id, c.name,
		COALESCE((SELECT k.value FROM contacts k WHERE k.client_id = c.id AND k.kind = 'phone' ORDER BY k.id LIMIT 1), '')
		FROM clients c WHERE c.survey_opt_out ORDER BY c.name, c.id`)
	if err != nil {
		return nil, translate(err, "survey opt-outs")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (survey.AudienceClient, error) {
		var c survey.AudienceClient
		err := r.Scan(&c.ClientID, &c.Name, &c.Phone)
		return c, err
	})
	return list, translate(err, "survey opt-outs")
}
