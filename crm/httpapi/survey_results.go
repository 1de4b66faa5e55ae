package httpapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"hotline/survey"
)

type resultsInput struct {
	GroupBy  string    `query:"group_by" enum:"agent,survey,day,week,month" default:"agent"`
	SurveyID int64     `query:"survey_id" minimum:"0"`
	Agent    string    `query:"agent" maxLength:"64"`
	From     time.Time `query:"from" doc:"RFC 3339; default 30 days ago"`
	To       time.Time `query:"to" doc:"RFC 3339, exclusive; default now"`
	Low      bool      `query:"low" doc:"only responses with a low score (follow-ups)"`
}

func (in resultsInput) filter() (survey.ResultFilter, error) {
	f := survey.ResultFilter{GroupBy: survey.GroupBy(in.GroupBy), SurveyID: in.SurveyID, Agent: in.Agent, From: in.From, To: in.To,
		LowOnly: in.Low}
	if f.To.IsZero() {
		f.To = time.Now()
	}
	if f.From.IsZero() {
		f.From = f.To.AddDate(0, 0, -30)
	}
	if !f.From.Before(f.To) {
		return f, fieldError("query.from", "must be before to", in.From)
	}
	return f, nil
}

type resultsOutput struct {
	Body struct {
		GroupBy string          `json:"group_by"`
		From    time.Time       `json:"from"`
		To      time.Time       `json:"to"`
		Groups  []survey.Result `json:"groups"`
		Total   survey.Result   `json:"total"`
	}
}

type responsesOutput struct {
	Body struct {
		Responses []survey.Response `json:"responses"`
	}
}

type csvOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func (h surveyHandlers) results(ctx context.Context, in *resultsInput) (*resultsOutput, error) {
	f, err := in.filter()
	if err != nil {
		return nil, err
	}
	tallies, err := h.surveys.SurveyTallies(ctx, f)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &resultsOutput{}
	out.Body.GroupBy, out.Body.From, out.Body.To = string(f.GroupBy), f.From, f.To
	out.Body.Groups = make([]survey.Result, 0, len(tallies))
	var total survey.Tally
	for _, t := range tallies {
		out.Body.Groups = append(out.Body.Groups, t.Rates())
		total = total.Add(t)
	}
	total.Group = "total"
	out.Body.Total = total.Rates()
	return out, nil
}

// listResponses reads the responses the filter of in picks.
func (h surveyHandlers) listResponses(ctx context.Context, in *resultsInput) ([]survey.Response, error) {
	f, err := in.filter()
	if err != nil {
		return nil, err
	}
	list, err := h.surveys.ListResponses(ctx, f, 0)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return list, nil
}

func (h surveyHandlers) responses(ctx context.Context, in *resultsInput) (*responsesOutput, error) {
	list, err := h.listResponses(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &responsesOutput{}
	out.Body.Responses = list
	return out, nil
}

func (h surveyHandlers) exportCSV(ctx context.Context, in *resultsInput) (*csvOutput, error) {
	list, err := h.listResponses(ctx, in)
	if err != nil {
		return nil, err
	}
	body, err := responsesCSV(list)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &csvOutput{ContentType: "text/csv; charset=utf-8",
		ContentDisposition: `attachment; filename="survey-responses.csv"`, Body: body}, nil
}

// responsesCSV writes one row per answer.
func responsesCSV(list []survey.Response) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"response_id", "survey_id", "started_at", "state", "agent", "client_id", "caller", "linkedid",
		"question", "value", "scale", "low"})
	for _, r := range list {
		base := []string{strconv.FormatInt(r.ID, 10), strconv.FormatInt(r.SurveyID, 10), r.StartedAt.UTC().Format(time.RFC3339),
			string(r.State), r.Agent, optID(r.ClientID), csvSafe(r.Caller), r.LinkedID}
		if len(r.Answers) == 0 {
			_ = w.Write(append(base, "", "", "", ""))
		}
		for _, a := range r.Answers {
			_ = w.Write(append(append([]string(nil), base...), a.Key, strconv.Itoa(a.Value), string(a.Scale), strconv.FormatBool(a.Low)))
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	return buf.Bytes(), nil
}

// csvSafe keeps a spreadsheet from reading a cell as a formula ("+7..." stays text).
func csvSafe(v string) string {
	if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@') {
		return "'" + v
	}
	return v
}

func optID(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}
