package service

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// ReportFilter selects the tickets of an efficiency report: those created
// in [From, To), grouped by agent (the assignee) or team.
type ReportFilter struct {
	From, To time.Time
	By       string // "agent" or "team"
}

// ReportRow is one agent's or team's service figures. Times are wall-clock
// seconds (resolution without the time spent waiting for the customer);
// nil when no ticket has one yet.
type ReportRow struct {
	Group            string
	Handled          int
	Resolved         int
	ResponseMedian   *float64
	ResponseP90      *float64
	ResolutionMedian *float64
	ResolutionP90    *float64
	BreachRate       float64 // share of tickets with a breached target
	ReopenRate       float64 // share of tickets reopened at least once
	// Satisfaction is the mean CSAT score (1-5) of the surveys taken on
	// the tickets' calls; nil without any.
	Satisfaction *float64
	// SolvedByArticle counts the tickets a knowledge-base article solved
	// ("this helped" on the request).
	SolvedByArticle int
}

// WriteReportCSV writes the rows as CSV with a header.
func WriteReportCSV(w io.Writer, by string, rows []ReportRow) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{by, "handled", "resolved", "first_response_median_s", "first_response_p90_s",
		"resolution_median_s", "resolution_p90_s", "breach_rate", "reopen_rate", "csat_avg", "solved_by_article"})
	opt := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 0, 64)
	}
	for _, r := range rows {
		_ = cw.Write([]string{csvSafe(r.Group), strconv.Itoa(r.Handled), strconv.Itoa(r.Resolved), opt(r.ResponseMedian),
			opt(r.ResponseP90), opt(r.ResolutionMedian), opt(r.ResolutionP90),
			strconv.FormatFloat(r.BreachRate, 'f', 3, 64), strconv.FormatFloat(r.ReopenRate, 'f', 3, 64), avg(r.Satisfaction),
			strconv.Itoa(r.SolvedByArticle)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write report csv: %w", err)
	}
	return nil
}

func avg(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

// csvSafe defuses cells a spreadsheet would run as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
