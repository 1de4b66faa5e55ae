package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/service"
)

// Teams are one notion for the whole CRM: a member sees the tickets routed
// to the team and the documents granted to it (document_grants.team_id).
// Deleting a team unassigns its tickets and removes its members and grants.

// CreateTeam adds a team with its members.
func (s *Store) CreateTeam(ctx context.Context, t *service.Team) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
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

// ListTeams returns every team with its members.
func (s *Store) ListTeams(ctx context.Context) ([]service.Team, error) {
	rows, err := s.pool.Query(ctx, `SELECT t.id, t.name, t.lead_id,
		coalesce((SELECT array_agg(user_id ORDER BY user_id) FROM team_members m WHERE m.team_id = t.id), '{}')
		FROM teams t ORDER BY t.name`)
	if err != nil {
		return nil, translate(err, "list teams")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (service.Team, error) {
		var t service.Team
		err := r.Scan(&t.ID, &t.Name, &t.LeadID, &t.Members)
		return t, err
	})
}

// AddTeamMember puts a user in a team (a member already there stays). An
// unknown team is not found; an unknown user is invalid input.
func (s *Store) AddTeamMember(ctx context.Context, teamID, userID int64) error {
	var teams int
	err := s.pool.QueryRow(ctx, `WITH t AS (SELECT id FROM teams WHERE id = $1),
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
func (s *Store) RemoveTeamMember(ctx context.Context, teamID, userID int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM team_members WHERE team_id = $1 AND user_id = $2`, teamID, userID)
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
func (s *Store) DeleteTeam(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM teams WHERE id = $1`, id)
	if err != nil {
		return translate(err, "delete team")
	}
	if tag.RowsAffected() == 0 {
		return notFound("team", id)
	}
	return nil
}

// UserTeams lists the IDs of the teams a user belongs to.
func (s *Store) UserTeams(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT team_id FROM team_members WHERE user_id = $1 ORDER BY team_id`, userID)
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
