package httpapi

import (
	"context"
	"math"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/service"
)

// CostJSON is what serving a client cost in a period, in roubles.
type CostJSON struct {
	Tickets   int     `json:"tickets"`
	CallHours float64 `json:"call_hours"`
	WorkHours float64 `json:"work_hours"`
	Labor     float64 `json:"labor"`
	Materials float64 `json:"materials"`
	Total     float64 `json:"total"`
}

func costJSON(c service.Cost) CostJSON {
	return CostJSON{Tickets: c.Tickets, CallHours: c.CallHours, WorkHours: c.WorkHours,
		Labor: costRoubles(c.Labor), Materials: costRoubles(c.Materials), Total: costRoubles(c.Total)}
}

// costRoubles turns kopecks into the roubles the cost operations speak.
func costRoubles(kopecks int64) float64 { return float64(kopecks) / 100 }

// costKopecks turns roubles as the cost operations take them into kopecks.
func costKopecks(roubles float64) int64 { return int64(math.Round(roubles * 100)) }

// workInput is an alias of an unnamed struct: the body's OpenAPI schema keeps
// the name of its operation (as "Add-ticket-commentRequest").
type workInput = struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Minutes int    `json:"minutes" minimum:"1" maximum:"1440"`
		Note    string `json:"note,omitempty" maxLength:"2000"`
	}
}

// materialInput is an alias of an unnamed struct: the body's OpenAPI schema keeps
// the name of its operation (as "Add-ticket-commentRequest").
type materialInput = struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Description string  `json:"description" minLength:"1" maxLength:"300"`
		Amount      float64 `json:"amount" minimum:"0" maximum:"1000000000"`
		ProductID   *int64  `json:"product_id,omitempty"`
	}
}

// roleRateInput is an alias of an unnamed struct: the body's OpenAPI schema keeps
// the name of its operation (as "Add-ticket-commentRequest").
type roleRateInput = struct {
	Role string `path:"role" enum:"agent,supervisor,admin"`
	Body struct {
		RatePerHour float64 `json:"rate_per_hour" minimum:"0" maximum:"10000000"`
	}
}

type serviceCostInput struct {
	ID        int64  `path:"id" minimum:"1"`
	From      string `query:"from" required:"true" pattern:"^\\d{4}-\\d{2}-\\d{2}$"`
	To        string `query:"to" required:"true" pattern:"^\\d{4}-\\d{2}-\\d{2}$"`
	ProductID int64  `query:"product_id" minimum:"0"`
}

type costOutput struct{ Body CostJSON }

// logWork records the caller's time on a ticket they may see.
func (h ticketHandlers) logWork(ctx context.Context, in *workInput) (*struct{}, error) {
	if _, err := h.visibleTicket(ctx, in.ID); err != nil {
		return nil, err
	}
	w := service.Work{TicketID: in.ID, UserID: PrincipalFrom(ctx).User.ID, Minutes: in.Body.Minutes, Note: in.Body.Note}
	if err := h.costs.LogWork(ctx, w); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &struct{}{}, nil
}

// addMaterial charges a material to a ticket the caller may see.
func (h ticketHandlers) addMaterial(ctx context.Context, in *materialInput) (*struct{}, error) {
	if _, err := h.visibleTicket(ctx, in.ID); err != nil {
		return nil, err
	}
	m := service.Material{TicketID: in.ID, ProductID: in.Body.ProductID, Description: in.Body.Description, Amount: costKopecks(in.Body.Amount)}
	if err := h.costs.AddMaterial(ctx, m); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &struct{}{}, nil
}

// setRoleRate sets a role's hourly rate.
func (h ticketHandlers) setRoleRate(ctx context.Context, in *roleRateInput) (*struct{}, error) {
	if err := h.costs.SetRoleRate(ctx, crm.Role(in.Role), costKopecks(in.Body.RatePerHour)); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &struct{}{}, nil
}

// serviceCost answers what serving a client cost in a period.
func (h ticketHandlers) serviceCost(ctx context.Context, in *serviceCostInput) (*costOutput, error) {
	from, err1 := time.Parse(time.DateOnly, in.From)
	to, err2 := time.Parse(time.DateOnly, in.To)
	if err1 != nil || err2 != nil || !to.After(from) {
		return nil, huma.Error422UnprocessableEntity("from, to: dates YYYY-MM-DD with from before to")
	}
	c, err := h.costs.ServiceCost(ctx, in.ID, in.ProductID, from, to)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &costOutput{costJSON(c)}, nil
}
