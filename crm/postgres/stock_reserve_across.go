package postgres

import (
	"context"
	"sort"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/resource"
)

// ReserveAcross reserves in.Qty of a product from every warehouse that has
// it free, the warehouse with the most free stock first, its lots chosen
// as Reserve chooses them (FIFO/FEFO): one reservation per warehouse used,
// all in one transaction, so either the whole quantity is held or nothing.
// in.WarehouseID is ignored.
func (s *StockService) ReserveAcross(ctx context.Context, in resource.ReserveInput) ([]resource.Reservation, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := s.db.now().UTC()
	var out []resource.Reservation
	err := s.db.inTxRetry(ctx, func(tx pgx.Tx) error {
		out = nil
		method, err := costMethod(ctx, tx, in.ProductID)
		if err != nil {
			return err
		}
		if _, err := expireDue(ctx, tx, now, in.ProductID); err != nil {
			return err
		}
		cands, err := lockCandidates(ctx, tx, in.ProductID, 0, 0, false)
		if err != nil {
			return err
		}
		need := in.Qty
		for _, wh := range byMostFree(cands) {
			if need == 0 {
				break
			}
			var free int64
			for _, c := range cands[wh] {
				free += c.Free
			}
			take := min(need, free)
			lines, short := resource.Allocate(method, cands[wh], take, resource.DateOf(now))
			if take -= short; take <= 0 {
				continue // only expired lots here
			}
			r := resource.Reservation{ProductID: in.ProductID, WarehouseID: wh, Qty: take, ClientID: in.ClientID, DealID: in.DealID,
				TicketID: in.TicketID, State: resource.ReservationActive, ExpiresAt: now.Add(in.TTL), CreatedAt: now, Lines: lines}
			if err := insertReservation(ctx, tx, &r, in.UserID); err != nil {
				return err
			}
			out = append(out, r)
			need -= take
		}
		if need > 0 {
			return crm.Errorf(crm.KindConflict, "only %d of %d free to reserve across warehouses", in.Qty-need, in.Qty)
		}
		return nil
	})
	if err != nil {
		return nil, translateStock(err, "reserve across warehouses")
	}
	return out, nil
}

// byMostFree orders warehouses by free stock, most first (then by ID).
func byMostFree(cands map[int64][]resource.Candidate) []int64 {
	free := map[int64]int64{}
	var whs []int64
	for wh, cs := range cands {
		whs = append(whs, wh)
		for _, c := range cs {
			free[wh] += c.Free
		}
	}
	sort.Slice(whs, func(i, j int) bool {
		if free[whs[i]] != free[whs[j]] {
			return free[whs[i]] > free[whs[j]]
		}
		return whs[i] < whs[j]
	})
	return whs
}
