package resource

import (
	"sort"
	"time"

	"hotline/crm"
)

// ReservationState is a reservation's life stage.
type ReservationState string

// Reservation states. Active reservations hold stock until they expire, are
// released or are shipped (fulfilled).
const (
	ReservationActive    ReservationState = "active"
	ReservationReleased  ReservationState = "released"
	ReservationExpired   ReservationState = "expired"
	ReservationFulfilled ReservationState = "fulfilled"
)

// Reservation holds stock of a product in a warehouse for a client, a deal
// or a ticket until ExpiresAt.
type Reservation struct {
	ID          int64            `json:"id"`
	ProductID   int64            `json:"product_id"`
	WarehouseID int64            `json:"warehouse_id"`
	Qty         int64            `json:"qty"`
	ClientID    *int64           `json:"client_id,omitempty"`
	DealID      *int64           `json:"deal_id,omitempty"`
	TicketID    *int64           `json:"ticket_id,omitempty"`
	State       ReservationState `json:"state"`
	ExpiresAt   time.Time        `json:"expires_at"`
	CreatedAt   time.Time        `json:"created_at"`
	Lines       []LotQty         `json:"lines"`
}

// ReserveInput asks to reserve stock. WarehouseID zero takes the warehouse
// with the most free stock.
type ReserveInput struct {
	ProductID   int64         `json:"product_id"`
	WarehouseID int64         `json:"warehouse_id,omitempty"`
	Qty         int64         `json:"qty"`
	ClientID    *int64        `json:"client_id,omitempty"`
	DealID      *int64        `json:"deal_id,omitempty"`
	TicketID    *int64        `json:"ticket_id,omitempty"`
	TTL         time.Duration `json:"-"`
	UserID      int64         `json:"-"` // who reserved
}

// MaxReservationTTL caps how long a reservation may hold stock.
const MaxReservationTTL = 90 * 24 * time.Hour

// Validate checks a reservation request.
func (r ReserveInput) Validate() error {
	switch {
	case r.ProductID <= 0:
		return crm.Invalid("product_id", "is required")
	case r.Qty <= 0 || r.Qty > crm.MaxQty:
		return crm.Invalid("qty", "must be 1-%d", crm.MaxQty)
	case r.ClientID == nil && r.DealID == nil && r.TicketID == nil:
		return crm.Invalid("client_id", "a reservation is for a client, a deal or a ticket")
	case r.TTL <= 0 || r.TTL > MaxReservationTTL:
		return crm.Invalid("ttl_hours", "must be between 1 hour and 90 days")
	}
	return nil
}

// Incoming is stock on its way to a warehouse: an expected receipt from a
// supplier or a transfer in transit.
type Incoming struct {
	WarehouseID int64     `json:"warehouse_id"`
	Qty         int64     `json:"qty"`
	ExpectedAt  time.Time `json:"expected_at"`
	Source      string    `json:"source"` // "receipt" or "transfer"
}

// WarehouseFree is the free stock of a product in one warehouse.
type WarehouseFree struct {
	WarehouseID int64  `json:"warehouse_id"`
	Warehouse   string `json:"warehouse"`
	Free        int64  `json:"free"`
}

// Availability answers "can we deliver qty of this product, and when?".
type Availability struct {
	ProductID    int64           `json:"product_id"`
	SKU          string          `json:"sku"`
	Name         string          `json:"name"`
	Qty          int64           `json:"qty"`
	FreeNow      int64           `json:"free_now"`
	Warehouses   []WarehouseFree `json:"warehouses"`
	InStock      bool            `json:"in_stock"`           // FreeNow >= Qty
	AvailableAt  time.Time       `json:"available_at"`       // now when in stock
	Incoming     []Incoming      `json:"incoming,omitempty"` // what is on its way
	FromSupplier bool            `json:"from_supplier"`      // incoming is short: lead time applies
}

// EarliestDate says when qty can be delivered: now if free stock covers it;
// else the date by which incoming goods (in order of arrival) cover the
// shortage; else now plus the supplier lead time (and fromSupplier true).
// Incoming already overdue counts as arriving now.
func EarliestDate(now time.Time, free, qty int64, incoming []Incoming, leadTimeDays int) (at time.Time, fromSupplier bool) {
	if free >= qty {
		return now, false
	}
	in := append([]Incoming(nil), incoming...)
	sort.SliceStable(in, func(i, j int) bool { return in[i].ExpectedAt.Before(in[j].ExpectedAt) })
	have := free
	for _, x := range in {
		have += x.Qty
		if have >= qty {
			if x.ExpectedAt.Before(now) {
				return now, false
			}
			return x.ExpectedAt, false
		}
	}
	return now.AddDate(0, 0, leadTimeDays), true
}
