package httpapi

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
)

// PriorityClassJSON is a client priority class.
type PriorityClassJSON struct {
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	Rank         int      `json:"rank" doc:"lower is served first"`
	Description  string   `json:"description" doc:"the rule in words"`
	MinRevenue   *float64 `json:"min_revenue,omitempty" doc:"yearly revenue (last 12 months, base currency, major units) from which a client qualifies"`
	MinPurchases *int     `json:"min_purchases,omitempty" doc:"purchases in the last 12 months from which a client qualifies"`
}

func priorityClassJSON(p crm.PriorityClass) PriorityClassJSON {
	v := PriorityClassJSON{Code: p.Code, Name: p.Name, Rank: p.Rank, Description: p.Description, MinPurchases: p.MinPurchases}
	if p.MinRevenue != nil {
		f := float64(*p.MinRevenue) / 100
		v.MinRevenue = &f
	}
	return v
}

// ClientPriorityJSON is a client's class, how it was given and the
// standing the rules see.
type ClientPriorityJSON struct {
	ClientID  int64   `json:"client_id"`
	Priority  string  `json:"priority" doc:"priority class code"`
	Manual    bool    `json:"manual" doc:"chosen by hand: the rules leave the client alone"`
	Revenue   float64 `json:"revenue" doc:"income of the last 12 months in the base currency, major units"`
	Purchases int     `json:"purchases" doc:"purchases of the last 12 months"`
}

func clientPriorityJSON(p crm.ClientPriority) ClientPriorityJSON {
	return ClientPriorityJSON{ClientID: p.ClientID, Priority: p.Code, Manual: p.Manual,
		Revenue: float64(p.Standing.Revenue) / 100, Purchases: p.Standing.Purchases}
}

type priorityClassesOutput struct {
	Body struct {
		Classes []PriorityClassJSON `json:"classes"`
	}
}

type savePriorityClassInput struct {
	Code string `path:"code" pattern:"^[A-Z0-9_]{1,16}$"`
	Body struct {
		Name         string   `json:"name" minLength:"1" maxLength:"100"`
		Rank         int      `json:"rank" minimum:"0" maximum:"1000"`
		Description  string   `json:"description,omitempty" maxLength:"2000"`
		MinRevenue   *float64 `json:"min_revenue,omitempty" minimum:"0" maximum:"1000000000000000"`
		MinPurchases *int     `json:"min_purchases,omitempty" minimum:"0" maximum:"1000000"`
	}
}

type priorityCodeInput struct {
	Code string `path:"code" pattern:"^[A-Z0-9_]{1,16}$"`
}

type priorityClassOutput struct{ Body PriorityClassJSON }

type reclassifyOutput struct {
	Body struct {
		Moved int `json:"moved" doc:"clients whose class changed"`
	}
}

type clientPriorityInput struct {
	ID int64 `path:"id" minimum:"1" maximum:"9007199254740991"`
}

type setClientPriorityInput struct {
	ID   int64 `path:"id" minimum:"1" maximum:"9007199254740991"`
	Body struct {
		Priority string `json:"priority,omitempty" maxLength:"16" doc:"the class chosen by hand (with manual)"`
		Manual   bool   `json:"manual" doc:"true: keep the class given; false: classify by the rules"`
	}
}

type clientPriorityOutput struct{ Body ClientPriorityJSON }

// PriorityDeps are what RegisterPriority needs.
type PriorityDeps struct {
	Priority crm.PriorityService
	Logger   *slog.Logger
}

// priorityHandlers serve the priority class operations.
type priorityHandlers struct {
	svc crm.PriorityService
	log *slog.Logger
}

// RegisterPriority adds the priority class operations: the classes and
// their rules (admins change them; a change reclassifies the clients), a
// reclassification on demand, and a client's class with its manual flag.
func RegisterPriority(api *Server, deps PriorityDeps) {
	if deps.Logger == nil {
		deps.Logger = api.log
	}
	h := priorityHandlers{svc: deps.Priority, log: deps.Logger}
	a, tags := api.API(), []string{"clients"}
	Register(a, AnyRole, huma.Operation{OperationID: "list-priority-classes", Method: http.MethodGet,
		Path: "/api/v1/priority-classes", Tags: tags, Summary: "Client priority classes, highest priority first"}, h.list)
	Register(a, AdminOnly, huma.Operation{OperationID: "save-priority-class", Method: http.MethodPut,
		Path: "/api/v1/priority-classes/{code}", Tags: tags, Summary: "Create or change a priority class and reclassify the clients"}, h.save)
	Register(a, AdminOnly, huma.Operation{OperationID: "delete-priority-class", Method: http.MethodDelete,
		Path: "/api/v1/priority-classes/{code}", Tags: tags, Summary: "Delete a priority class; its clients are classified again",
		DefaultStatus: http.StatusNoContent}, h.delete)
	Register(a, AdminOnly, huma.Operation{OperationID: "reclassify-clients", Method: http.MethodPost,
		Path: "/api/v1/priority-classes/reclassify", Tags: tags, Summary: "Apply the rules to every client not classified by hand"}, h.reclassify)
	Register(a, AnyRole, huma.Operation{OperationID: "get-client-priority", Method: http.MethodGet,
		Path: "/api/v1/clients/{id}/priority", Tags: tags, Summary: "A client's priority class, manual flag and standing"}, h.client)
	Register(a, AnyRole, huma.Operation{OperationID: "set-client-priority", Method: http.MethodPut,
		Path: "/api/v1/clients/{id}/priority", Tags: tags, Summary: "Choose a client's class by hand, or hand it back to the rules"}, h.setClient)
}

func (h priorityHandlers) list(ctx context.Context, _ *struct{}) (*priorityClassesOutput, error) {
	classes, err := h.svc.List(ctx)
	if err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	out := &priorityClassesOutput{}
	out.Body.Classes = make([]PriorityClassJSON, 0, len(classes))
	for _, p := range classes {
		out.Body.Classes = append(out.Body.Classes, priorityClassJSON(p))
	}
	return out, nil
}

func (h priorityHandlers) save(ctx context.Context, in *savePriorityClassInput) (*priorityClassOutput, error) {
	p := crm.PriorityClass{Code: in.Code, Name: strings.TrimSpace(in.Body.Name), Rank: in.Body.Rank,
		Description: in.Body.Description, MinPurchases: in.Body.MinPurchases}
	if p.Name == "" {
		return nil, fieldError("body.name", "is required", in.Body.Name)
	}
	if in.Body.MinRevenue != nil {
		minor := int64(math.Round(*in.Body.MinRevenue * 100))
		p.MinRevenue = &minor
	}
	if err := h.svc.Save(ctx, p); err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	if _, err := h.svc.Reclassify(ctx); err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	return &priorityClassOutput{Body: priorityClassJSON(p)}, nil
}

func (h priorityHandlers) delete(ctx context.Context, in *priorityCodeInput) (*struct{}, error) {
	if err := h.svc.Delete(ctx, in.Code); err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	return nil, nil
}

func (h priorityHandlers) reclassify(ctx context.Context, _ *struct{}) (*reclassifyOutput, error) {
	n, err := h.svc.Reclassify(ctx)
	if err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	out := &reclassifyOutput{}
	out.Body.Moved = n
	return out, nil
}

func (h priorityHandlers) client(ctx context.Context, in *clientPriorityInput) (*clientPriorityOutput, error) {
	p, err := h.svc.ClientPriority(ctx, in.ID)
	if err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	return &clientPriorityOutput{Body: clientPriorityJSON(p)}, nil
}

func (h priorityHandlers) setClient(ctx context.Context, in *setClientPriorityInput) (*clientPriorityOutput, error) {
	if in.Body.Manual && in.Body.Priority == "" {
		return nil, fieldError("body.priority", "is required with manual", in.Body.Priority)
	}
	p, err := h.svc.SetClientPriority(ctx, in.ID, in.Body.Priority, in.Body.Manual)
	if err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	return &clientPriorityOutput{Body: clientPriorityJSON(p)}, nil
}
