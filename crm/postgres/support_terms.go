package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// SupportTerms returns the support conditions a client has on a product
// (the service desk's ProductTerms): support runs for the product's
// support months from the client's latest shipment of it, with the
// product's support priority and SLA plan. Nil terms: the client never
// bought the product, or it comes without support (0 months). Terms whose
// period is over are returned with Until in the past. An unknown product
// is a field error.
func (s *SLAService) SupportTerms(ctx context.Context, clientID, productID int64) (*service.SupportTerms, error) {
	var (
		t      = service.SupportTerms{ProductID: productID}
		months int
		bought *time.Time
	)
	err := s.db.pool.QueryRow(ctx, `SELECT p.name, p.support_months, coalesce(p.support_priority, ''), p.support_plan_id,
			(SELECT max(m.at) FROM stock_movements m WHERE m.kind = 'shipment' AND m.client_id = $1 AND m.product_id = p.id)
		FROM products p WHERE p.id = $2`, clientID, productID).
		Scan(&t.Product, &months, &t.Priority, &t.PlanID, &bought)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, crm.Invalid("product_id", "is not a known product")
	}
	if err != nil {
		return nil, translate(err, "support terms")
	}
	if bought == nil || months == 0 {
		return nil, nil
	}
	t.Bought = *bought
	t.Until = resource.SupportEnd(t.Bought, months)
	return &t, nil
}

var _ service.ProductTerms = (*SLAService)(nil)
