package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"hotline/telephony/wallboard"
)

// WallboardDeps are what RegisterWallboard needs.
type WallboardDeps struct {
	// Board is the live state of agents and calls (*metrics.Metrics).
	Board wallboard.Source
}

type wallboardOutput struct {
	Body wallboard.Snapshot
}

// wallboardHandlers serve the wallboard operation.
type wallboardHandlers struct{ board wallboard.Source }

// RegisterWallboard adds GET /api/v1/wallboard: the wallboard's state once
// (agents and their states, calls in progress and waiting, today's totals),
// for supervisors and admins. The page streams the same state over
// /api/v1/wallboard/socket.
func RegisterWallboard(srv *Server, deps WallboardDeps) {
	h := wallboardHandlers{board: deps.Board}
	Register(srv.API(), SupervisorOrAdmin, huma.Operation{OperationID: "get-wallboard", Method: http.MethodGet,
		Path: "/api/v1/wallboard", Tags: []string{"reports"},
		Summary: "Agents' states, calls in progress and waiting, today's totals"}, h.snapshot)
}

func (h wallboardHandlers) snapshot(context.Context, *struct{}) (*wallboardOutput, error) {
	return &wallboardOutput{Body: h.board.Snapshot()}, nil
}
