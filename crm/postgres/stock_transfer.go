package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/resource"
)

// StartTransfer sends goods from one warehouse to another: they leave the
// source at once (transfer_out movements, lots chosen FIFO/FEFO) and are in
// transit, counted as incoming at the destination, until ArriveTransfer.
func (s *StockService) StartTransfer(ctx context.Context, in resource.TransferInput, userID int64) (resource.Transfer, error) {
	if err := in.Validate(); err != nil {
		return resource.Transfer{}, err
	}
	t := resource.Transfer{ProductID: in.ProductID, FromWarehouseID: in.FromWarehouseID, ToWarehouseID: in.ToWarehouseID,
		Qty: in.Qty, State: resource.InTransit, ExpectedAt: in.ExpectedAt.UTC()}
	err := s.db.inTxRetry(ctx, func(tx pgx.Tx) error {
		lines, err := s.takeFree(ctx, tx, resource.OutInput{ProductID: in.ProductID, WarehouseID: in.FromWarehouseID, Qty: in.Qty}, s.db.now().UTC())
		if err != nil {
			return err
		}
		t.Lines = lines
		now := s.db.now().UTC()
		if err := tx.QueryRow(ctx, `INSERT INTO stock_transfers (product_id, from_warehouse_id, to_warehouse_id, qty, expected_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, in.ProductID, in.FromWarehouseID, in.ToWarehouseID, in.Qty, t.ExpectedAt, now).Scan(&t.ID); err != nil {
			return err
		}
		for _, l := range lines {
			if _, err := tx.Exec(ctx, `INSERT INTO stock_transfer_lines (transfer_id, lot_id, qty) VALUES ($1, $2, $3)`, t.ID, l.LotID, l.Qty); err != nil {
				return err
			}
			m := resource.Movement{Kind: resource.TransferOut, LotID: l.LotID, ProductID: in.ProductID, WarehouseID: in.FromWarehouseID,
				Qty: -l.Qty, UnitCost: l.UnitCost, TransferID: &t.ID, At: now}
			if err := insertMovement(ctx, tx, m, userID); err != nil {
				return err
			}
		}
		return nil
	})
	return t, translateStock(err, "start transfer")
}

// ArriveTransfer books a transfer in transit into its destination
// (transfer_in movements of the same lots).
func (s *StockService) ArriveTransfer(ctx context.Context, id, userID int64) (resource.Transfer, error) {
	var t resource.Transfer
	err := s.db.inTxRetry(ctx, func(tx pgx.Tx) error {
		var err error
		if t, err = getTransfer(ctx, tx, id, true); err != nil {
			return err
		}
		if t.State != resource.InTransit {
			return crm.Errorf(crm.KindConflict, "transfer %d has already arrived", id)
		}
		now := s.db.now().UTC()
		for _, l := range t.Lines {
			m := resource.Movement{Kind: resource.TransferIn, LotID: l.LotID, ProductID: t.ProductID, WarehouseID: t.ToWarehouseID,
				Qty: l.Qty, UnitCost: l.UnitCost, TransferID: &t.ID, At: now}
			if err := insertMovement(ctx, tx, m, userID); err != nil {
				return err
			}
		}
		t.State, t.ArrivedAt = resource.Arrived, &now
		_, err = tx.Exec(ctx, `UPDATE stock_transfers SET state = 'arrived', arrived_at = $2 WHERE id = $1`, id, now)
		return err
	})
	return t, translateStock(err, "arrive transfer")
}

// GetTransfer returns one transfer with its lots.
func (s *StockService) GetTransfer(ctx context.Context, id int64) (resource.Transfer, error) {
	var t resource.Transfer
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		t, err = getTransfer(ctx, tx, id, false)
		return err
	})
	return t, translateStock(err, "get transfer")
}

func getTransfer(ctx context.Context, tx pgx.Tx, id int64, lock bool) (resource.Transfer, error) {
	var t resource.Transfer
	q := `SELECT id, product_id, from_warehouse_id, to_warehouse_id, qty, state, expected_at, arrived_at FROM stock_transfers WHERE id = $1`
	if lock {
		q += ` FOR UPDATE`
	}
	err := tx.QueryRow(ctx, q, id).Scan(&t.ID, &t.ProductID, &t.FromWarehouseID, &t.ToWarehouseID, &t.Qty, &t.State, &t.ExpectedAt, &t.ArrivedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, notFound("transfer", id)
	}
	if err != nil {
		return t, err
	}
	t.Lines, err = lotLines(ctx, tx, `SELECT tl.lot_id, tl.qty, l.unit_cost FROM stock_transfer_lines tl JOIN lots l ON l.id = tl.lot_id
		WHERE tl.transfer_id = $1 ORDER BY tl.lot_id`, id)
	return t, err
}

// ListTransfers lists transfers, newest first; inTransit keeps only those
// not yet arrived.
func (s *StockService) ListTransfers(ctx context.Context, inTransit bool, limit int) ([]resource.Transfer, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.db.pool.Query(ctx, `SELECT id, product_id, from_warehouse_id, to_warehouse_id, qty, state, expected_at, arrived_at
		FROM stock_transfers WHERE NOT $1 OR state = 'in_transit' ORDER BY id DESC LIMIT $2`, inTransit, limit)
	if err != nil {
		return nil, translateStock(err, "list transfers")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.Transfer, error) {
		var t resource.Transfer
		return t, r.Scan(&t.ID, &t.ProductID, &t.FromWarehouseID, &t.ToWarehouseID, &t.Qty, &t.State, &t.ExpectedAt, &t.ArrivedAt)
	})
	return out, translateStock(err, "list transfers")
}

// ExpectReceipt records goods ordered from a supplier, counted as incoming
// by availability until a receipt closes it (ReceiptInput.ExpectedID).
func (s *StockService) ExpectReceipt(ctx context.Context, productID, warehouseID, qty int64, at time.Time, note string) (int64, error) {
	switch {
	case productID <= 0:
		return 0, crm.Invalid("product_id", "is required")
	case warehouseID <= 0:
		return 0, crm.Invalid("warehouse_id", "is required")
	case qty <= 0:
		return 0, crm.Invalid("qty", "must be positive")
	case at.IsZero():
		return 0, crm.Invalid("expected_at", "is required")
	}
	var id int64
	err := s.db.pool.QueryRow(ctx, `INSERT INTO stock_expected (product_id, warehouse_id, qty, expected_at, note) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		productID, warehouseID, qty, at.UTC(), note).Scan(&id)
	return id, translateStock(err, "expect receipt")
}
