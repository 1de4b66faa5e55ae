package httpapi

import (
	"context"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/resource"
)

type availabilityInput struct {
	ID  int64 `path:"id" minimum:"1"`
	Qty int64 `query:"qty" minimum:"1" default:"1"`
}

type availabilityOutput struct{ Body resource.Availability }

type reserveInput struct {
	Body struct {
		ProductID   int64  `json:"product_id" minimum:"1"`
		WarehouseID int64  `json:"warehouse_id,omitempty" doc:"default: the warehouse with the most free stock"`
		Qty         int64  `json:"qty" minimum:"1"`
		ClientID    *int64 `json:"client_id,omitempty"`
		DealID      *int64 `json:"deal_id,omitempty"`
		TicketID    *int64 `json:"ticket_id,omitempty"`
		TTLHours    int    `json:"ttl_hours,omitempty" minimum:"1" maximum:"2160" default:"72" doc:"hold the stock this long"`
	}
}

type reservationOutput struct{ Body resource.Reservation }

type reservationsInput struct {
	ProductID int64 `query:"product_id" minimum:"0"`
	ClientID  int64 `query:"client_id" minimum:"0"`
	TicketID  int64 `query:"ticket_id" minimum:"0"`
	Active    bool  `query:"active"`
}

type reservationsOutput struct {
	Body struct {
		Reservations []resource.Reservation `json:"reservations"`
	}
}

// PurchasedProductJSON is a product shipped to a client with its support
// conditions (screenpop.Product under a name of its own in the schema).
type PurchasedProductJSON struct {
	ID           int64     `json:"id,omitempty"`
	Name         string    `json:"name"`
	PurchasedAt  time.Time `json:"purchased_at"`
	Support      string    `json:"support"`
	SupportUntil time.Time `json:"support_until,omitzero"`
	// SupportActive: the support period has not ended (false without support).
	SupportActive bool `json:"support_active"`
	// SupportPriority is the priority a request about the product gets
	// while supported (empty: the client's usual priority).
	SupportPriority string `json:"support_priority,omitempty"`
}

type purchasedOutput struct {
	Body struct {
		Products []PurchasedProductJSON `json:"products"`
	}
}

func (h stockHandlers) availability(ctx context.Context, in *availabilityInput) (*availabilityOutput, error) {
	a, err := h.deps.Reservations.Availability(ctx, in.ID, in.Qty)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &availabilityOutput{Body: a}, nil
}

func (h stockHandlers) reserve(ctx context.Context, in *reserveInput) (*reservationOutput, error) {
	b := in.Body
	if b.TTLHours == 0 {
		b.TTLHours = 72
	}
	if err := h.mayReserveFor(ctx, b.DealID, b.TicketID); err != nil {
		return nil, err
	}
	r, err := h.deps.Reservations.Reserve(ctx, resource.ReserveInput{ProductID: b.ProductID, WarehouseID: b.WarehouseID, Qty: b.Qty,
		ClientID: b.ClientID, DealID: b.DealID, TicketID: b.TicketID, TTL: time.Duration(b.TTLHours) * time.Hour, UserID: userID(ctx)})
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	hideLineCosts(ctx, r.Lines)
	return &reservationOutput{Body: r}, nil
}

func (h stockHandlers) listReservations(ctx context.Context, in *reservationsInput) (*reservationsOutput, error) {
	list, err := h.deps.Reservations.ListReservations(ctx, resource.ReservationFilter{ProductID: in.ProductID, ClientID: in.ClientID,
		TicketID: in.TicketID, ActiveOnly: in.Active, AgentID: agentID(ctx)})
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &reservationsOutput{}
	out.Body.Reservations = list
	return out, nil
}

func (h stockHandlers) getReservation(ctx context.Context, in *idPath) (*reservationOutput, error) {
	if err := h.visibleReservation(ctx, in.ID); err != nil {
		return nil, err
	}
	r, err := h.deps.Reservations.GetReservation(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	hideLineCosts(ctx, r.Lines)
	return &reservationOutput{Body: r}, nil
}

func (h stockHandlers) releaseReservation(ctx context.Context, in *idPath) (*struct{}, error) {
	if err := h.visibleReservation(ctx, in.ID); err != nil {
		return nil, err
	}
	if err := h.deps.Reservations.ReleaseReservation(ctx, in.ID); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &struct{}{}, nil
}

func (h stockHandlers) fulfilReservation(ctx context.Context, in *idPath) (*reservationOutput, error) {
	r, err := h.deps.Reservations.FulfilReservation(ctx, in.ID, userID(ctx))
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &reservationOutput{Body: r}, nil
}

func (h stockHandlers) purchased(ctx context.Context, in *idPath) (*purchasedOutput, error) {
	list, err := h.deps.Purchases.PurchasedProducts(ctx, in.ID, 50)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &purchasedOutput{}
	out.Body.Products = make([]PurchasedProductJSON, 0, len(list))
	for _, p := range list {
		out.Body.Products = append(out.Body.Products, PurchasedProductJSON(p))
	}
	return out, nil
}

// agentID is the caller's user id when the caller is an agent, whose
// records are restricted to their own; 0 for supervisors and admins.
func agentID(ctx context.Context) int64 {
	if p := PrincipalFrom(ctx); p != nil && p.User.Role == crm.RoleAgent {
		return p.User.ID
	}
	return 0
}

// visibleReservation answers 404 for a reservation the caller may not act
// on (an agent: not theirs, nor for their deal or a ticket they see), as
// for one that does not exist.
func (h stockHandlers) visibleReservation(ctx context.Context, id int64) error {
	ok, err := h.deps.Access.ReservationVisibleTo(ctx, id, agentID(ctx))
	if err != nil {
		return h.problem(ctx, err)
	}
	if !ok {
		return huma.Error404NotFound("reservation not found")
	}
	return nil
}

// mayReserveFor refuses (422) a reservation for a deal or ticket that does
// not exist or that the caller may not see, without telling which.
func (h stockHandlers) mayReserveFor(ctx context.Context, dealID, ticketID *int64) error {
	me := agentID(ctx)
	if dealID != nil {
		if ok, err := h.deps.Access.DealVisibleTo(ctx, *dealID, me); err != nil {
			return h.problem(ctx, err)
		} else if !ok {
			return fieldError("body.deal_id", "no such deal", nil)
		}
	}
	if ticketID != nil {
		if ok, err := h.deps.Access.TicketVisibleTo(ctx, *ticketID, me); err != nil {
			return h.problem(ctx, err)
		} else if !ok {
			return fieldError("body.ticket_id", "no such request", nil)
		}
	}
	return nil
}
