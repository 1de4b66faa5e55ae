package httpapi

import (
	"context"

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

// clientAvailability is the availability of a client's products: the
// agent console fetches it after a pop has rendered (never on the pop's
// own path), and the client and ticket pages show it.
func (h stockHandlers) clientAvailability(ctx context.Context, in *clientAvailabilityInput) (*clientAvailabilityOutput, error) {
	list, err := h.deps.Reservations.ClientAvailability(ctx, in.ID, in.Limit)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &clientAvailabilityOutput{}
	out.Body.Products = list
	return out, nil
}
