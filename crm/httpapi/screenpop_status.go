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
func registerAgentStatus(api huma.API, h *popHandlers) {
	tags := []string{"console"}
	Register(api, AnyRole, huma.Operation{OperationID: "get-my-status", Method: http.MethodGet, Path: "/api/v1/console/status",
		Tags: tags, Summary: "My agent status (available, paused, wrap_up)"}, h.myStatus)
	Register(api, AnyRole, huma.Operation{OperationID: "set-my-status", Method: http.MethodPut, Path: "/api/v1/console/status",
		Tags: tags, Summary: "Set my agent status"}, h.setMyStatus)
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "list-agent-statuses", Method: http.MethodGet, Path: "/api/v1/console/agents",
		Tags: tags, Summary: "Every agent's status, for supervisors"}, h.agentStatuses)
}

func (h *popHandlers) myStatus(ctx context.Context, _ *struct{}) (*statusOutput, error) {
	e, err := h.o.Status.Get(ctx, PrincipalFrom(ctx).User.Login)
	if err != nil {
		return nil, h.srv.problem(ctx, err)
	}
	return &statusOutput{Body: e}, nil
}

func (h *popHandlers) setMyStatus(ctx context.Context, in *setStatusInput) (*statusOutput, error) {
	e, err := h.o.Popper.SetStatus(ctx, PrincipalFrom(ctx).User.Login, in.Body.Status)
	if err != nil {
		return nil, h.srv.problem(ctx, err)
	}
	return &statusOutput{Body: e}, nil
}

func (h *popHandlers) agentStatuses(ctx context.Context, _ *struct{}) (*agentStatusesOutput, error) {
	all, err := h.o.Status.All(ctx)
	if err != nil {
		return nil, h.srv.problem(ctx, err)
	}
	out := &agentStatusesOutput{}
	out.Body.Agents = all
	if out.Body.Agents == nil {
		out.Body.Agents = []screenpop.StatusEntry{}
	}
	return out, nil
}
