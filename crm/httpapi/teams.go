package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

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

type teamMemberPath struct {
	ID     int64 `path:"id" minimum:"1"`
	UserID int64 `path:"user_id" minimum:"1"`
}

// registerTeams adds the teams: anyone lists them (to pick one for a
// ticket or a document grant); admins create, rename and delete them and
// manage their leads and members.
func (s *ticketsAPI) registerTeams(api huma.API) {
	tags := []string{"teams"}
	type teamsOutput struct {
		Body struct {
			Teams []TeamJSON `json:"teams"`
		}
	}
	Register(api, AnyRole, huma.Operation{OperationID: "list-teams", Method: http.MethodGet, Path: "/api/v1/teams",
		Tags: tags, Summary: "Teams with their leads and members"},
		func(ctx context.Context, _ *struct{}) (*teamsOutput, error) {
			teams, err := s.store.ListTeams(ctx)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &teamsOutput{}
			out.Body.Teams = []TeamJSON{}
			for _, t := range teams {
				out.Body.Teams = append(out.Body.Teams, teamJSON(t))
			}
			return out, nil
		})
	Register(api, AdminOnly, huma.Operation{OperationID: "create-team", Method: http.MethodPost, Path: "/api/v1/teams",
		Tags: tags, Summary: "Add a team", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct{ Body TeamJSON }) (*struct{ Body TeamJSON }, error) {
			t := service.Team{Name: strings.TrimSpace(in.Body.Name), LeadID: in.Body.LeadID, Members: in.Body.Members}
			if err := s.store.CreateTeam(ctx, &t); err != nil {
				return nil, s.problem(ctx, err)
			}
			return &struct{ Body TeamJSON }{teamJSON(t)}, nil
		})
	Register(api, AdminOnly, huma.Operation{OperationID: "update-team", Method: http.MethodPatch, Path: "/api/v1/teams/{id}",
		Tags: tags, Summary: "Rename a team or change its lead (lead_id 0: no lead); a new lead joins the members"},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id" minimum:"1"`
			Body struct {
				Name   *string `json:"name,omitempty" minLength:"1" maxLength:"100"`
				LeadID *int64  `json:"lead_id,omitempty" minimum:"0" doc:"0 removes the lead"`
			}
		}) (*struct{ Body TeamJSON }, error) {
			t, err := s.store.UpdateTeam(ctx, in.ID, service.TeamUpdate{Name: in.Body.Name, LeadID: in.Body.LeadID})
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &struct{ Body TeamJSON }{teamJSON(t)}, nil
		})
	Register(api, AdminOnly, huma.Operation{OperationID: "delete-team", Method: http.MethodDelete, Path: "/api/v1/teams/{id}",
		Tags: tags, Summary: "Delete a team: its tickets lose their team, its document grants go", DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *idPath) (*struct{}, error) {
			if err := s.store.DeleteTeam(ctx, in.ID); err != nil {
				return nil, s.problem(ctx, err)
			}
			return &struct{}{}, nil
		})
	Register(api, AdminOnly, huma.Operation{OperationID: "add-team-member", Method: http.MethodPost, Path: "/api/v1/teams/{id}/members",
		Tags: tags, Summary: "Put a user in a team: they see its tickets and its documents", DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id" minimum:"1"`
			Body struct {
				UserID int64 `json:"user_id" minimum:"1"`
			}
		}) (*struct{}, error) {
			if err := s.store.AddTeamMember(ctx, in.ID, in.Body.UserID); err != nil {
				return nil, s.problem(ctx, err)
			}
			return &struct{}{}, nil
		})
	Register(api, AdminOnly, huma.Operation{OperationID: "remove-team-member", Method: http.MethodDelete, Path: "/api/v1/teams/{id}/members/{user_id}",
		Tags: tags, Summary: "Take a user out of a team", DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *teamMemberPath) (*struct{}, error) {
			if err := s.store.RemoveTeamMember(ctx, in.ID, in.UserID); err != nil {
				return nil, s.problem(ctx, err)
			}
			return &struct{}{}, nil
		})
}
