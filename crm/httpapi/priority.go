package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
)

// PriorityClassView is a client priority class.
type PriorityClassView struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Rank        int      `json:"rank" doc:"lower is served first"`
	Description string   `json:"description" doc:"the rule in words"`
	MinRevenue  *float64 `json:"min_revenue,omitempty"`
}

type priorityClassesOutput struct {
	Body struct {
		Classes []PriorityClassView `json:"classes"`
	}
}

type savePriorityClassInput struct {
	Code string `path:"code" pattern:"^[A-Z0-9_]{1,16}$"`
	Body struct {
		Name        string   `json:"name" minLength:"1" maxLength:"100"`
		Rank        int      `json:"rank" minimum:"0" maximum:"1000"`
		Description string   `json:"description,omitempty" maxLength:"2000"`
		MinRevenue  *float64 `json:"min_revenue,omitempty" minimum:"0"`
	}
}

type priorityClassOutput struct{ Body PriorityClassView }

func (s *Server) registerPriorityClasses() {
	Register(s.api, AnyRole, huma.Operation{
		OperationID: "list-priority-classes", Method: http.MethodGet, Path: "/api/v1/priority-classes", Tags: []string{"clients"},
		Summary: "Client priority classes, highest priority first",
	}, s.listPriorityClasses)

	Register(s.api, AdminOnly, huma.Operation{
		OperationID: "save-priority-class", Method: http.MethodPut, Path: "/api/v1/priority-classes/{code}", Tags: []string{"clients"},
		Summary: "Create or change a priority class",
	}, s.savePriorityClass)
}

func (s *Server) listPriorityClasses(ctx context.Context, _ *struct{}) (*priorityClassesOutput, error) {
	classes, err := s.store.ListPriorityClasses(ctx)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &priorityClassesOutput{}
	out.Body.Classes = make([]PriorityClassView, 0, len(classes))
	for _, p := range classes {
		out.Body.Classes = append(out.Body.Classes, PriorityClassView(p))
	}
	return out, nil
}

func (s *Server) savePriorityClass(ctx context.Context, in *savePriorityClassInput) (*priorityClassOutput, error) {
	p := crm.PriorityClass{Code: in.Code, Name: strings.TrimSpace(in.Body.Name), Rank: in.Body.Rank,
		Description: in.Body.Description, MinRevenue: in.Body.MinRevenue}
	if p.Name == "" {
		return nil, fieldError("body.name", "is required", in.Body.Name)
	}
	if err := s.store.SavePriorityClass(ctx, p); err != nil {
		return nil, s.problem(ctx, err)
	}
	return &priorityClassOutput{Body: PriorityClassView(p)}, nil
}
