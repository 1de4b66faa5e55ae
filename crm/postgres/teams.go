package postgres

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/service"
)

// Teams are one notion for the whole CRM: a member sees the tickets routed
// to the team and the documents granted to it (document_grants.team_id).
// Deleting a team unassigns its tickets and removes its members and grants.

// CreateTeam adds a team with its members.
func (s *TeamService) CreateTeam(ctx context.Context, t *service.Team) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO teams (name, lead_id) VALUES ($1, $2) RETURNING id`, t.Name, t.LeadID).Scan(&t.ID); err != nil {
			return translate(err, "create team")
		}
		for _, m := range t.Members {
			if _, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, t.ID, m); err != nil {
				return translate(err, "add team member")
			}
		}
		return nil
	})
}

const teamQuery = `SELECT t.id, t.name, t.lead_id,
	coalesce((SELECT array_agg(user_id ORDER BY user_id) FROM team_members m WHERE m.team_id = t.id), '{}')
	FROM teams t`

func scanTeam(r pgx.CollectableRow) (service.Team, error) {
	var t service.Team
	err := r.Scan(&t.ID, &t.Name, &t.LeadID, &t.Members)
	return t, err
}

// ListTeams returns every team with its members.
func (s *TeamService) ListTeams(ctx context.Context) ([]service.Team, error) {
	rows, err := s.db.pool.Query(ctx, teamQuery+` ORDER BY t.name`)
	if err != nil {
		return nil, translate(err, "list teams")
	}
	teams, err := pgx.CollectRows(rows, scanTeam)
	return teams, translate(err, "list teams")
}

// UpdateTeam renames a team and/or changes its lead (see TeamUpdate) and
// returns it as it now is. A new lead must be an enabled user and joins
// the team's members; the previous lead stays a member.
func (s *TeamService) UpdateTeam(ctx context.Context, id int64, u service.TeamUpdate) (service.Team, error) {
	var out service.Team
	if u.Name != nil {
		name := strings.TrimSpace(*u.Name)
		if name == "" || utf8.RuneCountInString(name) > 100 || !crm.ValidText(name) {
			return out, crm.Invalid("name", "must be 1-100 characters of text")
		}
		u.Name = &name
	}
	if u.LeadID != nil && *u.LeadID < 0 {
		return out, crm.Invalid("lead_id", "is not a known user")
	}
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		if u.LeadID != nil && *u.LeadID > 0 {
			if err := checkLead(ctx, tx, *u.LeadID); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `UPDATE teams SET name = coalesce($2, name),
			lead_id = CASE WHEN $3::bigint IS NULL THEN lead_id ELSE nullif($3, 0) END WHERE id = $1`, id, u.Name, u.LeadID)
		if err != nil {
			return translate(err, "update team")
		}
		if tag.RowsAffected() == 0 {
			return notFound("team", id)
		}
		if u.LeadID != nil && *u.LeadID > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, *u.LeadID); err != nil {
				return translate(err, "add team lead as member")
			}
		}
		rows, err := tx.Query(ctx, teamQuery+` WHERE t.id = $1`, id)
		if err != nil {
			return translate(err, "read team")
		}
		out, err = pgx.CollectExactlyOneRow(rows, scanTeam)
		return translate(err, "read team")
	})
	return out, err
}

// checkLead refuses a lead who is not a user or is disabled.
func checkLead(ctx context.Context, tx pgx.Tx, userID int64) error {
	var disabled bool
	err := tx.QueryRow(ctx, `SELECT disabled FROM users WHERE id = $1`, userID).Scan(&disabled)
	switch {
	case err == pgx.ErrNoRows:
		return crm.Invalid("lead_id", "is not a known user")
	case err != nil:
		return translate(err, "check team lead")
	case disabled:
		return crm.Invalid("lead_id", "is disabled: enable the user first")
	}
	return nil
}

// AddTeamMember puts a user in a team (a member already there stays). An
// unknown team is not found; an unknown user is invalid input.
func (s *TeamService) AddTeamMember(ctx context.Context, teamID, userID int64) error {
	var teams int
	err := s.db.pool.QueryRow(ctx, `WITH t AS (SELECT id FROM teams WHERE id = $1),
		added AS (INSERT INTO team_members (team_id, user_id) SELECT id, $2 FROM t ON CONFLICT DO NOTHING)
		SELECT count(*) FROM t`, teamID, userID).Scan(&teams)
	if err != nil {
		return translate(err, "add team member")
	}
	if teams == 0 {
		return notFound("team", teamID)
	}
	return nil
}

// RemoveTeamMember takes a user out of a team; it is not found when the
// user was not a member.
func (s *TeamService) RemoveTeamMember(ctx context.Context, teamID, userID int64) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM team_members WHERE team_id = $1 AND user_id = $2`, teamID, userID)
	if err != nil {
		return translate(err, "remove team member")
	}
	if tag.RowsAffected() == 0 {
		return crm.Errorf(crm.KindNotFound, "user %d is not a member of team %d", userID, teamID)
	}
	return nil
}

// DeleteTeam removes a team: its tickets lose their team, its memberships
// and document grants go with it.
func (s *TeamService) DeleteTeam(ctx context.Context, id int64) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM teams WHERE id = $1`, id)
	if err != nil {
		return translate(err, "delete team")
	}
	if tag.RowsAffected() == 0 {
		return notFound("team", id)
	}
	return nil
}

// UserTeams lists the IDs of the teams a user belongs to.
func (s *TeamService) UserTeams(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT team_id FROM team_members WHERE user_id = $1 ORDER BY team_id`, userID)
	if err != nil {
		return nil, translate(err, "user teams")
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return out, translate(err, "user teams")
}

// resolveTeam finds the team a grant names: by ID when who is a number,
// else by name, case-insensitively (an exact match first).
func resolveTeam(ctx context.Context, tx pgx.Tx, who string) (int64, error) {
	var id int64
	var err error
	if n, perr := strconv.ParseInt(who, 10, 64); perr == nil {
		err = tx.QueryRow(ctx, `SELECT id FROM teams WHERE id = $1`, n).Scan(&id)
	} else {
		err = tx.QueryRow(ctx, `SELECT id FROM teams WHERE lower(name) = lower($1) ORDER BY name = $1 DESC, id LIMIT 1`, who).Scan(&id)
	}
	if err == pgx.ErrNoRows {
		return 0, crm.Invalid("grants", "unknown team %q", who)
	}
	return id, err
}
