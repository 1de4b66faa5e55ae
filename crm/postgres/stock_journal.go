package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm/resource"
)

// StockJournal lists stock movements and reservations, newest first, with
// the product, warehouse, lot, client and user by name.
func (s *StockService) StockJournal(ctx context.Context, f resource.JournalFilter) ([]resource.JournalEntry, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	if f.Before.IsZero() {
		f.Before = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	rows, err := s.db.pool.Query(ctx, `SELECT j.at, j.kind, p.id, p.sku, p.name, w.name, l.batch, j.qty, j.unit_cost, j.client_id,
			coalesce(c.name, ''), coalesce(nullif(u.name, ''), u.login, ''), j.ref, j.note
		FROM (
			SELECT m.at, m.kind, m.product_id, m.warehouse_id, m.lot_id, m.qty, m.unit_cost, m.client_id, m.user_id,
				coalesce(m.transfer_id, 0) AS ref, m.note
			FROM stock_movements m
			WHERE ($1 = 0 OR m.product_id = $1) AND ($2 = 0 OR m.warehouse_id = $2) AND ($3 = '' OR m.kind = $3) AND m.at < $4
			UNION ALL
			SELECT r.created_at, 'reservation', r.product_id, rl.warehouse_id, rl.lot_id, rl.qty, l.unit_cost, r.client_id, r.user_id,
				r.id, ''
			FROM reservations r JOIN reservation_lines rl ON rl.reservation_id = r.id JOIN lots l ON l.id = rl.lot_id
			WHERE ($1 = 0 OR r.product_id = $1) AND ($2 = 0 OR rl.warehouse_id = $2) AND ($3 = '' OR $3 = 'reservation') AND r.created_at < $4
		) j
		JOIN products p ON p.id = j.product_id JOIN warehouses w ON w.id = j.warehouse_id JOIN lots l ON l.id = j.lot_id
		LEFT JOIN clients c ON c.id = j.client_id LEFT JOIN users u ON u.id = j.user_id
		ORDER BY j.at DESC, j.ref DESC LIMIT $5`, f.ProductID, f.WarehouseID, string(f.Kind), f.Before, f.Limit)
	if err != nil {
		return nil, translateStock(err, "stock journal")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.JournalEntry, error) {
		var e resource.JournalEntry
		return e, r.Scan(&e.At, &e.Kind, &e.ProductID, &e.SKU, &e.ProductName, &e.Warehouse, &e.Batch, &e.Qty, &e.UnitCost,
			&e.ClientID, &e.ClientName, &e.User, &e.Ref, &e.Note)
	})
	return out, translateStock(err, "stock journal")
}
