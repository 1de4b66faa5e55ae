package httpapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/telephony"
)

// CallDeps are what RegisterCalls needs.
type CallDeps struct {
	Calls telephony.CallLog
}

// callHandlers serve the call log operations.
type callHandlers struct {
	srv   *Server // the phone normaliser and the problem mapping
	calls telephony.CallLog
}

type listCallsInput struct {
	Agent     string    `query:"agent" maxLength:"64" doc:"login of an agent who rang or talked"`
	Client    int64     `query:"client" minimum:"0" doc:"client id"`
	Number    string    `query:"number" maxLength:"40" doc:"caller, callee or customer number, any format"`
	Direction string    `query:"direction" enum:"inbound,outbound,internal,"`
	Outcome   string    `query:"outcome" enum:"answered,no_answer,busy,failed,abandoned,"`
	From      time.Time `query:"from" doc:"calls started at or after (RFC 3339)"`
	To        time.Time `query:"to" doc:"calls started before (RFC 3339)"`
	Cursor    string    `query:"cursor" maxLength:"200" doc:"next_cursor of the previous page"`
	Limit     int       `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type callListOutput struct {
	Body struct {
		Items      []telephony.Call `json:"items"`
		NextCursor string           `json:"next_cursor" doc:"empty on the last page"`
	}
}

type callCSVOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

type callIDInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type callOutput struct {
	Body struct {
		telephony.Call
		Timeline []telephony.TimelineEntry `json:"timeline"`
	}
}

// RegisterCalls adds the call log API: GET /api/v1/calls (filters, cursor
// pages), GET /api/v1/calls.csv (the same filters, every matching call as
// CSV) and GET /api/v1/calls/{id} (legs and event timeline). Agents see the
// calls they rang or talked in; supervisors and admins see every call.
func RegisterCalls(srv *Server, deps CallDeps) {
	h := &callHandlers{srv: srv, calls: deps.Calls}
	tags := []string{"calls"}
	Register(srv.api, AnyRole, huma.Operation{OperationID: "list-calls", Method: http.MethodGet, Path: "/api/v1/calls",
		Tags: tags, Summary: "The call log, newest first"}, h.list)
	Register(srv.api, AnyRole, huma.Operation{OperationID: "export-calls", Method: http.MethodGet, Path: "/api/v1/calls.csv",
		Tags: tags, Summary: "The call log as CSV (same filters; every page)"}, h.export)
	Register(srv.api, AnyRole, huma.Operation{OperationID: "get-call", Method: http.MethodGet, Path: "/api/v1/calls/{id}",
		Tags: tags, Summary: "One call with its legs and event timeline"}, h.get)
}

func (h *callHandlers) list(ctx context.Context, in *listCallsInput) (*callListOutput, error) {
	f, err := h.filter(ctx, in)
	if err != nil {
		return nil, err
	}
	page, err := h.calls.ListCalls(ctx, f)
	if err != nil {
		return nil, h.srv.problem(ctx, err)
	}
	out := &callListOutput{}
	out.Body.Items, out.Body.NextCursor = page.Items, page.Next
	return out, nil
}

func (h *callHandlers) get(ctx context.Context, in *callIDInput) (*callOutput, error) {
	c, tl, err := h.calls.GetCall(ctx, in.ID)
	if err != nil {
		return nil, h.srv.problem(ctx, err)
	}
	if p := PrincipalFrom(ctx); p != nil && p.User.Role == crm.RoleAgent && !containsLogin(c.Agents, p.User.Login) {
		return nil, h.srv.problem(ctx, &crm.Error{Kind: crm.KindNotFound, Message: "no such call"})
	}
	out := &callOutput{}
	out.Body.Call, out.Body.Timeline = c, tl
	if out.Body.Timeline == nil {
		out.Body.Timeline = []telephony.TimelineEntry{}
	}
	return out, nil
}

func containsLogin(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// filter validates the query; an agent is limited to their own calls.
func (h *callHandlers) filter(ctx context.Context, in *listCallsInput) (telephony.CallFilter, error) {
	f := telephony.CallFilter{Agent: in.Agent, ClientID: in.Client, Direction: telephony.Direction(in.Direction),
		Outcome: telephony.Outcome(in.Outcome), From: in.From, To: in.To, After: in.Cursor, Limit: in.Limit}
	if strings.TrimSpace(in.Number) != "" {
		f.Number, _ = h.srv.phone.Lookup(in.Number)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return f, fieldError("query.to", "must be after from", in.To)
	}
	if p := PrincipalFrom(ctx); p != nil && p.User.Role == crm.RoleAgent {
		if f.Agent != "" && f.Agent != p.User.Login {
			return f, huma.Error403Forbidden("agents see only their own calls")
		}
		f.Agent = p.User.Login
	}
	return f, nil
}

var callCSVHeader = []string{"id", "node", "linkedid", "direction", "outcome", "caller", "callee", "client_id",
	"agent", "agents", "started_at", "answered_at", "ended_at", "wait_seconds", "ring_seconds", "talk_seconds",
	"hold_seconds", "hangup_cause", "hangup_by", "transfers", "closed_by_reconciliation"}

// export writes every matching call (up to 100 000) as CSV.
func (h *callHandlers) export(ctx context.Context, in *listCallsInput) (*callCSVOutput, error) {
	f, err := h.filter(ctx, in)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(callCSVHeader)
	f.Limit = 200
	for n := 0; n < 500; n++ {
		page, err := h.calls.ListCalls(ctx, f)
		if err != nil {
			return nil, h.srv.problem(ctx, err)
		}
		for _, c := range page.Items {
			_ = w.Write(callCSVRow(c))
		}
		if page.Next == "" {
			break
		}
		f.After = page.Next
	}
	w.Flush()
	return &callCSVOutput{ContentType: "text/csv; charset=utf-8",
		ContentDisposition: `attachment; filename="calls.csv"`, Body: buf.Bytes()}, nil
}

func callCSVRow(c telephony.Call) []string {
	tm := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	sec := func(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }
	client := ""
	if c.ClientID != nil {
		client = strconv.FormatInt(*c.ClientID, 10)
	}
	transfers := make([]string, 0, len(c.Transfers))
	for _, t := range c.Transfers {
		transfers = append(transfers, t.Kind+":"+t.From+">"+t.To)
	}
	return []string{strconv.FormatInt(c.ID, 10), c.Node, c.LinkedID, string(c.Direction), string(c.Outcome),
		callCSVCell(c.Caller), callCSVCell(c.Callee), client, c.Agent, strings.Join(c.Agents, " "), tm(&c.StartedAt), tm(c.AnsweredAt),
		tm(c.EndedAt), sec(c.WaitSeconds), sec(c.RingSeconds), sec(c.TalkSeconds), sec(c.HoldSeconds),
		strconv.Itoa(c.HangupCause), string(c.HangupBy), strings.Join(transfers, " "),
		strconv.FormatBool(c.ClosedByReconciliation)}
}

// callCSVCell keeps a spreadsheet from reading a dialled string as a formula
// (a number like +74951234567 stays as it is).
func callCSVCell(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '@', '\t', '\r':
		return "'" + v
	case '+', '-':
		if len(v) == 1 || v[1] < '0' || v[1] > '9' {
			return "'" + v
		}
	}
	return v
}
