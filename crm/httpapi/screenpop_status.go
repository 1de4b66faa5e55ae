package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"hotline/telephony/screenpop"
)

type statusOutput struct{ Body screenpop.StatusEntry }

type setStatusInput struct {
	Body struct {
		Status screenpop.AgentStatus `json:"status" enum:"available,paused,wrap_up"`
	}
}

type agentStatusesOutput struct {
	Body struct {
		Agents []screenpop.StatusEntry `json:"agents"`
	}
}

// registerAgentStatus adds the agent status operations: agents read and set
// their own; supervisors and admins list everyone's.
func (s *Server) registerAgentStatus(o ScreenPopOptions) {
	if o.Status == nil {
		return
	}
	Register(s.api, AnyRole, huma.Operation{
		OperationID: "get-my-status", Method: http.MethodGet, Path: "/api/v1/console/status", Tags: []string{"console"},
		Summary: "My agent status (available, paused, wrap_up)",
	}, func(ctx context.Context, _ *struct{}) (*statusOutput, error) {
		e, err := o.Status.Get(ctx, PrincipalFrom(ctx).User.Login)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &statusOutput{Body: e}, nil
	})
	Register(s.api, AnyRole, huma.Operation{
		OperationID: "set-my-status", Method: http.MethodPut, Path: "/api/v1/console/status", Tags: []string{"console"},
		Summary: "Set my agent status",
	}, func(ctx context.Context, in *setStatusInput) (*statusOutput, error) {
		e, err := o.Popper.SetStatus(ctx, PrincipalFrom(ctx).User.Login, in.Body.Status)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &statusOutput{Body: e}, nil
	})
	Register(s.api, SupervisorOrAdmin, huma.Operation{
		OperationID: "list-agent-statuses", Method: http.MethodGet, Path: "/api/v1/console/agents", Tags: []string{"console"},
		Summary: "Every agent's status, for supervisors",
	}, func(ctx context.Context, _ *struct{}) (*agentStatusesOutput, error) {
		all, err := o.Status.All(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &agentStatusesOutput{}
		out.Body.Agents = all
		if out.Body.Agents == nil {
			out.Body.Agents = []screenpop.StatusEntry{}
		}
		return out, nil
	})
}
