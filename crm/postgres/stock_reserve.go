package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/resource"
)

// Reserve holds stock for a client, a deal or a ticket until now+TTL. It
// locks the free lots (FIFO/FEFO) of the requested warehouse, or of the
// warehouse with the most free stock, skipping lots other writers hold; if
// that is short it frees the product's overdue reservations and waits for
// every lot. It raises the lots' reserved count; the stock_reserved_check
// constraint is the last word on over-reservation.
func (s *StockService) Reserve(ctx context.Context, in resource.ReserveInput) (resource.Reservation, error) {
	if err := in.Validate(); err != nil {
		return resource.Reservation{}, err
	}
	now := s.db.now().UTC()
	r := resource.Reservation{ProductID: in.ProductID, Qty: in.Qty, ClientID: in.ClientID, DealID: in.DealID,
		TicketID: in.TicketID, State: resource.ReservationActive, ExpiresAt: now.Add(in.TTL), CreatedAt: now}
	err := s.db.inTxRetry(ctx, func(tx pgx.Tx) error {
		method, err := costMethod(ctx, tx, in.ProductID)
		if err != nil {
			return err
		}
		var lines []resource.LotQty
		short := in.Qty
		for _, skip := range []bool{true, false} {
			if !skip { // short: free the overdue reservations, then wait for busy lots
				if _, err := expireDue(ctx, tx, now, in.ProductID); err != nil {
					return err
				}
			}
			err := lockPass(ctx, tx, skip, func(q pgx.Tx) (bool, error) {
				cands, err := lockCandidates(ctx, q, in.ProductID, in.WarehouseID, 0, skip)
				if err != nil {
					return false, err
				}
				r.WarehouseID = in.WarehouseID
				if r.WarehouseID == 0 {
					r.WarehouseID = mostFree(cands)
				}
				lines, short = resource.Allocate(method, cands[r.WarehouseID], in.Qty, resource.DateOf(now))
				return short == 0 && r.WarehouseID != 0, nil
			})
			if err != nil {
				return err
			}
			if short == 0 && r.WarehouseID != 0 {
				break
			}
		}
		if short > 0 || r.WarehouseID == 0 {
			return crm.Errorf(crm.KindConflict, "only %d of %d free to reserve", in.Qty-short, in.Qty)
		}
		r.Lines = lines
		return insertReservation(ctx, tx, &r, in.UserID)
	})
	if err != nil {
		return resource.Reservation{}, translateStock(err, "reserve")
	}
	return r, nil
}

func mostFree(cands map[int64][]resource.Candidate) int64 {
	var best, bestFree int64
	for wh, cs := range cands {
		var free int64
		for _, c := range cs {
			free += c.Free
		}
		if free > bestFree || (free == bestFree && wh < best) {
			best, bestFree = wh, free
		}
	}
	return best
}

// insertReservation writes the reservation, its lines and the raised
// reserved counts in one statement (one round trip while the lots are locked).
func insertReservation(ctx context.Context, tx pgx.Tx, r *resource.Reservation, userID int64) error {
	lots := make([]int64, len(r.Lines))
	qtys := make([]int64, len(r.Lines))
	for i, l := range r.Lines {
		lots[i], qtys[i] = l.LotID, l.Qty
	}
	return tx.QueryRow(ctx, `WITH r AS (
			INSERT INTO reservations (product_id, warehouse_id, qty, client_id, deal_id, ticket_id, expires_at, created_at, user_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id),
		l AS (INSERT INTO reservation_lines (reservation_id, lot_id, warehouse_id, qty)
			SELECT r.id, x.lot, $2, x.qty FROM r, unnest($10::bigint[], $11::bigint[]) AS x(lot, qty) RETURNING 1),
		u AS (UPDATE stock s SET reserved = s.reserved + x.qty FROM unnest($10::bigint[], $11::bigint[]) AS x(lot, qty)
			WHERE s.lot_id = x.lot AND s.warehouse_id = $2 RETURNING 1)
		SELECT id FROM r`,
		r.ProductID, r.WarehouseID, r.Qty, r.ClientID, r.DealID, r.TicketID, r.ExpiresAt, r.CreatedAt, nullID(userID), lots, qtys).Scan(&r.ID)
}

// expireDue marks active reservations past their expiry (of one product, or
// all when productID is 0) expired and returns their stock to free.
func expireDue(ctx context.Context, tx pgx.Tx, now time.Time, productID int64) (int64, error) {
	var n int64
	err := tx.QueryRow(ctx, `WITH due AS (
			UPDATE reservations SET state = 'expired'
			WHERE state = 'active' AND expires_at <= $1 AND ($2 = 0 OR product_id = $2) RETURNING id),
		freed AS (SELECT rl.lot_id, rl.warehouse_id, sum(rl.qty) AS qty
			FROM reservation_lines rl JOIN due ON due.id = rl.reservation_id GROUP BY 1, 2),
		upd AS (UPDATE stock s SET reserved = s.reserved - f.qty FROM freed f
			WHERE s.lot_id = f.lot_id AND s.warehouse_id = f.warehouse_id RETURNING 1)
		SELECT count(*) FROM due`, now, productID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("expire reservations: %w", err)
	}
	return n, nil
}

// ExpireReservations frees every reservation past its expiry and returns
// how many it freed. Reserve does it for its product too, and availability
// counts overdue reservations as free, so this only tidies up; run it every
// minute or so (RunReservationExpiry).
func (s *StockService) ExpireReservations(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.inTxRetry(ctx, func(tx pgx.Tx) error {
		var err error
		n, err = expireDue(ctx, tx, s.db.now().UTC(), 0)
		return err
	})
	return n, translateStock(err, "expire reservations")
}

// RunReservationExpiry calls ExpireReservations every interval until ctx ends.
func (s *StockService) RunReservationExpiry(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.ExpireReservations(ctx); err != nil && ctx.Err() == nil {
				s.db.log.WarnContext(ctx, "expire reservations", "err", err)
			} else if n > 0 {
				s.db.log.InfoContext(ctx, "reservations expired", "count", n)
			}
		}
	}
}

// endReservation moves an active reservation to state and frees its stock;
// it returns the reservation as it was.
func endReservation(ctx context.Context, tx pgx.Tx, id int64, state resource.ReservationState) (resource.Reservation, error) {
	r, err := getReservation(ctx, tx, id, true)
	if err != nil {
		return r, err
	}
	if r.State != resource.ReservationActive {
		return r, crm.Errorf(crm.KindConflict, "reservation %d is %s", id, r.State)
	}
	if _, err := tx.Exec(ctx, `UPDATE reservations SET state = $2 WHERE id = $1`, id, state); err != nil {
		return r, err
	}
	for _, l := range r.Lines {
		if _, err := tx.Exec(ctx, `UPDATE stock SET reserved = reserved - $3 WHERE lot_id = $1 AND warehouse_id = $2`,
			l.LotID, r.WarehouseID, l.Qty); err != nil {
			return r, err
		}
	}
	return r, nil
}

// ReleaseReservation cancels an active reservation.
func (s *StockService) ReleaseReservation(ctx context.Context, id int64) error {
	err := s.db.inTxRetry(ctx, func(tx pgx.Tx) error {
		_, err := endReservation(ctx, tx, id, resource.ReservationReleased)
		return err
	})
	return translateStock(err, "release reservation")
}

// FulfilReservation ships the reserved lots to the reservation's client.
func (s *StockService) FulfilReservation(ctx context.Context, id, userID int64) (resource.Reservation, error) {
	var r resource.Reservation
	err := s.db.inTxRetry(ctx, func(tx pgx.Tx) error {
		var err error
		if r, err = endReservation(ctx, tx, id, resource.ReservationFulfilled); err != nil {
			return err
		}
		now := s.db.now().UTC()
		if !r.ExpiresAt.After(now) {
			return crm.Errorf(crm.KindConflict, "reservation %d has expired", id)
		}
		for _, l := range r.Lines {
			m := resource.Movement{Kind: resource.Shipment, LotID: l.LotID, ProductID: r.ProductID, WarehouseID: r.WarehouseID,
				Qty: -l.Qty, UnitCost: l.UnitCost, ClientID: r.ClientID, Note: fmt.Sprintf("reservation %d", r.ID), At: now}
			if err := insertMovement(ctx, tx, m, userID); err != nil {
				return err
			}
		}
		r.State = resource.ReservationFulfilled
		return nil
	})
	return r, translateStock(err, "fulfil reservation")
}

// GetReservation returns one reservation with its lots.
func (s *StockService) GetReservation(ctx context.Context, id int64) (resource.Reservation, error) {
	var r resource.Reservation
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		r, err = getReservation(ctx, tx, id, false)
		return err
	})
	return r, translateStock(err, "get reservation")
}

const reservationColumns = `id, product_id, warehouse_id, qty, client_id, deal_id, ticket_id, state, expires_at, created_at`

func scanReservation(row pgx.Row) (resource.Reservation, error) {
	var r resource.Reservation
	err := row.Scan(&r.ID, &r.ProductID, &r.WarehouseID, &r.Qty, &r.ClientID, &r.DealID, &r.TicketID, &r.State, &r.ExpiresAt, &r.CreatedAt)
	return r, err
}

func getReservation(ctx context.Context, tx pgx.Tx, id int64, lock bool) (resource.Reservation, error) {
	q := `SELECT ` + reservationColumns + ` FROM reservations WHERE id = $1`
	if lock {
		q += ` FOR UPDATE`
	}
	r, err := scanReservation(tx.QueryRow(ctx, q, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, notFound("reservation", id)
	}
	if err != nil {
		return r, err
	}
	r.Lines, err = lotLines(ctx, tx, `SELECT rl.lot_id, rl.qty, l.unit_cost FROM reservation_lines rl JOIN lots l ON l.id = rl.lot_id
		WHERE rl.reservation_id = $1 ORDER BY rl.lot_id`, id)
	return r, err
}

// lotLines reads the lot lines (lot, quantity, unit cost) that query
// selects for the reservation or transfer id.
func lotLines(ctx context.Context, tx pgx.Tx, query string, id int64) ([]resource.LotQty, error) {
	rows, err := tx.Query(ctx, query, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (resource.LotQty, error) {
		var l resource.LotQty
		return l, row.Scan(&l.LotID, &l.Qty, &l.UnitCost)
	})
}

// ListReservations lists reservations, newest first (without lot lines).
func (s *StockService) ListReservations(ctx context.Context, f resource.ReservationFilter) ([]resource.Reservation, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	rows, err := s.db.pool.Query(ctx, `SELECT `+reservationColumns+` FROM reservations r
		WHERE ($2 = 0 OR product_id = $2) AND ($3 = 0 OR client_id = $3) AND (NOT $4 OR (state = 'active' AND expires_at > $5))
			AND ($7 = 0 OR ticket_id = $7) AND `+reservationOfAgent+`
		ORDER BY id DESC LIMIT $6`, f.AgentID, f.ProductID, f.ClientID, f.ActiveOnly, s.db.now().UTC(), f.Limit, f.TicketID)
	if err != nil {
		return nil, translateStock(err, "list reservations")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.Reservation, error) { return scanReservation(r) })
	return out, translateStock(err, "list reservations")
}
