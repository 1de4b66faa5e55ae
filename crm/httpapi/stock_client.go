package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/resource"
)

type clientAvailabilityInput struct {
	ID    int64 `path:"id" minimum:"1"`
	Limit int   `query:"limit" minimum:"0" maximum:"20" doc:"default 5"`
}

type clientAvailabilityOutput struct {
	Body struct {
		Products []resource.ClientProduct `json:"products"`
	}
}

// registerClientAvailability adds the availability of a client's products:
// the agent console fetches it after a pop has rendered (never on the pop's
// own path), and the client and ticket pages show it.
func (s *resourceAPI) registerClientAvailability(api huma.API) {
	Register(api, AnyRole, huma.Operation{OperationID: "get-client-availability", Method: http.MethodGet,
		Path: "/api/v1/clients/{id}/availability", Tags: []string{"stock"},
		Summary: "Free stock and earliest delivery date of the products on a client's open tickets, reservations and purchases"},
		func(ctx context.Context, in *clientAvailabilityInput) (*clientAvailabilityOutput, error) {
			list, err := s.store.ClientAvailability(ctx, in.ID, in.Limit)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &clientAvailabilityOutput{}
			out.Body.Products = list
			return out, nil
		})
}
