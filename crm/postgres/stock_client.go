package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/resource"
)

// clientInterestsSQL lists why products matter to a client: products on
// its open tickets, its active reservations, and the last shipment of each
// product it bought (quantity as shipped). Each part walks an index on
// client_id (tickets_client…, reservations_client, stock_movements_shipments).
const clientInterestsSQL = `SELECT product_id, 'ticket', id, 1::bigint, created_at FROM tickets
		WHERE client_id = $1 AND product_id IS NOT NULL AND status NOT IN ('resolved', 'closed')
	UNION ALL
	SELECT product_id, 'reservation', id, qty, expires_at FROM reservations
		WHERE client_id = $1 AND state = 'active' AND expires_at > $2
	UNION ALL
	(SELECT DISTINCT ON (product_id) product_id, 'purchase', 0, -qty, at FROM (
		SELECT product_id, sum(qty) AS qty, at FROM stock_movements
		WHERE kind = 'shipment' AND client_id = $1 GROUP BY product_id, at) s
		ORDER BY product_id, at DESC)`

// ClientAvailability answers, for the products that matter to a client
// (open tickets, active reservations, past purchases; at most limit, in that
// order), how much is free now for the wanted quantity and, when short, the
// earliest delivery date. Products that no longer exist are left out.
func (s *StockService) ClientAvailability(ctx context.Context, clientID int64, limit int) ([]resource.ClientProduct, error) {
	if limit <= 0 || limit > 20 {
		limit = 5
	}
	rows, err := s.db.pool.Query(ctx, clientInterestsSQL, clientID, s.db.now().UTC())
	if err != nil {
		return nil, translateStock(err, "client products")
	}
	reasons, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.Interest, error) {
		var in resource.Interest
		return in, r.Scan(&in.ProductID, &in.Kind, &in.RefID, &in.Qty, &in.At)
	})
	if err != nil {
		return nil, translateStock(err, "client products")
	}
	out := []resource.ClientProduct{}
	for _, p := range resource.RankInterests(reasons, 0) {
		if len(out) == limit {
			break
		}
		a, err := s.Availability(ctx, p.ProductID, p.Wanted())
		if crm.IsKind(err, crm.KindNotFound) {
			continue // a ticket may name a product since removed
		}
		if err != nil {
			return nil, err
		}
		out = append(out, resource.ClientProduct{Availability: a, Reasons: p.Reasons})
	}
	return out, nil
}
