package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/service"
)

// CostJSON is what serving a client cost in a period.
type CostJSON struct {
	Tickets   int     `json:"tickets"`
	CallHours float64 `json:"call_hours"`
	WorkHours float64 `json:"work_hours"`
	Labor     float64 `json:"labor"`
	Materials float64 `json:"materials"`
	Total     float64 `json:"total"`
}

func (s *ticketsAPI) registerCost(api huma.API) {
	tags := []string{"service cost"}
	Register(api, AnyRole, huma.Operation{OperationID: "log-ticket-work", Method: http.MethodPost, Path: "/api/v1/tickets/{id}/work",
		Tags: tags, Summary: "Log time spent on a ticket", DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id" minimum:"1"`
			Body struct {
				Minutes int    `json:"minutes" minimum:"1" maximum:"1440"`
				Note    string `json:"note,omitempty" maxLength:"2000"`
			}
		}) (*struct{}, error) {
			if _, err := s.visibleTicket(ctx, in.ID); err != nil {
				return nil, err
			}
			err := s.store.LogWork(ctx, service.Work{TicketID: in.ID, UserID: PrincipalFrom(ctx).User.ID, Minutes: in.Body.Minutes, Note: in.Body.Note})
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &struct{}{}, nil
		})
	Register(api, AnyRole, huma.Operation{OperationID: "add-ticket-material", Method: http.MethodPost, Path: "/api/v1/tickets/{id}/materials",
		Tags: tags, Summary: "Charge a material (a product used) to a ticket", DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id" minimum:"1"`
			Body struct {
				Description string  `json:"description" minLength:"1" maxLength:"300"`
				Amount      float64 `json:"amount" minimum:"0" maximum:"1000000000"`
				ProductID   *int64  `json:"product_id,omitempty"`
			}
		}) (*struct{}, error) {
			if _, err := s.visibleTicket(ctx, in.ID); err != nil {
				return nil, err
			}
			err := s.store.AddMaterial(ctx, service.Material{TicketID: in.ID, ProductID: in.Body.ProductID, Description: in.Body.Description, Amount: in.Body.Amount})
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &struct{}{}, nil
		})
	Register(api, AdminOnly, huma.Operation{OperationID: "set-role-rate", Method: http.MethodPut, Path: "/api/v1/role-rates/{role}",
		Tags: tags, Summary: "Set the hourly rate of a role", DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			Role string `path:"role" enum:"agent,supervisor,admin"`
			Body struct {
				RatePerHour float64 `json:"rate_per_hour" minimum:"0" maximum:"10000000"`
			}
		}) (*struct{}, error) {
			if err := s.store.SetRoleRate(ctx, crm.Role(in.Role), in.Body.RatePerHour); err != nil {
				return nil, s.problem(ctx, err)
			}
			return &struct{}{}, nil
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "client-service-cost", Method: http.MethodGet, Path: "/api/v1/clients/{id}/service-cost",
		Tags: tags, Summary: "What serving the client cost (calls and logged work at role rates, plus materials), optionally per product"},
		func(ctx context.Context, in *struct {
			ID        int64  `path:"id" minimum:"1"`
			From      string `query:"from" required:"true" pattern:"^\\d{4}-\\d{2}-\\d{2}$"`
			To        string `query:"to" required:"true" pattern:"^\\d{4}-\\d{2}-\\d{2}$"`
			ProductID int64  `query:"product_id" minimum:"0"`
		}) (*struct{ Body CostJSON }, error) {
			from, err1 := time.Parse(time.DateOnly, in.From)
			to, err2 := time.Parse(time.DateOnly, in.To)
			if err1 != nil || err2 != nil || !to.After(from) {
				return nil, huma.Error422UnprocessableEntity("from, to: dates YYYY-MM-DD with from before to")
			}
			c, err := s.store.ServiceCost(ctx, in.ID, in.ProductID, from, to)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &struct{ Body CostJSON }{CostJSON(c)}, nil
		})
}
