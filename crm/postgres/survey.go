package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/survey"
)

// Survey definitions and responses (package survey). The definition is
// kept as JSON beside its name and default flag.

// CreateSurvey validates and inserts sv, setting its ID and times. A new
// default survey replaces the old default.
func (s *SurveyService) CreateSurvey(ctx context.Context, sv *survey.Survey) error {
	if err := sv.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := clearDefault(ctx, tx, sv.Default, 0); err != nil {
			return err
		}
		now := s.db.now()
		sv.CreatedAt, sv.UpdatedAt = now, now
		def, err := json.Marshal(sv)
		if err != nil {
			return fmt.Errorf("encode survey: %w", err)
		}
		err = tx.QueryRow(ctx, `INSERT INTO survey_definitions (name, is_default, definition, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`, sv.Name, sv.Default, def, now).Scan(&sv.ID)
		return translate(err, "create survey")
	})
}

// UpdateSurvey validates and replaces the definition of survey sv.ID.
func (s *SurveyService) UpdateSurvey(ctx context.Context, sv *survey.Survey) error {
	if err := sv.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		var created time.Time
		err := tx.QueryRow(ctx, `SELECT created_at FROM survey_definitions WHERE id = $1 FOR UPDATE`, sv.ID).Scan(&created)
		if err != nil {
			return translate(err, fmt.Sprintf("survey %d", sv.ID))
		}
		if err := clearDefault(ctx, tx, sv.Default, sv.ID); err != nil {
			return err
		}
		sv.CreatedAt, sv.UpdatedAt = created, s.db.now()
		def, err := json.Marshal(sv)
		if err != nil {
			return fmt.Errorf("encode survey: %w", err)
		}
		_, err = tx.Exec(ctx, `UPDATE survey_definitions SET name = $2, is_default = $3, definition = $4, updated_at = $5
			WHERE id = $1`, sv.ID, sv.Name, sv.Default, def, sv.UpdatedAt)
		return translate(err, "update survey")
	})
}

func clearDefault(ctx context.Context, tx pgx.Tx, isDefault bool, keep int64) error {
	if !isDefault {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE survey_definitions SET is_default = false,
		definition = jsonb_set(definition, '{default}', 'false') WHERE is_default AND id <> $1`, keep)
	return translate(err, "clear default survey")
}

const surveyColumns = `id, is_default, definition, created_at, updated_at`

func scanSurvey(row pgx.Row) (survey.Survey, error) {
	var sv survey.Survey
	var def []byte
	var id int64
	var isDefault bool
	var created, updated time.Time
	if err := row.Scan(&id, &isDefault, &def, &created, &updated); err != nil {
		return sv, err
	}
	if err := json.Unmarshal(def, &sv); err != nil {
		return sv, fmt.Errorf("decode survey %d: %w", id, err)
	}
	sv.ID, sv.Default, sv.CreatedAt, sv.UpdatedAt = id, isDefault, created, updated
	return sv, nil
}

// GetSurvey returns one survey definition.
func (s *SurveyService) GetSurvey(ctx context.Context, id int64) (survey.Survey, error) {
	sv, err := scanSurvey(s.db.pool.QueryRow(ctx, `SELECT `+surveyColumns+` FROM survey_definitions WHERE id = $1`, id))
	if err != nil {
		return sv, translate(err, fmt.Sprintf("survey %d", id))
	}
	return sv, nil
}

// DefaultSurvey returns the survey played for Stasis(hotline,survey) without an id.
func (s *SurveyService) DefaultSurvey(ctx context.Context) (survey.Survey, error) {
	sv, err := scanSurvey(s.db.pool.QueryRow(ctx, `SELECT `+surveyColumns+` FROM survey_definitions
		ORDER BY is_default DESC, id LIMIT 1`))
	if err != nil {
		return sv, translate(err, "default survey")
	}
	return sv, nil
}

// ListSurveys returns every survey definition, the default first.
func (s *SurveyService) ListSurveys(ctx context.Context) ([]survey.Survey, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+surveyColumns+` FROM survey_definitions ORDER BY is_default DESC, id`)
	if err != nil {
		return nil, translate(err, "list surveys")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (survey.Survey, error) { return scanSurvey(r) })
	return list, translate(err, "list surveys")
}

// linkCTE are the common table expressions of a call's link (LinkCall):
// link has one row of agent, client_id, contact_id and the client's language.
const linkCTE = `call AS (SELECT agent, client_id FROM calls WHERE node = $1 AND linkedid = $2),
	contact AS (SELECT c.id, c.client_id FROM survey_campaign_attempts a
	            JOIN survey_campaign_contacts c ON c.id = a.contact_id WHERE a.channel_id = $3),
	found AS (SELECT COALESCE((SELECT agent FROM call), '') AS agent,
	                 COALESCE((SELECT client_id FROM call), (SELECT client_id FROM contact),
	                          (SELECT min(client_id) FROM contacts WHERE kind = 'phone' AND value = $4 AND $4 <> '')) AS client_id,
	                 (SELECT id FROM contact) AS contact_id),
	link AS (SELECT f.agent, f.client_id, f.contact_id,
	                COALESCE((SELECT language FROM clients WHERE id = f.client_id), '') AS language FROM found f)`

// LinkCall finds what a survey response links to: the agent who talked
// last and the client of the call (calls table, written by the tracker),
// the campaign contact that placed the channel, or the client by the
// caller's number.
func (s *SurveyService) LinkCall(ctx context.Context, node, linkedID, channelID, caller string) (survey.CallLink, error) {
	var l survey.CallLink
	err := s.db.pool.QueryRow(ctx, `WITH `+linkCTE+`
		SELECT agent, client_id, contact_id, language FROM link`, node, linkedID, channelID, caller).
		Scan(&l.Agent, &l.ClientID, &l.ContactID, &l.Language)
	return l, translate(err, "link survey call")
}

// OpenSession reads a session's survey and the call's link, and inserts
// the response q.Start (linked to its campaign contact), in one statement. The version of a definition is its row's xmin, the id of the
// transaction that wrote it: every write of the row (an edit, another
// survey taking the default flag) changes it, so a runner that holds the
// current version is sent no definition.
func (s *SurveyService) OpenSession(ctx context.Context, q survey.SessionQuery) (survey.Opening, error) {
	var o survey.Opening
	var id, version *int64
	var isDefault, fallback *bool
	var created, updated *time.Time
	var def []byte
	var responseID *int64
	start := q.Start
	if start == nil {
		start = &survey.Response{}
	}
	err := s.db.pool.QueryRow(ctx, `WITH `+linkCTE+`,
		pick AS ((SELECT false AS fallback, id, is_default, definition, created_at, updated_at, xmin::text::bigint AS version
		          FROM survey_definitions WHERE id = $5)
		         UNION ALL
		         (SELECT $5 <> 0, id, is_default, definition, created_at, updated_at, xmin::text::bigint
		          FROM survey_definitions ORDER BY is_default DESC, id LIMIT 1)
		         ORDER BY 1 LIMIT 1),
		ins AS (INSERT INTO survey_responses (survey_id, node, channel_id, linkedid, caller, agent, client_id, contact_id, state, started_at)
		        SELECT p.id, $1, $3, $2, $9, l.agent, l.client_id, l.contact_id, 'in_progress', $10 FROM pick p, link l WHERE $8::boolean
		        ON CONFLICT (node, channel_id) DO NOTHING RETURNING id, contact_id),
		tie AS (UPDATE survey_campaign_contacts k SET response_id = i.id FROM ins i WHERE k.id = i.contact_id)
		SELECT l.agent, l.client_id, l.contact_id, l.language, p.fallback, p.id, p.is_default, p.created_at, p.updated_at, p.version,
		       CASE WHEN p.id = $6 AND p.version = $7 THEN NULL ELSE p.definition END, (SELECT id FROM ins)
		FROM link l LEFT JOIN pick p ON true`,
		q.Node, q.LinkedID, q.ChannelID, q.Caller, q.SurveyID, q.KnownID, q.KnownVersion, q.Start != nil, start.Caller, start.StartedAt).
		Scan(&o.Link.Agent, &o.Link.ClientID, &o.Link.ContactID, &o.Link.Language, &fallback, &id, &isDefault, &created, &updated, &version, &def, &responseID)
	if err != nil {
		return o, translate(err, "open survey session")
	}
	if id == nil {
		return o, notFound("default survey", "")
	}
	if q.Start != nil {
		if responseID == nil {
			return o, crm.Errorf(crm.KindConflict, "a survey response of channel %s/%s exists", q.Node, q.ChannelID)
		}
		q.Start.ID, q.Start.SurveyID = *responseID, *id
		q.Start.Agent, q.Start.ClientID, q.Start.ContactID = o.Link.Agent, o.Link.ClientID, o.Link.ContactID
	}
	if def == nil {
		o.Unchanged = true
	} else if err := json.Unmarshal(def, &o.Survey); err != nil {
		return o, fmt.Errorf("decode survey %d: %w", *id, err)
	}
	o.Survey.ID, o.Survey.Default, o.Survey.CreatedAt, o.Survey.UpdatedAt = *id, *isDefault, *created, *updated
	o.Version, o.Fallback = *version, *fallback
	return o, nil
}

// StartResponse inserts r as in progress and sets r.ID, in one statement
// with the link of its campaign contact. A channel that re-enters the
// survey keeps its first response (KindConflict).
func (s *SurveyService) StartResponse(ctx context.Context, r *survey.Response) error {
	err := s.db.pool.QueryRow(ctx, `WITH r AS (INSERT INTO survey_responses
		(survey_id, node, channel_id, linkedid, caller, agent, client_id, contact_id, state, started_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'in_progress', $9) RETURNING id),
		c AS (UPDATE survey_campaign_contacts SET response_id = (SELECT id FROM r) WHERE id = $8)
		SELECT id FROM r`,
		r.SurveyID, r.Node, r.ChannelID, r.LinkedID, r.Caller, r.Agent, r.ClientID, r.ContactID, r.StartedAt).Scan(&r.ID)
	return translate(err, "start survey response")
}

// ResponseByChannel returns the response of channelID on node, with its
// answers (survey.Store: journaled writes find their response by it).
func (s *SurveyService) ResponseByChannel(ctx context.Context, node, channelID string) (survey.Response, error) {
	list, err := s.queryResponses(ctx, `WHERE r.node = $1 AND r.channel_id = $2`, node, channelID)
	if err != nil {
		return survey.Response{}, err
	}
	if len(list) == 0 {
		return survey.Response{}, notFound("survey response of channel", node+"/"+channelID)
	}
	return list[0], nil
}

// SaveAnswer stores one answer; the same question of the same response is
// stored once (the first answer wins).
func (s *SurveyService) SaveAnswer(ctx context.Context, a survey.Answer) error {
	_, err := s.db.pool.Exec(ctx, `INSERT INTO survey_answers (response_id, idx, key, value, scale, low, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (response_id, idx) DO NOTHING`,
		a.ResponseID, a.Index, a.Key, a.Value, string(a.Scale), a.Low, a.At)
	return translate(err, "save survey answer")
}

// FinishResponse sets the final state of a response still in progress and
// fills its agent and client when they were unknown; with timeline, the
// same statement adds that entry to the client's timeline (once per client
// and reference; not for a client that no longer exists).
func (s *SurveyService) FinishResponse(ctx context.Context, r survey.Response, timeline *crm.Interaction) error {
	const finish = `UPDATE survey_responses SET state = $2, ended_at = $3,
		agent = CASE WHEN agent = '' THEN $4 ELSE agent END, client_id = COALESCE(client_id, $5)
		WHERE id = $1 AND state = 'in_progress'`
	if timeline == nil {
		_, err := s.db.pool.Exec(ctx, finish, r.ID, string(r.State), r.EndedAt, r.Agent, r.ClientID)
		return translate(err, "finish survey response")
	}
	i := timeline
	if err := i.Validate(); err != nil {
		return err
	}
	if i.At.IsZero() {
		i.At = s.db.now()
	}
	_, err := s.db.pool.Exec(ctx, `WITH f AS (`+finish+`)
		INSERT INTO interactions (client_id, kind, at, user_id, summary, body, ref_type, ref_id, created_at)
		SELECT $6::bigint, $7::text, $8::timestamptz, $9::bigint, $10::text, $11::text, $12::text, $13::text, $14::timestamptz WHERE EXISTS (SELECT 1 FROM clients WHERE id = $6)
		ON CONFLICT (client_id, ref_type, ref_id) WHERE ref_type <> '' DO NOTHING`,
		r.ID, string(r.State), r.EndedAt, r.Agent, r.ClientID,
		i.ClientID, i.Kind, i.At, i.UserID, i.Summary, i.Body, i.RefType, i.RefID, s.db.now())
	return translate(err, "finish survey response")
}

// AbandonResponses closes node's responses left in progress that started
// before the given time (partial with answers, no_input without) and
// returns their channels.
func (s *SurveyService) AbandonResponses(ctx context.Context, node string, before time.Time) ([]string, error) {
	rows, err := s.db.pool.Query(ctx, `UPDATE survey_responses r SET ended_at = $2,
		state = CASE WHEN EXISTS (SELECT 1 FROM survey_answers a WHERE a.response_id = r.id) THEN 'partial' ELSE 'no_input' END
		WHERE node = $1 AND state = 'in_progress' AND started_at < $2 RETURNING channel_id`, node, before)
	if err != nil {
		return nil, translate(err, "abandon survey responses")
	}
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return list, translate(err, "abandon survey responses")
}

// GetResponse returns a response with its answers.
func (s *SurveyService) GetResponse(ctx context.Context, id int64) (survey.Response, error) {
	list, err := s.queryResponses(ctx, `WHERE r.id = $1`, id)
	if err != nil {
		return survey.Response{}, err
	}
	if len(list) == 0 {
		return survey.Response{}, notFound("survey response", id)
	}
	return list[0], nil
}

var (
	_ survey.Service = (*SurveyService)(nil)
	_ survey.Store   = (*SurveyService)(nil)
)
