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

// CallLog is what the call log API reads (crm/postgres satisfies it).
type CallLog interface {
	ListCalls(ctx context.Context, f telephony.CallFilter) (crm.Page[telephony.Call], error)
	GetCall(ctx context.Context, id int64) (telephony.Call, []telephony.TimelineEntry, error)
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
func (s *Server) RegisterCalls(log CallLog) {
	Register(s.api, AnyRole, huma.Operation{
		OperationID: "list-calls", Method: http.MethodGet, Path: "/api/v1/calls", Tags: []string{"calls"},
		Summary: "The call log, newest first",
	}, func(ctx context.Context, in *listCallsInput) (*callListOutput, error) {
		f, err := s.callFilter(ctx, in)
		if err != nil {
			return nil, err
		}
		page, err := log.ListCalls(ctx, f)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &callListOutput{}
		out.Body.Items, out.Body.NextCursor = page.Items, page.Next
		return out, nil
	})
	Register(s.api, AnyRole, huma.Operation{
		OperationID: "export-calls", Method: http.MethodGet, Path: "/api/v1/calls.csv", Tags: []string{"calls"},
		Summary: "The call log as CSV (same filters; every page)",
	}, func(ctx context.Context, in *listCallsInput) (*callCSVOutput, error) {
		return s.exportCalls(ctx, log, in)
	})
	Register(s.api, AnyRole, huma.Operation{
		OperationID: "get-call", Method: http.MethodGet, Path: "/api/v1/calls/{id}", Tags: []string{"calls"},
		Summary: "One call with its legs and event timeline",
	}, func(ctx context.Context, in *callIDInput) (*callOutput, error) {
		c, tl, err := log.GetCall(ctx, in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if p := PrincipalFrom(ctx); p != nil && p.User.Role == crm.RoleAgent && !containsLogin(c.Agents, p.User.Login) {
			return nil, s.problem(ctx, &crm.Error{Kind: crm.KindNotFound, Message: "no such call"})
		}
		out := &callOutput{}
		out.Body.Call, out.Body.Timeline = c, tl
		if out.Body.Timeline == nil {
			out.Body.Timeline = []telephony.TimelineEntry{}
		}
		return out, nil
	})
}

func containsLogin(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// callFilter validates the query; an agent is limited to their own calls.
func (s *Server) callFilter(ctx context.Context, in *listCallsInput) (telephony.CallFilter, error) {
	f := telephony.CallFilter{Agent: in.Agent, ClientID: in.Client, Direction: telephony.Direction(in.Direction),
		Outcome: telephony.Outcome(in.Outcome), From: in.From, To: in.To, After: in.Cursor, Limit: in.Limit}
	if strings.TrimSpace(in.Number) != "" {
		f.Number, _ = s.phone.Lookup(in.Number)
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

// exportCalls writes every matching call (up to 100 000) as CSV.
func (s *Server) exportCalls(ctx context.Context, log CallLog, in *listCallsInput) (*callCSVOutput, error) {
	f, err := s.callFilter(ctx, in)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(callCSVHeader)
	f.Limit = 200
	for n := 0; n < 500; n++ {
		page, err := log.ListCalls(ctx, f)
		if err != nil {
			return nil, s.problem(ctx, err)
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

type clickToCallInput struct {
	Body struct {
		Agent    string `json:"agent,omitempty" maxLength:"64" doc:"login of the agent whose phone rings first; default: you"`
		Number   string `json:"number,omitempty" maxLength:"40" doc:"number to call, any format"`
		ClientID int64  `json:"client_id,omitempty" minimum:"0" doc:"call this client's first phone instead of number"`
	}
}

type clickToCallOutput struct {
	Body struct {
		ChannelID string `json:"channel_id" doc:"the agent's channel, also the call's linkedid"`
		Agent     string `json:"agent"`
		Endpoint  string `json:"endpoint"`
		Number    string `json:"number"`
	}
}

// RegisterClickToCall adds POST /api/v1/calls: ring the agent's endpoint,
// then the customer. Agents may only place calls from their own phone.
func (s *Server) RegisterClickToCall(c *telephony.ClickToCall) {
	Register(s.api, AnyRole, huma.Operation{
		OperationID: "click-to-call", Method: http.MethodPost, Path: "/api/v1/calls", Tags: []string{"calls"},
		Summary: "Click-to-call: ring the agent's phone, then the number", DefaultStatus: http.StatusAccepted,
		Errors: []int{http.StatusUnprocessableEntity, http.StatusBadGateway},
	}, func(ctx context.Context, in *clickToCallInput) (*clickToCallOutput, error) {
		agent, endpoint, err := s.clickAgent(ctx, in.Body.Agent)
		if err != nil {
			return nil, err
		}
		number, err := s.clickNumber(ctx, in.Body.Number, in.Body.ClientID)
		if err != nil {
			return nil, err
		}
		id, err := c.Call(ctx, endpoint, number, agent)
		if err != nil {
			s.log.WarnContext(ctx, "click-to-call failed", "agent", agent, "err", err)
			return nil, huma.Error502BadGateway("the PBX refused the call: " + err.Error())
		}
		out := &clickToCallOutput{}
		out.Body.ChannelID, out.Body.Agent, out.Body.Endpoint, out.Body.Number = id, agent, endpoint, number
		return out, nil
	})
}

// clickAgent resolves the agent (default: the caller) to a login and endpoint.
func (s *Server) clickAgent(ctx context.Context, login string) (string, string, error) {
	p := PrincipalFrom(ctx)
	if login == "" && p != nil {
		login = p.User.Login
	}
	if p != nil && p.User.Role == crm.RoleAgent && login != p.User.Login {
		return "", "", huma.Error403Forbidden("agents place calls from their own phone only")
	}
	u, _, err := s.users.GetUserByLogin(ctx, login)
	if crm.IsKind(err, crm.KindNotFound) || (err == nil && u.Disabled) {
		return "", "", fieldError("body.agent", "no such agent", login)
	}
	if err != nil {
		return "", "", s.problem(ctx, err)
	}
	if len(u.Endpoints) == 0 {
		return "", "", fieldError("body.agent", "the agent has no phone endpoint", login)
	}
	return u.Login, u.Endpoints[0], nil
}

// clickNumber validates the number (or takes the client's first phone).
func (s *Server) clickNumber(ctx context.Context, number string, clientID int64) (string, error) {
	if clientID > 0 && number == "" {
		cl, err := s.store.GetClient(ctx, clientID)
		if crm.IsKind(err, crm.KindNotFound) {
			return "", fieldError("body.client_id", "no such client", clientID)
		}
		if err != nil {
			return "", s.problem(ctx, err)
		}
		for _, ct := range cl.Contacts {
			if ct.Kind == crm.ContactPhone {
				return ct.Value, nil
			}
		}
		return "", fieldError("body.client_id", "the client has no phone number", clientID)
	}
	if strings.TrimSpace(number) == "" {
		return "", fieldError("body.number", "a number or a client_id is required", number)
	}
	e164, err := s.phone.E164(number)
	if err != nil {
		return "", fieldError("body.number", err.Error(), number)
	}
	return e164, nil
}
