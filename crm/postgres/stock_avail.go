package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/telephony/screenpop"
)

// Availability says how much of a product is free now per warehouse and,
// when that is short of qty, the earliest date it can be delivered. It only
// reads: reservations past their expiry count as free already. Three
// indexed queries (stock_product, reservations_active_product, the
// incoming indexes).
func (s *StockService) Availability(ctx context.Context, productID, qty int64) (resource.Availability, error) {
	if qty <= 0 {
		return resource.Availability{}, crm.Invalid("qty", "must be positive")
	}
	now := s.db.now().UTC()
	p, err := s.GetProduct(ctx, productID)
	if err != nil {
		return resource.Availability{}, err
	}
	a := resource.Availability{ProductID: p.ID, SKU: p.SKU, Name: p.Name, Qty: qty}
	if a.Warehouses, err = s.freeByWarehouse(ctx, productID, now); err != nil {
		return a, err
	}
	for _, w := range a.Warehouses {
		a.FreeNow += w.Free
	}
	if a.Incoming, err = s.incoming(ctx, productID); err != nil {
		return a, err
	}
	a.InStock = a.FreeNow >= qty
	a.AvailableAt, a.FromSupplier = resource.EarliestDate(now, a.FreeNow, qty, a.Incoming, p.LeadTimeDays)
	return a, nil
}

func (s *StockService) freeByWarehouse(ctx context.Context, productID int64, now time.Time) ([]resource.WarehouseFree, error) {
	rows, err := s.db.pool.Query(ctx, `WITH free AS (
			SELECT s.warehouse_id, sum(s.on_hand - s.reserved) AS qty
			FROM stock s
			WHERE s.product_id = $1 AND s.on_hand > 0 AND (s.expires_on IS NULL OR s.expires_on >= $3::date)
			GROUP BY 1),
		overdue AS (
			SELECT rl.warehouse_id, sum(rl.qty) AS qty
			FROM reservations r JOIN reservation_lines rl ON rl.reservation_id = r.id
			WHERE r.product_id = $1 AND r.state = 'active' AND r.expires_at <= $2
			GROUP BY 1)
		SELECT w.id, w.name, (coalesce(f.qty, 0) + coalesce(o.qty, 0))::bigint
		FROM warehouses w LEFT JOIN free f ON f.warehouse_id = w.id LEFT JOIN overdue o ON o.warehouse_id = w.id
		WHERE f.qty IS NOT NULL OR o.qty IS NOT NULL ORDER BY 3 DESC, w.id`, productID, now, resource.DateOf(now).Time)
	if err != nil {
		return nil, translateStock(err, "availability")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.WarehouseFree, error) {
		var w resource.WarehouseFree
		return w, r.Scan(&w.WarehouseID, &w.Warehouse, &w.Free)
	})
	return out, translateStock(err, "availability")
}

func (s *StockService) incoming(ctx context.Context, productID int64) ([]resource.Incoming, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT to_warehouse_id, qty, expected_at, 'transfer' FROM stock_transfers
			WHERE product_id = $1 AND state = 'in_transit'
		UNION ALL
		SELECT warehouse_id, qty, expected_at, 'receipt' FROM stock_expected WHERE product_id = $1 AND NOT done
		ORDER BY 3`, productID)
	if err != nil {
		return nil, translateStock(err, "incoming stock")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.Incoming, error) {
		var in resource.Incoming
		return in, r.Scan(&in.WarehouseID, &in.Qty, &in.ExpectedAt, &in.Source)
	})
	return out, translateStock(err, "incoming stock")
}

// Balances lists stock by lot and warehouse.
func (s *StockService) Balances(ctx context.Context, f resource.BalanceFilter) ([]resource.Balance, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 500
	}
	rows, err := s.db.pool.Query(ctx, `SELECT s.lot_id, s.product_id, p.sku, s.warehouse_id, w.code, l.batch, l.received_at, l.expires_on,
			l.unit_cost, s.on_hand, s.reserved
		FROM stock s JOIN lots l ON l.id = s.lot_id JOIN products p ON p.id = s.product_id JOIN warehouses w ON w.id = s.warehouse_id
		WHERE ($1 = 0 OR s.product_id = $1) AND ($2 = 0 OR s.warehouse_id = $2) AND (NOT $3 OR s.on_hand > 0)
		ORDER BY p.sku, w.code, l.received_at, l.id LIMIT $4`, f.ProductID, f.WarehouseID, f.NonZero, f.Limit)
	if err != nil {
		return nil, translateStock(err, "balances")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.Balance, error) {
		var b resource.Balance
		var exp *time.Time
		err := r.Scan(&b.LotID, &b.ProductID, &b.SKU, &b.WarehouseID, &b.Warehouse, &b.Batch, &b.ReceivedAt, &exp, &b.UnitCost, &b.OnHand, &b.Reserved)
		b.ExpiresOn = dateFrom(exp)
		return b, err
	})
	return out, translateStock(err, "balances")
}

// ListMovements lists a product's movements, newest first.
func (s *StockService) ListMovements(ctx context.Context, productID int64, limit int) ([]resource.Movement, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := s.db.pool.Query(ctx, `SELECT id, kind, lot_id, product_id, warehouse_id, qty, unit_cost, client_id, transfer_id, note, at, user_id
		FROM stock_movements WHERE $1 = 0 OR product_id = $1 ORDER BY id DESC LIMIT $2`, productID, limit)
	if err != nil {
		return nil, translateStock(err, "list movements")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.Movement, error) {
		var m resource.Movement
		return m, r.Scan(&m.ID, &m.Kind, &m.LotID, &m.ProductID, &m.WarehouseID, &m.Qty, &m.UnitCost, &m.ClientID, &m.TransferID, &m.Note, &m.At, &m.UserID)
	})
	return out, translateStock(err, "list movements")
}

// CheckStockLedger compares every balance with the sum of its movements and
// the reserved count with the active reservations; it returns an error
// describing the first difference. Tests and `hotline` health checks use it.
func (s *StockService) CheckStockLedger(ctx context.Context) error {
	var lot, wh, onHand, sum int64
	err := s.db.pool.QueryRow(ctx, `SELECT s.lot_id, s.warehouse_id, s.on_hand, coalesce(m.qty, 0)
		FROM stock s LEFT JOIN (SELECT lot_id, warehouse_id, sum(qty) AS qty FROM stock_movements GROUP BY 1, 2) m
			ON m.lot_id = s.lot_id AND m.warehouse_id = s.warehouse_id
		WHERE s.on_hand <> coalesce(m.qty, 0) LIMIT 1`).Scan(&lot, &wh, &onHand, &sum)
	if err == nil {
		return fmt.Errorf("lot %d in warehouse %d: on hand %d, movements sum to %d", lot, wh, onHand, sum)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("check stock ledger: %w", err)
	}
	err = s.db.pool.QueryRow(ctx, `SELECT s.lot_id, s.warehouse_id, s.reserved, coalesce(r.qty, 0)
		FROM stock s LEFT JOIN (SELECT rl.lot_id, rl.warehouse_id, sum(rl.qty) AS qty FROM reservation_lines rl
			JOIN reservations r ON r.id = rl.reservation_id WHERE r.state = 'active' GROUP BY 1, 2) r
			ON r.lot_id = s.lot_id AND r.warehouse_id = s.warehouse_id
		WHERE s.reserved <> coalesce(r.qty, 0) LIMIT 1`).Scan(&lot, &wh, &onHand, &sum)
	if err == nil {
		return fmt.Errorf("lot %d in warehouse %d: reserved %d, active reservations hold %d", lot, wh, onHand, sum)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("check reservations: %w", err)
	}
	return nil
}

// PurchasedProducts lists the products shipped to a client, latest first,
// with their support conditions (the screen pop's ProductLister): support
// runs for the product's support months from the latest shipment and is
// active until then; while active, requests about the product get its
// support priority.
func (s *StockService) PurchasedProducts(ctx context.Context, clientID int64, limit int) ([]screenpop.Product, error) {
	if limit <= 0 {
		limit = 5
	}
	rows, err := s.db.pool.Query(ctx, purchasedProductsSQL, clientID, limit)
	if err != nil {
		return nil, translateStock(err, "purchased products")
	}
	now := s.db.now()
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (screenpop.Product, error) { return scanPurchasedProduct(r, now) })
	return out, translateStock(err, "purchased products")
}

// scanPurchasedProduct reads a purchased product (id, name, last shipment,
// support, support months, support priority, after the lead columns) and
// works out its support at now.
func scanPurchasedProduct(r pgx.Row, now time.Time, lead ...any) (screenpop.Product, error) {
	var p screenpop.Product
	var months int
	if err := r.Scan(append(lead, &p.ID, &p.Name, &p.PurchasedAt, &p.Support, &months, &p.SupportPriority)...); err != nil {
		return p, err
	}
	p.SupportUntil = resource.SupportEnd(p.PurchasedAt, months)
	p.SupportActive = months > 0 && !now.After(p.SupportUntil)
	if p.Support == "" && months > 0 {
		p.Support = "support contract"
	}
	if p.Support == "" {
		p.Support = "no support contract"
	}
	return p, nil
}

var _ screenpop.ProductLister = (*StockService)(nil)
