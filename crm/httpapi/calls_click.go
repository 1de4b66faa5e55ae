package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/telephony"
)

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

// ClickToCallDeps are what RegisterClickToCall needs.
type ClickToCallDeps struct {
	// Calls places the calls.
	Calls *telephony.ClickToCall
	// Users finds the agent whose phone rings first.
	Users interface {
		GetUserByLogin(ctx context.Context, login string) (crm.User, string, error)
	}
	// Clients finds the phone of a client called by id.
	Clients interface {
		GetClient(ctx context.Context, id int64) (crm.Client, error)
	}
}

// clickHandlers serve click-to-call.
type clickHandlers struct {
	srv  *Server // the phone normaliser, the logger and the problem mapping
	deps ClickToCallDeps
}

// RegisterClickToCall adds POST /api/v1/calls: ring the agent's endpoint,
// then the customer. Agents may only place calls from their own phone.
func RegisterClickToCall(srv *Server, deps ClickToCallDeps) {
	h := &clickHandlers{srv: srv, deps: deps}
	Register(srv.api, AnyRole, huma.Operation{OperationID: "click-to-call", Method: http.MethodPost, Path: "/api/v1/calls",
		Tags: []string{"calls"}, Summary: "Click-to-call: ring the agent's phone, then the number", DefaultStatus: http.StatusAccepted,
		Errors: []int{http.StatusUnprocessableEntity, http.StatusBadGateway}}, h.call)
}

func (h *clickHandlers) call(ctx context.Context, in *clickToCallInput) (*clickToCallOutput, error) {
	agent, endpoint, err := h.agent(ctx, in.Body.Agent)
	if err != nil {
		return nil, err
	}
	number, err := h.number(ctx, in.Body.Number, in.Body.ClientID)
	if err != nil {
		return nil, err
	}
	id, err := h.deps.Calls.Call(ctx, endpoint, number, agent)
	if err != nil {
		h.srv.log.WarnContext(ctx, "click-to-call failed", "agent", agent, "err", err)
		return nil, huma.Error502BadGateway("the PBX refused the call: " + err.Error())
	}
	out := &clickToCallOutput{}
	out.Body.ChannelID, out.Body.Agent, out.Body.Endpoint, out.Body.Number = id, agent, endpoint, number
	return out, nil
}

// agent resolves the agent (default: the caller) to a login and endpoint.
func (h *clickHandlers) agent(ctx context.Context, login string) (string, string, error) {
	p := PrincipalFrom(ctx)
	if login == "" && p != nil {
		login = p.User.Login
	}
	if p != nil && p.User.Role == crm.RoleAgent && login != p.User.Login {
		return "", "", huma.Error403Forbidden("agents place calls from their own phone only")
	}
	u, _, err := h.deps.Users.GetUserByLogin(ctx, login)
	if crm.IsKind(err, crm.KindNotFound) || (err == nil && u.Disabled) {
		return "", "", fieldError("body.agent", "no such agent", login)
	}
	if err != nil {
		return "", "", h.srv.problem(ctx, err)
	}
	if len(u.Endpoints) == 0 {
		return "", "", fieldError("body.agent", "the agent has no phone endpoint", login)
	}
	return u.Login, u.Endpoints[0], nil
}

// number validates the number (or takes the client's first phone).
func (h *clickHandlers) number(ctx context.Context, number string, clientID int64) (string, error) {
	if clientID > 0 && number == "" {
		cl, err := h.deps.Clients.GetClient(ctx, clientID)
		if crm.IsKind(err, crm.KindNotFound) {
			return "", fieldError("body.client_id", "no such client", clientID)
		}
		if err != nil {
			return "", h.srv.problem(ctx, err)
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
	e164, err := h.srv.phone.E164(number)
	if err != nil {
		return "", fieldError("body.number", err.Error(), number)
	}
	return e164, nil
}
