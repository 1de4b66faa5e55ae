package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/telephony"
)

// ReportDeps are what RegisterReports needs.
type ReportDeps struct {
	Reports  telephony.ReportService
	Logger   *slog.Logger
	Now      func() time.Time // default time.Now
	Location *time.Location   // where report days start; default time.Local
}

// reportHandlers serve the supervisor reports.
type reportHandlers struct {
	reports telephony.ReportService
	log     *slog.Logger
	now     func() time.Time
	loc     *time.Location
}

type agentReportInput struct {
	From string `query:"from" maxLength:"40" doc:"first day (2026-11-27) or RFC 3339 instant; default today"`
	To   string `query:"to" maxLength:"40" doc:"last day, inclusive, or RFC 3339 instant, exclusive; default the end of from's day"`
}

type agentReportOutput struct {
	Body telephony.AgentReport
}

type reportCSVOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// RegisterReports adds the supervisor reports: the agent efficiency report
// as JSON (GET /api/v1/reports/agents) and CSV (GET /api/v1/reports/agents.csv).
func RegisterReports(srv *Server, deps ReportDeps) {
	h := &reportHandlers{reports: deps.Reports, log: deps.Logger, now: deps.Now, loc: deps.Location}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.loc == nil {
		h.loc = time.Local
	}
	api, tags := srv.API(), []string{"reports"}
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "agent-report", Method: http.MethodGet,
		Path: "/api/v1/reports/agents", Tags: tags,
		Summary: "Agent efficiency for a period: calls in/out, answered, missed, talk, ring and hold time, survey scores"},
		h.agentsJSON)
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "agent-report-csv", Method: http.MethodGet,
		Path: "/api/v1/reports/agents.csv", Tags: tags, Summary: "The agent efficiency report as CSV",
		Responses: map[string]*huma.Response{"200": {Description: "CSV", Content: map[string]*huma.MediaType{"text/csv": {}}}}},
		h.agentsCSV)
}

func (h *reportHandlers) agentsJSON(ctx context.Context, in *agentReportInput) (*agentReportOutput, error) {
	rep, err := h.report(ctx, in)
	if err != nil {
		return nil, err
	}
	return &agentReportOutput{Body: rep}, nil
}

func (h *reportHandlers) agentsCSV(ctx context.Context, in *agentReportInput) (*reportCSVOutput, error) {
	rep, err := h.report(ctx, in)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		return nil, h.problem(ctx, err)
	}
	name := "agents-" + rep.From.In(h.loc).Format(time.DateOnly) + ".csv"
	return &reportCSVOutput{ContentType: "text/csv; charset=utf-8",
		ContentDisposition: `attachment; filename="` + name + `"`, Body: buf.Bytes()}, nil
}

func (h *reportHandlers) report(ctx context.Context, in *agentReportInput) (telephony.AgentReport, error) {
	from, to, err := telephony.ParsePeriod(in.From, in.To, h.now(), h.loc)
	if err != nil {
		return telephony.AgentReport{}, huma.Error422UnprocessableEntity("query."+err.Error(), &huma.ErrorDetail{
			Message: err.Error(), Location: "query", Value: in.From + ".." + in.To})
	}
	rep, err := h.reports.AgentReport(ctx, from, to)
	if err != nil {
		return rep, h.problem(ctx, err)
	}
	return rep, nil
}

// problem maps a store error to a problem response, like Server.problem.
func (h *reportHandlers) problem(ctx context.Context, err error) error {
	return problemFor(ctx, h.log, err)
}
