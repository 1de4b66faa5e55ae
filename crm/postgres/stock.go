package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hotline/crm"
	"hotline/crm/resource"
)

// Warehouse stock (package crm/resource). Balances live in the stock table,
// which only the stock_movements trigger changes (on_hand) and the
// reservation steps below change (reserved); its CHECK constraints refuse
// negative stock and over-reservation, so concurrent writers cannot break
// the invariants even when their lot choice raced.

// stockConstraints are the constraint violations that mean "not enough
// stock" (a conflict with the current state, not bad input).
var stockConstraints = map[string]string{
	"stock_on_hand_check":  "not enough stock on hand",
	"stock_reserved_check": "the stock is reserved",
}

// stockFields names the input field behind the resource module's constraints.
var stockFields = map[string]struct{ field, msg string }{
	"products_sku_key":                       {"sku", "is already taken"},
	"products_sku_check":                     {"sku", "must be 1-64 letters, digits, '.', '_' or '-'"},
	"products_name_check":                    {"name", "is required"},
	"products_price_check":                   {"price", "must not be negative"},
	"products_cost_method_check":             {"cost_method", "must be fifo or fefo"},
	"products_support_priority_check":        {"support_priority", "must be one of critical, high, normal, low"},
	"products_support_plan_id_fkey":          {"support_plan_id", "is not a known SLA plan"},
	"warehouses_code_key":                    {"code", "is already taken"},
	"lots_product_batch_key":                 {"batch", "the product already has this batch"},
	"lots_product_id_fkey":                   {"product_id", "is not a known product"},
	"stock_movements_client_id_fkey":         {"client_id", "is not a known client"},
	"stock_movements_warehouse_id_fkey":      {"warehouse_id", "is not a known warehouse"},
	"reservations_client_id_fkey":            {"client_id", "is not a known client"},
	"stock_transfers_to_warehouse_id_fkey":   {"to_warehouse_id", "is not a known warehouse"},
	"stock_transfers_from_warehouse_id_fkey": {"from_warehouse_id", "is not a known warehouse"},
	"stock_expected_warehouse_id_fkey":       {"warehouse_id", "is not a known warehouse"},
	"stock_expected_product_id_fkey":         {"product_id", "is not a known product"},
	"money_transactions_client_id_fkey":      {"client_id", "is not a known client"},
	"money_transactions_product_id_fkey":     {"product_id", "is not a known product"},
	"money_transactions_campaign_id_fkey":    {"campaign_id", "is not a known campaign"},
}

// translateStock is translate with the stock module's constraints.
func translateStock(err error, op string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if msg, ok := stockConstraints[pgErr.ConstraintName]; ok {
			return &crm.Error{Kind: crm.KindConflict, Message: op + ": " + msg, Err: err}
		}
		if f, ok := stockFields[pgErr.ConstraintName]; ok {
			kind := crm.KindInvalid
			if pgErr.Code == codeUniqueViolation {
				kind = crm.KindConflict
			}
			return &crm.Error{Kind: kind, Field: f.field, Message: f.msg, Err: err}
		}
	}
	var ce *crm.Error
	if errors.As(err, &ce) {
		return err
	}
	return translate(err, op)
}

// inTxRetry runs fn in a transaction and retries it (up to 8 times) when
// PostgreSQL aborted it for a deadlock or a serialization failure.
func (s *DB) inTxRetry(ctx context.Context, fn func(pgx.Tx) error) error {
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		err = s.inTx(ctx, fn)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || (pgErr.Code != "40P01" && pgErr.Code != "40001") {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 3 * time.Millisecond):
		}
	}
	return err
}

// CreateProduct adds a product and sets its ID.
func (s *StockService) CreateProduct(ctx context.Context, p *resource.Product) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	err := s.db.pool.QueryRow(ctx, `INSERT INTO products (sku, name, unit, price, cost_method, lead_time_days, support, support_months,
			support_priority, support_plan_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, ''), $10) RETURNING id`,
		p.SKU, p.Name, p.Unit, p.Price, p.CostMethod, p.LeadTimeDays, p.Support, p.SupportMonths,
		p.SupportPriority, p.SupportPlanID).Scan(&p.ID)
	if err != nil {
		return translateStock(err, "create product")
	}
	return s.productPlanName(ctx, p)
}

// productPlanName fills the name of the product's SLA plan.
func (s *StockService) productPlanName(ctx context.Context, p *resource.Product) error {
	p.SupportPlan = ""
	if p.SupportPlanID == nil {
		return nil
	}
	err := s.db.pool.QueryRow(ctx, `SELECT name FROM sla_plans WHERE id = $1`, *p.SupportPlanID).Scan(&p.SupportPlan)
	if errors.Is(err, pgx.ErrNoRows) { // deleted in between: the product has no plan now
		p.SupportPlanID = nil
		return nil
	}
	return translateStock(err, "product's sla plan")
}

// UpdateProduct changes a product's fields.
func (s *StockService) UpdateProduct(ctx context.Context, p *resource.Product) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	tag, err := s.db.pool.Exec(ctx, `UPDATE products SET sku = $2, name = $3, unit = $4, price = $5, cost_method = $6,
		lead_time_days = $7, support = $8, support_months = $9, support_priority = nullif($10, ''), support_plan_id = $11
		WHERE id = $1`,
		p.ID, p.SKU, p.Name, p.Unit, p.Price, p.CostMethod, p.LeadTimeDays, p.Support, p.SupportMonths,
		p.SupportPriority, p.SupportPlanID)
	if err != nil {
		return translateStock(err, "update product")
	}
	if tag.RowsAffected() == 0 {
		return notFound("product", p.ID)
	}
	return s.productPlanName(ctx, p)
}

// productColumns are read FROM productFrom.
const productColumns = `p.id, p.sku, p.name, p.unit, p.price, p.cost_method, p.lead_time_days, p.support, p.support_months,
	coalesce(p.support_priority, ''), p.support_plan_id, coalesce(sp.name, '')`

const productFrom = ` FROM products p LEFT JOIN sla_plans sp ON sp.id = p.support_plan_id`

func scanProduct(r pgx.Row) (resource.Product, error) {
	var p resource.Product
	err := r.Scan(&p.ID, &p.SKU, &p.Name, &p.Unit, &p.Price, &p.CostMethod, &p.LeadTimeDays, &p.Support, &p.SupportMonths,
		&p.SupportPriority, &p.SupportPlanID, &p.SupportPlan)
	return p, err
}

// GetProduct returns one product.
func (s *StockService) GetProduct(ctx context.Context, id int64) (resource.Product, error) {
	p, err := scanProduct(s.db.pool.QueryRow(ctx, `SELECT `+productColumns+productFrom+` WHERE p.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, notFound("product", id)
	}
	return p, translateStock(err, "get product")
}

// ListProducts lists products by SKU; q filters by SKU or name (substring).
func (s *StockService) ListProducts(ctx context.Context, q string, limit int) ([]resource.Product, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	rows, err := s.db.pool.Query(ctx, `SELECT `+productColumns+productFrom+`
		WHERE $1 = '' OR p.sku ILIKE '%' || $1 || '%' OR p.name ILIKE '%' || $1 || '%' ORDER BY p.sku LIMIT $2`,
		strings.TrimSpace(q), limit)
	if err != nil {
		return nil, translateStock(err, "list products")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.Product, error) { return scanProduct(r) })
	return out, translateStock(err, "list products")
}

// CreateWarehouse adds a warehouse and sets its ID.
func (s *StockService) CreateWarehouse(ctx context.Context, w *resource.Warehouse) error {
	w.Code = strings.ToUpper(strings.TrimSpace(w.Code))
	w.Name = strings.TrimSpace(w.Name)
	if err := w.Validate(); err != nil {
		return err
	}
	err := s.db.pool.QueryRow(ctx, `INSERT INTO warehouses (code, name) VALUES ($1, $2) RETURNING id`, w.Code, w.Name).Scan(&w.ID)
	return translateStock(err, "create warehouse")
}

// ListWarehouses lists warehouses by code.
func (s *StockService) ListWarehouses(ctx context.Context) ([]resource.Warehouse, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT id, code, name FROM warehouses ORDER BY code`)
	if err != nil {
		return nil, translateStock(err, "list warehouses")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.Warehouse, error) {
		var w resource.Warehouse
		return w, r.Scan(&w.ID, &w.Code, &w.Name)
	})
	return out, translateStock(err, "list warehouses")
}

// Receive books a new lot into a warehouse (a receipt movement) and returns it.
func (s *StockService) Receive(ctx context.Context, in resource.ReceiptInput) (resource.Lot, error) {
	if err := in.Validate(); err != nil {
		return resource.Lot{}, err
	}
	lot := resource.Lot{ProductID: in.ProductID, Batch: in.Batch, ReceivedAt: s.movedAt(in.At), UnitCost: in.UnitCost, ExpiresOn: in.ExpiresOn}
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO lots (product_id, batch, received_at, unit_cost, expires_on)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			in.ProductID, in.Batch, lot.ReceivedAt, in.UnitCost, dateArg(in.ExpiresOn)).Scan(&lot.ID); err != nil {
			return err
		}
		if err := insertMovement(ctx, tx, resource.Movement{Kind: resource.Receipt, LotID: lot.ID, ProductID: in.ProductID,
			WarehouseID: in.WarehouseID, Qty: in.Qty, UnitCost: in.UnitCost, Note: in.Note, At: lot.ReceivedAt}, in.UserID); err != nil {
			return err
		}
		if in.ExpectedID > 0 {
			_, err := tx.Exec(ctx, `UPDATE stock_expected SET done = true WHERE id = $1 AND product_id = $2`, in.ExpectedID, in.ProductID)
			return err
		}
		return nil
	})
	return lot, translateStock(err, "receive")
}

// Ship takes goods out to a client (a shipment movement per lot used) and
// returns the lots taken with their unit costs.
func (s *StockService) Ship(ctx context.Context, in resource.OutInput) ([]resource.LotQty, error) {
	return s.takeOut(ctx, resource.Shipment, in)
}

// WriteOff removes damaged, lost or expired goods.
func (s *StockService) WriteOff(ctx context.Context, in resource.OutInput) ([]resource.LotQty, error) {
	return s.takeOut(ctx, resource.WriteOff, in)
}

func (s *StockService) takeOut(ctx context.Context, kind resource.MovementKind, in resource.OutInput) ([]resource.LotQty, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var lines []resource.LotQty
	now := s.movedAt(in.At)
	err := s.db.inTxRetry(ctx, func(tx pgx.Tx) error {
		var err error
		lines, err = s.takeFree(ctx, tx, in, now)
		if err != nil {
			return err
		}
		for _, l := range lines {
			m := resource.Movement{Kind: kind, LotID: l.LotID, ProductID: in.ProductID, WarehouseID: in.WarehouseID,
				Qty: -l.Qty, UnitCost: l.UnitCost, ClientID: in.ClientID, Note: in.Note, At: now}
			if err := insertMovement(ctx, tx, m, in.UserID); err != nil {
				return err
			}
		}
		return nil
	})
	return lines, translateStock(err, string(kind))
}

// takeFree locks the product's stock rows in a warehouse (in lot order, so
// writers never deadlock on them) and allocates qty from their free part
// by the product's cost method, as of at (lots expired by then are not
// used; nor, for a backdated movement, lots received after it).
func (s *StockService) takeFree(ctx context.Context, tx pgx.Tx, in resource.OutInput, at time.Time) ([]resource.LotQty, error) {
	method, err := costMethod(ctx, tx, in.ProductID)
	if err != nil {
		return nil, err
	}
	var lines []resource.LotQty
	short := in.Qty
	for _, skip := range []bool{true, false} {
		err := lockPass(ctx, tx, skip, func(q pgx.Tx) (bool, error) {
			cands, err := lockCandidates(ctx, q, in.ProductID, in.WarehouseID, in.LotID, skip)
			if err != nil {
				return false, err
			}
			if !in.At.IsZero() {
				cands[in.WarehouseID] = slices.DeleteFunc(cands[in.WarehouseID], func(c resource.Candidate) bool { return c.ReceivedAt.After(at) })
			}
			lines, short = resource.Allocate(method, cands[in.WarehouseID], in.Qty, resource.DateOf(at))
			return short == 0, nil
		})
		if err != nil {
			return nil, err
		}
		if short == 0 {
			break
		}
	}
	if short > 0 {
		return nil, crm.Errorf(crm.KindConflict, "only %d of %d free in the warehouse", in.Qty-short, in.Qty)
	}
	return lines, nil
}

// movedAt is when a movement happens: at when it is set and not after
// now (a backdated receipt or shipment), else now; in UTC.
func (s *StockService) movedAt(at time.Time) time.Time {
	now := s.db.now().UTC()
	if at.IsZero() || at.After(now) {
		return now
	}
	return at.UTC()
}

func costMethod(ctx context.Context, tx pgx.Tx, productID int64) (resource.CostMethod, error) {
	var m resource.CostMethod
	err := tx.QueryRow(ctx, `SELECT cost_method FROM products WHERE id = $1`, productID).Scan(&m)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", crm.Invalid("product_id", "is not a known product")
	}
	return m, err
}

// lockPass runs one pass of lockCandidates and its allocation, pass,
// which reports whether the allocation is complete. The SKIP LOCKED pass
// runs in a savepoint that is rolled back when it comes up short: the rows
// it locked are in lot order only among themselves (it skipped others'),
// and a writer holding them while the blocking pass waits for a lower lot
// deadlocks with the writer that holds that lot and waits for one of them
// (PostgreSQL breaks each such cycle only after deadlock_timeout, 1 s).
// Released, the blocking pass takes every row in lot order.
func lockPass(ctx context.Context, tx pgx.Tx, skipLocked bool, pass func(pgx.Tx) (bool, error)) error {
	if !skipLocked {
		_, err := pass(tx)
		return err
	}
	sp, err := tx.Begin(ctx) // SAVEPOINT
	if err != nil {
		return err
	}
	done, err := pass(sp)
	if err != nil {
		return err // the transaction is rolled back
	}
	if done {
		return sp.Commit(ctx) // RELEASE SAVEPOINT: the locks stay
	}
	return sp.Rollback(ctx) // ROLLBACK TO SAVEPOINT: the locks go
}

// lockCandidates locks the stock rows of a product with free stock, in one
// warehouse (or all when warehouseID is 0; one lot when lotID is not 0),
// and returns them grouped by warehouse. With skipLocked it passes over rows
// other writers hold (the fast path: concurrent reservations of one product
// take different lots instead of queueing); callers fall back to a blocking
// pass when that is short, so a busy lot never causes a false refusal.
func lockCandidates(ctx context.Context, tx pgx.Tx, productID, warehouseID, lotID int64, skipLocked bool) (map[int64][]resource.Candidate, error) {
	lock := "FOR UPDATE OF s"
	if skipLocked {
		lock += " SKIP LOCKED"
	}
	rows, err := tx.Query(ctx, `SELECT s.warehouse_id, s.lot_id, l.received_at, l.expires_on, s.on_hand - s.reserved, l.unit_cost
		FROM stock s JOIN lots l ON l.id = s.lot_id
		WHERE s.product_id = $1 AND s.on_hand > s.reserved AND ($2 = 0 OR s.warehouse_id = $2) AND ($3 = 0 OR s.lot_id = $3)
		ORDER BY s.lot_id, s.warehouse_id `+lock, productID, warehouseID, lotID)
	if err != nil {
		return nil, fmt.Errorf("lock stock: %w", err)
	}
	defer rows.Close()
	out := map[int64][]resource.Candidate{}
	for rows.Next() {
		var wh int64
		var c resource.Candidate
		var exp *time.Time
		if err := rows.Scan(&wh, &c.LotID, &c.ReceivedAt, &exp, &c.Free, &c.UnitCost); err != nil {
			return nil, fmt.Errorf("lock stock: %w", err)
		}
		c.ExpiresOn = dateFrom(exp)
		out[wh] = append(out[wh], c)
	}
	return out, rows.Err()
}

func insertMovement(ctx context.Context, tx pgx.Tx, m resource.Movement, userID int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO stock_movements (kind, lot_id, product_id, warehouse_id, qty, unit_cost, client_id, transfer_id, note, user_id, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		m.Kind, m.LotID, m.ProductID, m.WarehouseID, m.Qty, m.UnitCost, m.ClientID, m.TransferID, m.Note, nullID(userID), m.At)
	return err
}

// Adjust corrects a lot's counted stock in a warehouse.
func (s *StockService) Adjust(ctx context.Context, in resource.AdjustInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	err := s.db.inTxRetry(ctx, func(tx pgx.Tx) error {
		var productID, cost int64
		err := tx.QueryRow(ctx, `SELECT product_id, unit_cost FROM lots WHERE id = $1`, in.LotID).Scan(&productID, &cost)
		if errors.Is(err, pgx.ErrNoRows) {
			return crm.Invalid("lot_id", "is not a known lot")
		}
		if err != nil {
			return err
		}
		return insertMovement(ctx, tx, resource.Movement{Kind: resource.Adjustment, LotID: in.LotID, ProductID: productID,
			WarehouseID: in.WarehouseID, Qty: in.Qty, UnitCost: cost, Note: in.Note, At: s.db.now().UTC()}, in.UserID)
	})
	return translateStock(err, "adjust")
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func dateArg(d *resource.Date) *time.Time {
	if d == nil {
		return nil
	}
	return &d.Time
}

func dateFrom(t *time.Time) *resource.Date {
	if t == nil {
		return nil
	}
	d := resource.DateOf(*t)
	return &d
}

// StockService is the catalogue, the stock and the reservations.
var (
	_ resource.CatalogueService   = (*StockService)(nil)
	_ resource.StockService       = (*StockService)(nil)
	_ resource.ReservationService = (*StockService)(nil)
)
