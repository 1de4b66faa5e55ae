package service

import "context"

// TeamService keeps teams and their members: a member sees the tickets
// routed to the team and the documents granted to it
// (crm/postgres.TeamService implements it).
type TeamService interface {
	// CreateTeam adds a team with its members and sets t.ID.
	CreateTeam(ctx context.Context, t *Team) error
	// ListTeams returns every team with its members.
	ListTeams(ctx context.Context) ([]Team, error)
	// UpdateTeam renames a team or changes its lead and returns it.
	UpdateTeam(ctx context.Context, id int64, u TeamUpdate) (Team, error)
	// DeleteTeam removes a team; its tickets lose their team.
	DeleteTeam(ctx context.Context, id int64) error
	// AddTeamMember puts a user in a team.
	AddTeamMember(ctx context.Context, teamID, userID int64) error
	// RemoveTeamMember takes a user out of a team.
	RemoveTeamMember(ctx context.Context, teamID, userID int64) error
	// UserTeams lists the IDs of the teams a user belongs to.
	UserTeams(ctx context.Context, userID int64) ([]int64, error)
}
