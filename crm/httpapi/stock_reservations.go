package httpapi

import (
	"context"
	"net/http"
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

// PurchasedProductView is a product shipped to a client with its support
// conditions (screenpop.Product under a name of its own in the schema).
type PurchasedProductView struct {
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
		Products []PurchasedProductView `json:"products"`
	}
}

func (s *resourceAPI) registerReservations(api huma.API) {
	tags := []string{"stock"}
	Register(api, AnyRole, huma.Operation{OperationID: "get-availability", Method: http.MethodGet, Path: "/api/v1/products/{id}/availability",
		Tags: tags, Summary: "Free stock per warehouse and the earliest delivery date"},
		func(ctx context.Context, in *availabilityInput) (*availabilityOutput, error) {
			a, err := s.store.Availability(ctx, in.ID, in.Qty)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &availabilityOutput{Body: a}, nil
		})
	Register(api, AnyRole, huma.Operation{OperationID: "create-reservation", Method: http.MethodPost, Path: "/api/v1/reservations",
		Tags: tags, Summary: "Reserve stock for a client, a deal or a ticket", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *reserveInput) (*reservationOutput, error) {
			b := in.Body
			if b.TTLHours == 0 {
				b.TTLHours = 72
			}
			if err := s.mayReserveFor(ctx, b.DealID, b.TicketID); err != nil {
				return nil, err
			}
			r, err := s.store.Reserve(ctx, resource.ReserveInput{ProductID: b.ProductID, WarehouseID: b.WarehouseID, Qty: b.Qty,
				ClientID: b.ClientID, DealID: b.DealID, TicketID: b.TicketID, TTL: time.Duration(b.TTLHours) * time.Hour, UserID: userID(ctx)})
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			hideLineCosts(ctx, r.Lines)
			return &reservationOutput{Body: r}, nil
		})
	Register(api, AnyRole, huma.Operation{OperationID: "list-reservations", Method: http.MethodGet, Path: "/api/v1/reservations",
		Tags: tags, Summary: "Reservations, newest first"}, func(ctx context.Context, in *reservationsInput) (*reservationsOutput, error) {
		list, err := s.store.ListReservations(ctx, resource.ReservationFilter{ProductID: in.ProductID, ClientID: in.ClientID,
			TicketID: in.TicketID, ActiveOnly: in.Active, AgentID: agentID(ctx)})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &reservationsOutput{}
		out.Body.Reservations = list
		return out, nil
	})
	Register(api, AnyRole, huma.Operation{OperationID: "get-reservation", Method: http.MethodGet, Path: "/api/v1/reservations/{id}",
		Tags: tags, Summary: "One reservation with its lots"}, func(ctx context.Context, in *idPath) (*reservationOutput, error) {
		if err := s.visibleReservation(ctx, in.ID); err != nil {
			return nil, err
		}
		r, err := s.store.GetReservation(ctx, in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		hideLineCosts(ctx, r.Lines)
		return &reservationOutput{Body: r}, nil
	})
	Register(api, AnyRole, huma.Operation{OperationID: "release-reservation", Method: http.MethodPost, Path: "/api/v1/reservations/{id}/release",
		Tags: tags, Summary: "Cancel a reservation"}, func(ctx context.Context, in *idPath) (*struct{}, error) {
		if err := s.visibleReservation(ctx, in.ID); err != nil {
			return nil, err
		}
		if err := s.store.ReleaseReservation(ctx, in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{}{}, nil
	})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "fulfil-reservation", Method: http.MethodPost, Path: "/api/v1/reservations/{id}/fulfil",
		Tags: tags, Summary: "Ship the reserved lots"}, func(ctx context.Context, in *idPath) (*reservationOutput, error) {
		r, err := s.store.FulfilReservation(ctx, in.ID, userID(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &reservationOutput{Body: r}, nil
	})
	Register(api, AnyRole, huma.Operation{OperationID: "list-purchased-products", Method: http.MethodGet, Path: "/api/v1/clients/{id}/products",
		Tags: tags, Summary: "Products shipped to a client, with support conditions"}, func(ctx context.Context, in *idPath) (*purchasedOutput, error) {
		list, err := s.store.PurchasedProducts(ctx, in.ID, 50)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &purchasedOutput{}
		out.Body.Products = make([]PurchasedProductView, 0, len(list))
		for _, p := range list {
			out.Body.Products = append(out.Body.Products, PurchasedProductView(p))
		}
		return out, nil
	})
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
func (s *resourceAPI) visibleReservation(ctx context.Context, id int64) error {
	ok, err := s.store.ReservationVisibleTo(ctx, id, agentID(ctx))
	if err != nil {
		return s.problem(ctx, err)
	}
	if !ok {
		return huma.Error404NotFound("reservation not found")
	}
	return nil
}

// mayReserveFor refuses (422) a reservation for a deal or ticket that does
// not exist or that the caller may not see, without telling which.
func (s *resourceAPI) mayReserveFor(ctx context.Context, dealID, ticketID *int64) error {
	me := agentID(ctx)
	if dealID != nil {
		if ok, err := s.store.DealVisibleTo(ctx, *dealID, me); err != nil {
			return s.problem(ctx, err)
		} else if !ok {
			return fieldError("body.deal_id", "no such deal", nil)
		}
	}
	if ticketID != nil {
		if ok, err := s.store.TicketVisibleTo(ctx, *ticketID, me); err != nil {
			return s.problem(ctx, err)
		} else if !ok {
			return fieldError("body.ticket_id", "no such request", nil)
		}
	}
	return nil
}
