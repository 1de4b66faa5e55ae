package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/service"
)

// TeamJSON is a team. Its members see the tickets routed to it and the
// documents granted to it.
type TeamJSON struct {
	ID      int64   `json:"id,omitempty" readOnly:"true"`
	Name    string  `json:"name" minLength:"1" maxLength:"100"`
	LeadID  *int64  `json:"lead_id,omitempty"`
	Members []int64 `json:"members,omitempty" maxItems:"500"`
}

func teamJSON(t service.Team) TeamJSON {
	return TeamJSON{ID: t.ID, Name: t.Name, LeadID: t.LeadID, Members: t.Members}
}

type teamOutput struct{ Body TeamJSON }

type teamsOutput struct {
	Body struct {
		Teams []TeamJSON `json:"teams"`
	}
}

type teamUpdateInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Name   *string `json:"name,omitempty" minLength:"1" maxLength:"100"`
		LeadID *int64  `json:"lead_id,omitempty" minimum:"0" doc:"0 removes the lead"`
	}
}

type teamMemberInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		UserID int64 `json:"user_id" minimum:"1"`
	}
}

type teamMemberPath struct {
	ID     int64 `path:"id" minimum:"1"`
	UserID int64 `path:"user_id" minimum:"1"`
}

// TeamDeps are what RegisterTeams needs; Teams is required.
type TeamDeps struct {
	Teams  service.TeamService
	Logger *slog.Logger
}

// teamHandlers answer the team operations.
type teamHandlers struct{ TeamDeps }

// RegisterTeams adds the teams: anyone lists them (to pick one for a
// ticket or a document grant); admins create, rename and delete them and
// manage their leads and members.
func RegisterTeams(api *Server, deps TeamDeps) {
	if deps.Logger == nil {
		deps.Logger = api.log
	}
	h := teamHandlers{deps}
	tags := []string{"teams"}
	Register(api.api, crm.AnyRole, huma.Operation{OperationID: "list-teams", Method: http.MethodGet, Path: "/api/v1/teams",
		Tags: tags, Summary: "Teams with their leads and members"}, h.list)
	Register(api.api, crm.AdminOnly, huma.Operation{OperationID: "create-team", Method: http.MethodPost, Path: "/api/v1/teams",
		Tags: tags, Summary: "Add a team", DefaultStatus: http.StatusCreated}, h.create)
	Register(api.api, crm.AdminOnly, huma.Operation{OperationID: "update-team", Method: http.MethodPatch, Path: "/api/v1/teams/{id}",
		Tags: tags, Summary: "Rename a team or change its lead (lead_id 0: no lead); a new lead joins the members"}, h.update)
	Register(api.api, crm.AdminOnly, huma.Operation{OperationID: "delete-team", Method: http.MethodDelete, Path: "/api/v1/teams/{id}",
		Tags: tags, Summary: "Delete a team: its tickets lose their team, its document grants go", DefaultStatus: http.StatusNoContent}, h.delete)
	Register(api.api, crm.AdminOnly, huma.Operation{OperationID: "add-team-member", Method: http.MethodPost, Path: "/api/v1/teams/{id}/members",
		Tags: tags, Summary: "Put a user in a team: they see its tickets and its documents", DefaultStatus: http.StatusNoContent}, h.addMember)
	Register(api.api, crm.AdminOnly, huma.Operation{OperationID: "remove-team-member", Method: http.MethodDelete, Path: "/api/v1/teams/{id}/members/{user_id}",
		Tags: tags, Summary: "Take a user out of a team", DefaultStatus: http.StatusNoContent}, h.removeMember)
}

func (h teamHandlers) problem(ctx context.Context, err error) error {
	return problemFor(ctx, h.Logger, err)
}

func (h teamHandlers) list(ctx context.Context, _ *struct{}) (*teamsOutput, error) {
	teams, err := h.Teams.ListTeams(ctx)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &teamsOutput{}
	out.Body.Teams = []TeamJSON{}
	for _, t := range teams {
		out.Body.Teams = append(out.Body.Teams, teamJSON(t))
	}
	return out, nil
}

func (h teamHandlers) create(ctx context.Context, in *struct{ Body TeamJSON }) (*teamOutput, error) {
	t := service.Team{Name: strings.TrimSpace(in.Body.Name), LeadID: in.Body.LeadID, Members: in.Body.Members}
	if err := h.Teams.CreateTeam(ctx, &t); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &teamOutput{teamJSON(t)}, nil
}

func (h teamHandlers) update(ctx context.Context, in *teamUpdateInput) (*teamOutput, error) {
	t, err := h.Teams.UpdateTeam(ctx, in.ID, service.TeamUpdate{Name: in.Body.Name, LeadID: in.Body.LeadID})
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &teamOutput{teamJSON(t)}, nil
}

func (h teamHandlers) delete(ctx context.Context, in *idPath) (*struct{}, error) {
	if err := h.Teams.DeleteTeam(ctx, in.ID); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &struct{}{}, nil
}

func (h teamHandlers) addMember(ctx context.Context, in *teamMemberInput) (*struct{}, error) {
	if err := h.Teams.AddTeamMember(ctx, in.ID, in.Body.UserID); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &struct{}{}, nil
}

func (h teamHandlers) removeMember(ctx context.Context, in *teamMemberPath) (*struct{}, error) {
	if err := h.Teams.RemoveTeamMember(ctx, in.ID, in.UserID); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &struct{}{}, nil
}
