package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/funnel"
)

type dealOutput struct{ Body funnel.Deal }

type dealsOutput struct {
	Body struct {
		Deals []funnel.Deal `json:"deals"`
	}
}

type dealIDInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type listDealsInput struct {
	SalespersonID int64  `query:"salesperson_id" minimum:"0"`
	ClientID      int64  `query:"client_id" minimum:"0"`
	FunnelID      int64  `query:"funnel_id" minimum:"0"`
	StageID       int64  `query:"stage_id" minimum:"0"`
	Status        string `query:"status" enum:"open,won,lost,"`
	Limit         int    `query:"limit" minimum:"0" maximum:"500"`
	Offset        int    `query:"offset" minimum:"0" maximum:"100000"`
}

type createDealInput struct {
	Body struct {
		ClientID      int64        `json:"client_id" minimum:"1"`
		SalespersonID int64        `json:"salesperson_id,omitempty" minimum:"0" doc:"the caller when 0; agents may only name themselves"`
		FunnelID      int64        `json:"funnel_id,omitempty" minimum:"0"`
		StageID       int64        `json:"stage_id,omitempty" minimum:"0" doc:"the funnel's first stage when 0"`
		Title         string       `json:"title,omitempty" maxLength:"200"`
		Amount        funnel.Money `json:"amount,omitempty" minimum:"0"`
		Currency      string       `json:"currency,omitempty" pattern:"^[A-Za-z]{3}$"`
		ExpectedClose *funnel.Date `json:"expected_close,omitempty"`
	}
}

type updateDealInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Title         *string       `json:"title,omitempty" maxLength:"200"`
		Amount        *funnel.Money `json:"amount,omitempty" minimum:"0"`
		Currency      *string       `json:"currency,omitempty" pattern:"^[A-Za-z]{3}$"`
		ExpectedClose *string       `json:"expected_close,omitempty" doc:"YYYY-MM-DD; empty clears it"`
		SalespersonID *int64        `json:"salesperson_id,omitempty" minimum:"1" doc:"supervisors and admins only"`
		Status        *string       `json:"status,omitempty" enum:"open,won,lost"`
		LostReason    *string       `json:"lost_reason,omitempty" maxLength:"500"`
	}
}

type moveDealInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		StageID int64      `json:"stage_id" minimum:"1"`
		At      *time.Time `json:"at,omitempty" doc:"when it happened (supervisors and admins; now when empty)"`
	}
}

// caller returns the signed-in user's id and whether they are an agent.
func caller(ctx context.Context) (*int64, bool) {
	p := PrincipalFrom(ctx)
	if p == nil {
		return nil, false
	}
	id := p.User.ID
	return &id, p.User.Role == crm.RoleAgent
}

// ownDeal loads a deal the caller may see: agents only their own.
func (h *funnelHandlers) ownDeal(ctx context.Context, id int64) (funnel.Deal, error) {
	d, err := h.deals.GetDeal(ctx, id)
	if err != nil {
		return d, h.problem(ctx, err)
	}
	if me, agent := caller(ctx); agent && d.OwnerID != *me {
		return d, huma.Error403Forbidden("agents see only their own deals")
	}
	return d, nil
}

// registerDeals adds the deal operations to RegisterFunnel's.
func registerDeals(api huma.API, h *funnelHandlers) {
	tags := []string{"deals"}
	Register(api, AnyRole, huma.Operation{OperationID: "list-deals", Method: http.MethodGet, Path: "/api/v1/deals",
		Tags: tags, Summary: "Deals, the most recently changed first (agents: their own)"}, h.listDeals)
	Register(api, AnyRole, huma.Operation{OperationID: "create-deal", Method: http.MethodPost, Path: "/api/v1/deals",
		Tags: tags, Summary: "Open a deal for a client (at the funnel's first stage unless told otherwise)", DefaultStatus: http.StatusCreated},
		h.createDeal)
	Register(api, AnyRole, huma.Operation{OperationID: "get-deal", Method: http.MethodGet, Path: "/api/v1/deals/{id}",
		Tags: tags, Summary: "One deal"}, h.getDeal)
	Register(api, AnyRole, huma.Operation{OperationID: "update-deal", Method: http.MethodPatch, Path: "/api/v1/deals/{id}",
		Tags: tags, Summary: "Change a deal; status won moves it to the last stage, lost needs a reason"}, h.updateDeal)
	Register(api, AnyRole, huma.Operation{OperationID: "move-deal", Method: http.MethodPost, Path: "/api/v1/deals/{id}/stage",
		Tags: tags, Summary: "Move an open deal to a stage of its funnel (forward, back or skipping); the change is recorded"}, h.moveDeal)
	Register(api, AnyRole, huma.Operation{OperationID: "deal-history", Method: http.MethodGet, Path: "/api/v1/deals/{id}/history",
		Tags: tags, Summary: "A deal's stage changes (oldest first) and activities (newest first, calls from the call log included)"},
		h.dealHistory)
	Register(api, AnyRole, huma.Operation{OperationID: "add-deal-activity", Method: http.MethodPost, Path: "/api/v1/deals/{id}/activities",
		Tags: tags, Summary: "Log a meeting, an offer sent or a note for a deal", DefaultStatus: http.StatusCreated}, h.addActivity)
}

func (h *funnelHandlers) listDeals(ctx context.Context, in *listDealsInput) (*dealsOutput, error) {
	f := funnel.DealFilter{OwnerID: in.SalespersonID, ClientID: in.ClientID, FunnelID: in.FunnelID, StageID: in.StageID,
		Status: funnel.Status(in.Status), Limit: in.Limit, Offset: in.Offset}
	if me, agent := caller(ctx); agent {
		if f.OwnerID != 0 && f.OwnerID != *me {
			return nil, huma.Error403Forbidden("agents see only their own deals")
		}
		f.OwnerID = *me
	}
	list, err := h.deals.ListDeals(ctx, f)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &dealsOutput{}
	out.Body.Deals = list
	if out.Body.Deals == nil {
		out.Body.Deals = []funnel.Deal{}
	}
	return out, nil
}

func (h *funnelHandlers) createDeal(ctx context.Context, in *createDealInput) (*dealOutput, error) {
	me, agent := caller(ctx)
	b := in.Body
	owner := b.SalespersonID
	if owner == 0 {
		owner = *me
	}
	if agent && owner != *me {
		return nil, huma.Error403Forbidden("agents open deals only for themselves")
	}
	d := funnel.Deal{ClientID: b.ClientID, OwnerID: owner, FunnelID: b.FunnelID, StageID: b.StageID, Title: b.Title,
		Amount: b.Amount, Currency: b.Currency, ExpectedClose: b.ExpectedClose}
	if err := h.deals.CreateDeal(ctx, &d, me, h.now()); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &dealOutput{Body: d}, nil
}

func (h *funnelHandlers) getDeal(ctx context.Context, in *dealIDInput) (*dealOutput, error) {
	d, err := h.ownDeal(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return &dealOutput{Body: d}, nil
}

func (h *funnelHandlers) updateDeal(ctx context.Context, in *updateDealInput) (*dealOutput, error) {
	d, err := h.ownDeal(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := applyDealPatch(ctx, &d, in); err != nil {
		return nil, err
	}
	me, _ := caller(ctx)
	if err := h.deals.UpdateDeal(ctx, &d, me, h.now()); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &dealOutput{Body: d}, nil
}

func (h *funnelHandlers) moveDeal(ctx context.Context, in *moveDealInput) (*dealOutput, error) {
	if _, err := h.ownDeal(ctx, in.ID); err != nil {
		return nil, err
	}
	me, agent := caller(ctx)
	at := h.now()
	if in.Body.At != nil {
		if agent {
			return nil, huma.Error403Forbidden("only supervisors and admins may record a past stage change")
		}
		if in.Body.At.After(at) {
			return nil, fieldError("body.at", "must not be in the future", in.Body.At)
		}
		at = *in.Body.At
	}
	d, err := h.deals.MoveDeal(ctx, in.ID, in.Body.StageID, me, at)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &dealOutput{Body: d}, nil
}

// applyDealPatch copies the given fields onto d.
func applyDealPatch(ctx context.Context, d *funnel.Deal, in *updateDealInput) error {
	b := in.Body
	if b.Title != nil {
		d.Title = *b.Title
	}
	if b.Amount != nil {
		d.Amount = *b.Amount
	}
	if b.Currency != nil {
		d.Currency = *b.Currency
	}
	if b.ExpectedClose != nil {
		d.ExpectedClose = nil
		if *b.ExpectedClose != "" {
			v, err := funnel.ParseDate(*b.ExpectedClose)
			if err != nil {
				return fieldError("body.expected_close", err.Error(), *b.ExpectedClose)
			}
			d.ExpectedClose = &v
		}
	}
	if b.SalespersonID != nil && *b.SalespersonID != d.OwnerID {
		if _, agent := caller(ctx); agent {
			return huma.Error403Forbidden("only supervisors and admins may hand a deal to another salesperson")
		}
		d.OwnerID = *b.SalespersonID
	}
	if b.Status != nil {
		d.Status = funnel.Status(*b.Status)
	}
	if b.LostReason != nil {
		d.LostReason = *b.LostReason
	}
	return nil
}

type historyOutput struct {
	Body struct {
		Changes    []funnel.StageChange `json:"stage_changes"`
		Activities []funnel.Activity    `json:"activities"`
	}
}

type addActivityInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Kind string     `json:"kind" enum:"meeting,offer,note"`
		At   *time.Time `json:"at,omitempty" doc:"now when empty"`
		Note string     `json:"note,omitempty" maxLength:"2000"`
	}
}

type activityOutput struct{ Body funnel.Activity }

func (h *funnelHandlers) dealHistory(ctx context.Context, in *dealIDInput) (*historyOutput, error) {
	if _, err := h.ownDeal(ctx, in.ID); err != nil {
		return nil, err
	}
	changes, err := h.deals.StageHistory(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	acts, err := h.deals.Activities(ctx, in.ID, 100)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &historyOutput{}
	out.Body.Changes, out.Body.Activities = changes, acts
	if out.Body.Activities == nil {
		out.Body.Activities = []funnel.Activity{}
	}
	return out, nil
}

func (h *funnelHandlers) addActivity(ctx context.Context, in *addActivityInput) (*activityOutput, error) {
	if _, err := h.ownDeal(ctx, in.ID); err != nil {
		return nil, err
	}
	me, _ := caller(ctx)
	act := funnel.Activity{DealID: in.ID, Kind: funnel.ActivityKind(in.Body.Kind), At: h.now(), UserID: me, Note: in.Body.Note}
	if in.Body.At != nil {
		act.At = *in.Body.At
	}
	if err := h.deals.AddActivity(ctx, &act); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &activityOutput{Body: act}, nil
}
