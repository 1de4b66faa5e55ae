package telephony

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"hotline/crm"
)

// AgentEfficiency is one agent's row of the efficiency report for a period,
// computed from the call log (and the survey tables when they exist).
//
// A call counts for every agent who rang or talked on it: Inbound, Outbound
// and Internal count those calls by direction; Answered are the calls the
// agent talked on last; Missed are inbound calls that rang the agent and
// were taken by someone else or nobody. Talk and hold are summed over the
// answered calls, ring over every call of the agent.
type AgentEfficiency struct {
	Agent            string  `json:"agent"`
	Name             string  `json:"name,omitempty"`
	Calls            int     `json:"calls"`
	Inbound          int     `json:"inbound"`
	Outbound         int     `json:"outbound"`
	Internal         int     `json:"internal"`
	Answered         int     `json:"answered"`
	Missed           int     `json:"missed"`
	TotalTalkSeconds float64 `json:"total_talk_seconds"`
	AvgTalkSeconds   float64 `json:"avg_talk_seconds"`
	TotalRingSeconds float64 `json:"total_ring_seconds"`
	AvgRingSeconds   float64 `json:"avg_ring_seconds"`
	TotalHoldSeconds float64 `json:"total_hold_seconds"`
	AvgHoldSeconds   float64 `json:"avg_hold_seconds"`
	// Survey scores, nil when there are no surveys (or no answers).
	SurveyResponses *int     `json:"survey_responses,omitempty"`
	CSAT            *float64 `json:"csat,omitempty"`     // share of 4 and 5 on the 1-5 scale, percent
	AvgCSAT         *float64 `json:"avg_csat,omitempty"` // mean of the 1-5 answers
	NPS             *float64 `json:"nps,omitempty"`      // promoters minus detractors, percent
	// TicketsHandled is nil until the service desk's tables exist.
	TicketsHandled *int `json:"tickets_handled,omitempty"`
}

// AgentReport is the efficiency report of every agent for [From, To).
type AgentReport struct {
	From   time.Time         `json:"from"`
	To     time.Time         `json:"to"`
	Agents []AgentEfficiency `json:"agents"`
	Total  AgentEfficiency   `json:"total"` // Agent "total": every call of the period once
}

// CallLog reads the call log (crm/postgres.CallService).
type CallLog interface {
	// ListCalls returns a page of the calls f selects, newest first.
	ListCalls(ctx context.Context, f CallFilter) (crm.Page[Call], error)
	// GetCall returns one call with its event timeline.
	GetCall(ctx context.Context, id int64) (Call, []TimelineEntry, error)
}

// ReportService computes the agent efficiency report from the call log
// (crm/postgres.ReportService).
type ReportService interface {
	// AgentReport is the report of every agent for calls started in [from, to).
	AgentReport(ctx context.Context, from, to time.Time) (AgentReport, error)
}

var agentCSVHeader = []string{"agent", "name", "calls", "inbound", "outbound", "internal", "answered", "missed",
	"total_talk_seconds", "avg_talk_seconds", "total_ring_seconds", "avg_ring_seconds",
	"total_hold_seconds", "avg_hold_seconds", "survey_responses", "csat_percent", "avg_csat", "nps", "tickets_handled"}

// WriteCSV writes the report as CSV with a header line, one line per agent and the total.
func (r AgentReport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(agentCSVHeader); err != nil {
		return fmt.Errorf("write report csv: %w", err)
	}
	for _, a := range append(append([]AgentEfficiency(nil), r.Agents...), r.Total) {
		row := []string{csvCell(a.Agent), csvCell(a.Name), itoa(a.Calls), itoa(a.Inbound), itoa(a.Outbound), itoa(a.Internal),
			itoa(a.Answered), itoa(a.Missed), ftoa(a.TotalTalkSeconds), ftoa(a.AvgTalkSeconds),
			ftoa(a.TotalRingSeconds), ftoa(a.AvgRingSeconds), ftoa(a.TotalHoldSeconds), ftoa(a.AvgHoldSeconds),
			optInt(a.SurveyResponses), optFloat(a.CSAT), optFloat(a.AvgCSAT), optFloat(a.NPS), optInt(a.TicketsHandled)}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write report csv: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvCell(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

func itoa(n int) string     { return strconv.Itoa(n) }
func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func optFloat(p *float64) string {
	if p == nil {
		return ""
	}
	return ftoa(*p)
}

func optInt(p *int) string {
	if p == nil {
		return ""
	}
	return itoa(*p)
}
