package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/survey"
)

// Phone questionnaire campaigns (survey.Campaign): contacts and attempts
// are rows, so a restarted dialer resumes where the last one stopped.

const campaignColumns = `id, name, survey_id, state, time_zone, window_start, window_end, max_concurrent,
	per_minute, max_attempts, retry_delay_seconds, caller_id, created_at, updated_at`

func scanCampaign(row pgx.Row) (survey.Campaign, error) {
	var c survey.Campaign
	var state string
	err := row.Scan(&c.ID, &c.Name, &c.SurveyID, &state, &c.TimeZone, &c.WindowStart, &c.WindowEnd, &c.MaxConcurrent,
		&c.PerMinute, &c.MaxAttempts, &c.RetryDelay, &c.CallerID, &c.CreatedAt, &c.UpdatedAt)
	c.State = survey.CampaignState(state)
	return c, err
}

// CreateCampaign validates and inserts c, setting its ID.
func (s *CampaignService) CreateCampaign(ctx context.Context, c *survey.Campaign) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if _, err := (&SurveyService{db: s.db}).GetSurvey(ctx, c.SurveyID); err != nil {
		return err
	}
	now := s.db.now()
	err := s.db.pool.QueryRow(ctx, `INSERT INTO survey_campaigns (name, survey_id, state, time_zone, window_start, window_end,
		max_concurrent, per_minute, max_attempts, retry_delay_seconds, caller_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
		c.Name, c.SurveyID, string(c.State), c.TimeZone, c.WindowStart, c.WindowEnd, c.MaxConcurrent, c.PerMinute,
		c.MaxAttempts, c.RetryDelay, c.CallerID, now).Scan(&c.ID)
	if err != nil {
		return translate(err, "create campaign")
	}
	c.CreatedAt, c.UpdatedAt = now, now
	return nil
}

// GetCampaign returns a campaign with its contacts counted by status.
func (s *CampaignService) GetCampaign(ctx context.Context, id int64) (survey.Campaign, error) {
	c, err := scanCampaign(s.db.pool.QueryRow(ctx, `SELECT `+campaignColumns+` FROM survey_campaigns WHERE id = $1`, id))
	if err != nil {
		return c, translate(err, fmt.Sprintf("campaign %d", id))
	}
	rows, err := s.db.pool.Query(ctx, `SELECT status, count(*) FROM survey_campaign_contacts WHERE campaign_id = $1 GROUP BY status`, id)
	if err != nil {
		return c, translate(err, "campaign progress")
	}
	c.Progress = map[string]int{}
	var status string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&status, &n}, func() error { c.Progress[status] = n; return nil })
	return c, translate(err, "campaign progress")
}

// ListCampaigns returns every campaign, newest first.
func (s *CampaignService) ListCampaigns(ctx context.Context) ([]survey.Campaign, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+campaignColumns+` FROM survey_campaigns ORDER BY id DESC`)
	if err != nil {
		return nil, translate(err, "list campaigns")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (survey.Campaign, error) { return scanCampaign(r) })
	return list, translate(err, "list campaigns")
}

// SetCampaignState starts, pauses or stops a campaign.
func (s *CampaignService) SetCampaignState(ctx context.Context, id int64, state survey.CampaignState) error {
	tag, err := s.db.pool.Exec(ctx, `UPDATE survey_campaigns SET state = $2, updated_at = $3 WHERE id = $1`, id, string(state), s.db.now())
	if err != nil {
		return translate(err, "set campaign state")
	}
	if tag.RowsAffected() == 0 {
		return notFound("campaign", id)
	}
	return nil
}

// AddCampaignContacts adds numbers (E.164) to call, each with its client
// (the one given, else the CRM's client with that number); a number
// already in the campaign is skipped. It returns how many were added.
func (s *CampaignService) AddCampaignContacts(ctx context.Context, campaignID int64, contacts []survey.Contact) (int, error) {
	added := 0
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		for _, c := range contacts {
			tag, err := tx.Exec(ctx, `INSERT INTO survey_campaign_contacts (campaign_id, phone, client_id, next_attempt_at)
				VALUES ($1, $2, COALESCE($3::bigint, (SELECT min(client_id) FROM contacts WHERE kind = 'phone' AND value = $2)), $4)
				ON CONFLICT (campaign_id, phone) DO NOTHING`, campaignID, c.Phone, c.ClientID, s.db.now())
			if err != nil {
				return translate(err, "add campaign contact")
			}
			added += int(tag.RowsAffected())
		}
		return nil
	})
	return added, err
}

// AddCampaignCallers adds the customers who called in [from, to) (the
// calls table), with their clients; it returns how many were added.
func (s *CampaignService) AddCampaignCallers(ctx context.Context, campaignID int64, from, to time.Time) (int, error) {
	tag, err := s.db.pool.Exec(ctx, `INSERT INTO survey_campaign_contacts (campaign_id, phone, client_id, next_attempt_at)
		SELECT $1, customer, max(client_id), $4 FROM calls
		WHERE direction = 'inbound' AND customer LIKE '+%' AND started_at >= $2 AND started_at < $3 AND merged_into IS NULL
		GROUP BY customer
		ON CONFLICT (campaign_id, phone) DO NOTHING`, campaignID, from, to, s.db.now())
	return int(tag.RowsAffected()), translate(err, "add campaign callers")
}

// ListCampaignContacts returns a campaign's contacts in the order they are called.
func (s *CampaignService) ListCampaignContacts(ctx context.Context, campaignID int64) ([]survey.Contact, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT id, campaign_id, phone, client_id, status, attempts, next_attempt_at,
		last_result, response_id FROM survey_campaign_contacts WHERE campaign_id = $1 ORDER BY id`, campaignID)
	if err != nil {
		return nil, translate(err, "list campaign contacts")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (survey.Contact, error) {
		var c survey.Contact
		var status string
		err := r.Scan(&c.ID, &c.CampaignID, &c.Phone, &c.ClientID, &status, &c.Attempts, &c.NextAttemptAt,
			&c.LastResult, &c.ResponseID)
		c.Status = survey.ContactStatus(status)
		return c, err
	})
	return list, translate(err, "list campaign contacts")
}

// RunningCampaigns returns the campaigns in state running.
func (s *CampaignService) RunningCampaigns(ctx context.Context) ([]survey.Campaign, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+campaignColumns+` FROM survey_campaigns WHERE state = 'running' ORDER BY id`)
	if err != nil {
		return nil, translate(err, "running campaigns")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (survey.Campaign, error) { return scanCampaign(r) })
	return list, translate(err, "running campaigns")
}

// ClaimAttempts marks the contacts the campaign may call now as calling
// and records their attempts, within its concurrency and per-minute
// limits. The campaign row is locked so that two dialers never exceed them.
func (s *CampaignService) ClaimAttempts(ctx context.Context, c survey.Campaign, now time.Time) ([]survey.Attempt, error) {
	var out []survey.Attempt
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var state string
		var calling, recent int
		err := tx.QueryRow(ctx, `SELECT state,
			(SELECT count(*) FROM survey_campaign_contacts WHERE campaign_id = $1 AND status = 'calling'),
			(SELECT count(*) FROM survey_campaign_attempts a JOIN survey_campaign_contacts k ON k.id = a.contact_id
			 WHERE k.campaign_id = $1 AND a.started_at > $2)
			FROM survey_campaigns WHERE id = $1 FOR UPDATE`, c.ID, now.Add(-time.Minute)).Scan(&state, &calling, &recent)
		if err != nil {
			return translate(err, "lock campaign")
		}
		n := min(c.MaxConcurrent-calling, c.PerMinute-recent)
		if state != string(survey.CampaignRunning) || n <= 0 {
			return nil
		}
		rows, err := tx.Query(ctx, `UPDATE survey_campaign_contacts k SET status = 'calling', attempts = k.attempts + 1,
			channel_id = $4 || 'c' || k.id || '-a' || (k.attempts + 1), updated_at = $2
			FROM (SELECT id FROM survey_campaign_contacts WHERE campaign_id = $1 AND status = 'pending' AND next_attempt_at <= $2
			      ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) due
			WHERE k.id = due.id RETURNING k.id, k.phone, k.attempts, k.channel_id`, c.ID, now, n, survey.ChannelPrefix)
		if err != nil {
			return translate(err, "claim contacts")
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (survey.Attempt, error) {
			a := survey.Attempt{CampaignID: c.ID, SurveyID: c.SurveyID, CallerID: c.CallerID, StartedAt: now}
			err := r.Scan(&a.ContactID, &a.Phone, &a.Attempt, &a.ChannelID)
			return a, err
		})
		if err != nil {
			return translate(err, "claim contacts")
		}
		for _, a := range out {
			if _, err := tx.Exec(ctx, `INSERT INTO survey_campaign_attempts (contact_id, attempt, channel_id, started_at)
				VALUES ($1, $2, $3, $4)`, a.ContactID, a.Attempt, a.ChannelID, now); err != nil {
				return translate(err, "record attempt")
			}
		}
		return nil
	})
	return out, err
}

// EndAttempt closes the open attempt on channelID. The contact is done when
// a survey response exists for the channel or result is answered, else it is retried after the
// campaign's delay or fails after its last attempt.
func (s *CampaignService) EndAttempt(ctx context.Context, channelID, result string, now time.Time) (bool, error) {
	ok := false
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var contactID int64
		var response *int64
		err := tx.QueryRow(ctx, `UPDATE survey_campaign_attempts a SET ended_at = $2,
			result = CASE WHEN r.id IS NOT NULL THEN 'answered' ELSE $3::text END
			FROM (SELECT $1::text AS ch) x LEFT JOIN survey_responses r ON r.channel_id = x.ch
			WHERE a.channel_id = x.ch AND a.ended_at IS NULL
			RETURNING a.contact_id, r.id`, channelID, now, result).Scan(&contactID, &response)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return translate(err, "end attempt")
		}
		ok = true
		if response != nil {
			result = survey.ResultAnswered
		}
		// A response can still be on its way when the channel ends: the
		// dialer saw the channel answered, which is enough not to call again.
		_, err = tx.Exec(ctx, `UPDATE survey_campaign_contacts k SET last_result = $2, updated_at = $3::timestamptz,
			response_id = COALESCE($4, k.response_id),
			status = CASE WHEN $4::bigint IS NOT NULL OR $2 = 'answered' THEN 'done'
			              WHEN k.attempts >= c.max_attempts THEN 'failed' ELSE 'pending' END,
			next_attempt_at = $3::timestamptz + make_interval(secs => c.retry_delay_seconds)
			FROM survey_campaigns c WHERE k.id = $1 AND c.id = k.campaign_id AND k.status = 'calling'`,
			contactID, result, now, response)
		return translate(err, "end attempt")
	})
	return ok, err
}

// OpenAttempts returns the attempts still in progress.
func (s *CampaignService) OpenAttempts(ctx context.Context) ([]survey.Attempt, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT a.contact_id, k.campaign_id, k.phone, a.attempt, a.channel_id, a.started_at
		FROM survey_campaign_attempts a JOIN survey_campaign_contacts k ON k.id = a.contact_id
		WHERE a.ended_at IS NULL ORDER BY a.started_at`)
	if err != nil {
		return nil, translate(err, "open attempts")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (survey.Attempt, error) {
		var a survey.Attempt
		err := r.Scan(&a.ContactID, &a.CampaignID, &a.Phone, &a.Attempt, &a.ChannelID, &a.StartedAt)
		return a, err
	})
	return list, translate(err, "open attempts")
}

// CompleteCampaigns marks running campaigns that have nobody left to call as done.
func (s *CampaignService) CompleteCampaigns(ctx context.Context) error {
	_, err := s.db.pool.Exec(ctx, `UPDATE survey_campaigns c SET state = 'done', updated_at = $1
		WHERE state = 'running' AND EXISTS (SELECT 1 FROM survey_campaign_contacts k WHERE k.campaign_id = c.id)
		AND NOT EXISTS (SELECT 1 FROM survey_campaign_contacts k WHERE k.campaign_id = c.id AND k.status IN ('pending', 'calling'))`, s.db.now())
	return translate(err, "complete campaigns")
}

var (
	_ survey.CampaignService = (*CampaignService)(nil)
	_ survey.CampaignStore   = (*CampaignService)(nil)
)
