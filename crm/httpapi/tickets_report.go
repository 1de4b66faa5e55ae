package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/service"
)

// ReportRowJSON is one agent's or team's figures (seconds).
type ReportRowJSON struct {
	Group            string   `json:"group"`
	Handled          int      `json:"handled"`
	Resolved         int      `json:"resolved"`
	ResponseMedian   *float64 `json:"first_response_median_s"`
	ResponseP90      *float64 `json:"first_response_p90_s"`
	ResolutionMedian *float64 `json:"resolution_median_s"`
	ResolutionP90    *float64 `json:"resolution_p90_s"`
	BreachRate       float64  `json:"breach_rate"`
	ReopenRate       float64  `json:"reopen_rate"`
	Satisfaction     *float64 `json:"csat_avg"`
	SolvedByArticle  int      `json:"solved_by_article" doc:"requests a knowledge-base article solved"`
}

type serviceReportInput struct {
	From   string `query:"from" required:"true" doc:"YYYY-MM-DD (inclusive)" pattern:"^\\d{4}-\\d{2}-\\d{2}$"`
	To     string `query:"to" required:"true" doc:"YYYY-MM-DD (exclusive)" pattern:"^\\d{4}-\\d{2}-\\d{2}$"`
	By     string `query:"by" enum:"agent,team," doc:"default agent"`
	Format string `query:"format" enum:"json,csv," doc:"csv downloads a spreadsheet"`
}

type serviceReportOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// report answers the service efficiency figures as JSON or CSV.
func (h ticketHandlers) report(ctx context.Context, in *serviceReportInput) (*serviceReportOutput, error) {
	from, err1 := time.Parse(time.DateOnly, in.From)
	to, err2 := time.Parse(time.DateOnly, in.To)
	if err1 != nil || err2 != nil {
		return nil, huma.Error422UnprocessableEntity("from, to: must be dates YYYY-MM-DD")
	}
	by := in.By
	if by == "" {
		by = "agent"
	}
	rows, err := h.tickets.ServiceReport(ctx, service.ReportFilter{From: from, To: to, By: by})
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	var buf bytes.Buffer
	if in.Format == "csv" {
		if err := service.WriteReportCSV(&buf, by, rows); err != nil {
			return nil, h.problem(ctx, err)
		}
		return &serviceReportOutput{ContentType: "text/csv; charset=utf-8",
			ContentDisposition: `attachment; filename="service-` + in.From + `-` + in.To + `.csv"`, Body: buf.Bytes()}, nil
	}
	out := make([]ReportRowJSON, 0, len(rows))
	for _, r := range rows {
		out = append(out, ReportRowJSON(r))
	}
	b, err := json.Marshal(map[string]any{"by": by, "rows": out})
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &serviceReportOutput{ContentType: "application/json", Body: b}, nil
}
