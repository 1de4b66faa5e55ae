package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"hotline/metrics"
)

// WallboardSource is the live state of agents and calls (*metrics.Metrics).
type WallboardSource interface {
	Snapshot() metrics.Snapshot
}

type wallboardOutput struct {
	Body metrics.Snapshot
}

// RegisterWallboard adds GET /api/v1/wallboard: the wallboard's state once
// (agents and their states, calls in progress and waiting, today's totals),
// for supervisors and admins. The page streams the same state over
// /api/v1/wallboard/socket.
func RegisterWallboard(api huma.API, board WallboardSource) {
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "get-wallboard", Method: http.MethodGet,
		Path: "/api/v1/wallboard", Tags: []string{"reports"},
		Summary: "Agents' states, calls in progress and waiting, today's totals"},
		func(context.Context, *struct{}) (*wallboardOutput, error) {
			return &wallboardOutput{Body: board.Snapshot()}, nil
		})
}
