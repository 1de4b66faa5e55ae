package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/metrics"
)

// ReportStore computes supervisor reports (*postgres.Services).
type ReportStore interface {
	AgentReport(ctx context.Context, from, to time.Time) (metrics.AgentReport, error)
}

// ReportDeps are what RegisterReports needs.
type ReportDeps struct {
	Store    ReportStore
	Logger   *slog.Logger
	Now      func() time.Time // default time.Now
	Location *time.Location   // where report days start; default time.Local
}

type reportAPI struct {
	store ReportStore
	log   *slog.Logger
	now   func() time.Time
	loc   *time.Location
}

type agentReportInput struct {
	From string `query:"from" maxLength:"40" doc:"first day (2026-11-27) or RFC 3339 instant; default today"`
	To   string `query:"to" maxLength:"40" doc:"last day, inclusive, or RFC 3339 instant, exclusive; default the end of from's day"`
}

type agentReportOutput struct {
	Body metrics.AgentReport
}

type reportCSVOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// RegisterReports adds the supervisor reports: the agent efficiency report
// as JSON (GET /api/v1/reports/agents) and CSV (GET /api/v1/reports/agents.csv).
func RegisterReports(api huma.API, deps ReportDeps) {
	r := &reportAPI{store: deps.Store, log: deps.Logger, now: deps.Now, loc: deps.Location}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.loc == nil {
		r.loc = time.Local
	}
	tags := []string{"reports"}
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "agent-report", Method: http.MethodGet,
		Path: "/api/v1/reports/agents", Tags: tags,
		Summary: "Agent efficiency for a period: calls in/out, answered, missed, talk, ring and hold time, survey scores"},
		func(ctx context.Context, in *agentReportInput) (*agentReportOutput, error) {
			rep, err := r.report(ctx, in)
			if err != nil {
				return nil, err
			}
			return &agentReportOutput{Body: rep}, nil
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "agent-report-csv", Method: http.MethodGet,
		Path: "/api/v1/reports/agents.csv", Tags: tags, Summary: "The agent efficiency report as CSV",
		Responses: map[string]*huma.Response{"200": {Description: "CSV", Content: map[string]*huma.MediaType{"text/csv": {}}}}},
		func(ctx context.Context, in *agentReportInput) (*reportCSVOutput, error) {
			rep, err := r.report(ctx, in)
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			if err := rep.WriteCSV(&buf); err != nil {
				return nil, r.problem(ctx, err)
			}
			name := "agents-" + rep.From.In(r.loc).Format(time.DateOnly) + ".csv"
			return &reportCSVOutput{ContentType: "text/csv; charset=utf-8",
				ContentDisposition: `attachment; filename="` + name + `"`, Body: buf.Bytes()}, nil
		})
}

func (r *reportAPI) report(ctx context.Context, in *agentReportInput) (metrics.AgentReport, error) {
	from, to, err := metrics.ParsePeriod(in.From, in.To, r.now(), r.loc)
	if err != nil {
		return metrics.AgentReport{}, huma.Error422UnprocessableEntity("query."+err.Error(), &huma.ErrorDetail{
			Message: err.Error(), Location: "query", Value: in.From + ".." + in.To})
	}
	rep, err := r.store.AgentReport(ctx, from, to)
	if err != nil {
		return rep, r.problem(ctx, err)
	}
	return rep, nil
}

// problem maps a store error to a problem response, like Server.problem.
func (r *reportAPI) problem(ctx context.Context, err error) error {
	return problemFor(ctx, r.log, err)
}
