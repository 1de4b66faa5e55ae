package resource

import (
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"hotline/crm"
)

// MovementKind is what a stock movement did.
type MovementKind string

// Movement kinds. A transfer is two movements: TransferOut when goods leave
// one warehouse (the transfer is then in transit) and TransferIn when they
// arrive in the other.
const (
	Receipt     MovementKind = "receipt"
	TransferOut MovementKind = "transfer_out"
	TransferIn  MovementKind = "transfer_in"
	Shipment    MovementKind = "shipment"
	WriteOff    MovementKind = "write_off"
	Adjustment  MovementKind = "adjustment"
)

// Movement is one change of stock of a lot in a warehouse. Balances are the
// sums of movements.
type Movement struct {
	ID          int64        `json:"id"`
	Kind        MovementKind `json:"kind"`
	LotID       int64        `json:"lot_id"`
	ProductID   int64        `json:"product_id"`
	WarehouseID int64        `json:"warehouse_id"`
	Qty         int64        `json:"qty"` // signed: + in, - out
	UnitCost    int64        `json:"unit_cost,omitzero" doc:"purchase cost in minor units; not shown to agents"`
	ClientID    *int64       `json:"client_id,omitempty"`
	TransferID  *int64       `json:"transfer_id,omitempty"`
	Note        string       `json:"note,omitempty"`
	At          time.Time    `json:"at"`
	UserID      *int64       `json:"user_id,omitempty"`
}

// ReceiptInput receives a new lot into a warehouse.
type ReceiptInput struct {
	ProductID   int64  `json:"product_id"`
	WarehouseID int64  `json:"warehouse_id"`
	Batch       string `json:"batch"`
	Qty         int64  `json:"qty"`
	UnitCost    int64  `json:"unit_cost"`
	ExpiresOn   *Date  `json:"expires_on,omitempty"`
	Note        string `json:"note,omitempty"`
	// ExpectedID closes the expected receipt this one fulfils (optional).
	ExpectedID int64 `json:"expected_id,omitempty"`
	UserID     int64 `json:"-"` // who posted it
	// At backdates the receipt (data loaded from history, the demo); zero
	// or a time after now means now. Never read from the API.
	At time.Time `json:"-"`
}

// Validate checks a receipt.
func (r *ReceiptInput) Validate() error {
	r.Batch = strings.TrimSpace(r.Batch)
	switch {
	case r.ProductID <= 0:
		return crm.Invalid("product_id", "is required")
	case r.WarehouseID <= 0:
		return crm.Invalid("warehouse_id", "is required")
	case r.Batch == "" || utf8.RuneCountInString(r.Batch) > 64:
		return crm.Invalid("batch", "is required (at most 64 characters)")
	case r.Qty <= 0 || r.Qty > crm.MaxQty:
		return crm.Invalid("qty", "must be 1-%d", crm.MaxQty)
	case r.UnitCost < 0 || r.UnitCost > crm.MaxMoney:
		return crm.Invalid("unit_cost", "must be 0-%d (minor units)", int64(crm.MaxMoney))
	}
	return nil
}

// OutInput takes stock out of a warehouse: a shipment to a client, a
// write-off, or the first half of a transfer. LotID picks the lot; zero
// lets the product's cost method (FIFO/FEFO) choose among free stock.
type OutInput struct {
	ProductID   int64  `json:"product_id"`
	WarehouseID int64  `json:"warehouse_id"`
	LotID       int64  `json:"lot_id,omitempty"`
	Qty         int64  `json:"qty"`
	ClientID    *int64 `json:"client_id,omitempty"`
	Note        string `json:"note,omitempty"`
	UserID      int64  `json:"-"` // who posted it
	// At backdates the movement (data loaded from history, the demo): lots
	// expired by then are skipped; zero or a time after now means now.
	// Never read from the API.
	At time.Time `json:"-"`
}

// Validate checks an outgoing movement.
func (o OutInput) Validate() error {
	switch {
	case o.ProductID <= 0:
		return crm.Invalid("product_id", "is required")
	case o.WarehouseID <= 0:
		return crm.Invalid("warehouse_id", "is required")
	case o.Qty <= 0 || o.Qty > crm.MaxQty:
		return crm.Invalid("qty", "must be 1-%d", crm.MaxQty)
	case utf8.RuneCountInString(o.Note) > 500:
		return crm.Invalid("note", "at most 500 characters")
	}
	return nil
}

// AdjustInput corrects the counted stock of a lot (Qty is signed).
type AdjustInput struct {
	LotID       int64  `json:"lot_id"`
	WarehouseID int64  `json:"warehouse_id"`
	Qty         int64  `json:"qty"`
	Note        string `json:"note"`
	UserID      int64  `json:"-"` // who posted it
}

// Validate checks an adjustment; a reason is required.
func (a AdjustInput) Validate() error {
	switch {
	case a.LotID <= 0:
		return crm.Invalid("lot_id", "is required")
	case a.WarehouseID <= 0:
		return crm.Invalid("warehouse_id", "is required")
	case a.Qty == 0 || a.Qty > crm.MaxQty || a.Qty < -crm.MaxQty:
		return crm.Invalid("qty", "must not be zero, at most %d either way", crm.MaxQty)
	case strings.TrimSpace(a.Note) == "":
		return crm.Invalid("note", "an adjustment needs a reason")
	}
	return nil
}

// TransferState is where a transfer is.
type TransferState string

// Transfer states.
const (
	InTransit TransferState = "in_transit"
	Arrived   TransferState = "arrived"
)

// Transfer moves goods between warehouses: they leave at once and are in
// transit until Arrive.
type Transfer struct {
	ID              int64         `json:"id"`
	ProductID       int64         `json:"product_id"`
	FromWarehouseID int64         `json:"from_warehouse_id"`
	ToWarehouseID   int64         `json:"to_warehouse_id"`
	Qty             int64         `json:"qty"`
	State           TransferState `json:"state"`
	ExpectedAt      time.Time     `json:"expected_at"`
	ArrivedAt       *time.Time    `json:"arrived_at,omitempty"`
	Lines           []LotQty      `json:"lines"`
}

// TransferInput starts a transfer.
type TransferInput struct {
	ProductID       int64     `json:"product_id"`
	FromWarehouseID int64     `json:"from_warehouse_id"`
	ToWarehouseID   int64     `json:"to_warehouse_id"`
	Qty             int64     `json:"qty"`
	ExpectedAt      time.Time `json:"expected_at"`
}

// Validate checks a transfer.
func (t TransferInput) Validate() error {
	switch {
	case t.ProductID <= 0:
		return crm.Invalid("product_id", "is required")
	case t.FromWarehouseID <= 0 || t.ToWarehouseID <= 0:
		return crm.Invalid("to_warehouse_id", "both warehouses are required")
	case t.FromWarehouseID == t.ToWarehouseID:
		return crm.Invalid("to_warehouse_id", "must differ from the source warehouse")
	case t.Qty <= 0 || t.Qty > crm.MaxQty:
		return crm.Invalid("qty", "must be 1-%d", crm.MaxQty)
	case t.ExpectedAt.IsZero():
		return crm.Invalid("expected_at", "is required")
	}
	return nil
}

// LotQty is a quantity taken from one lot.
type LotQty struct {
	LotID    int64 `json:"lot_id"`
	Qty      int64 `json:"qty"`
	UnitCost int64 `json:"unit_cost,omitzero" doc:"purchase cost in minor units; not shown to agents"`
}

// Balance is the stock of one lot in one warehouse.
type Balance struct {
	LotID       int64     `json:"lot_id"`
	ProductID   int64     `json:"product_id"`
	SKU         string    `json:"sku"`
	WarehouseID int64     `json:"warehouse_id"`
	Warehouse   string    `json:"warehouse"`
	Batch       string    `json:"batch"`
	ReceivedAt  time.Time `json:"received_at"`
	ExpiresOn   *Date     `json:"expires_on,omitempty"`
	UnitCost    int64     `json:"unit_cost,omitzero" doc:"purchase cost in minor units; not shown to agents"`
	OnHand      int64     `json:"on_hand"`
	Reserved    int64     `json:"reserved"`
}

// Free is what can still be reserved or shipped.
func (b Balance) Free() int64 { return b.OnHand - b.Reserved }

// Candidate is a lot with free stock, offered to Allocate.
type Candidate struct {
	LotID      int64
	ReceivedAt time.Time
	ExpiresOn  *Date
	Free       int64
	UnitCost   int64
}

// Allocate picks lots for qty by the method: FIFO by receipt, FEFO by
// expiry (lots without expiry last, then by receipt). Lots expired before
// today are never used. It returns the lots and quantities taken and how
// much could not be covered.
func Allocate(method CostMethod, cands []Candidate, qty int64, today Date) (lines []LotQty, short int64) {
	usable := make([]Candidate, 0, len(cands))
	for _, c := range cands {
		if c.Free > 0 && (c.ExpiresOn == nil || !c.ExpiresOn.Before(today.Time)) {
			usable = append(usable, c)
		}
	}
	sort.SliceStable(usable, func(i, j int) bool { return lotBefore(method, usable[i], usable[j]) })
	for _, c := range usable {
		if qty == 0 {
			break
		}
		take := min(c.Free, qty)
		lines = append(lines, LotQty{LotID: c.LotID, Qty: take, UnitCost: c.UnitCost})
		qty -= take
	}
	return lines, qty
}

func lotBefore(method CostMethod, a, b Candidate) bool {
	if method == FEFO {
		switch {
		case a.ExpiresOn != nil && b.ExpiresOn == nil:
			return true
		case a.ExpiresOn == nil && b.ExpiresOn != nil:
			return false
		case a.ExpiresOn != nil && !a.ExpiresOn.Equal(b.ExpiresOn.Time):
			return a.ExpiresOn.Before(b.ExpiresOn.Time)
		}
	}
	if !a.ReceivedAt.Equal(b.ReceivedAt) {
		return a.ReceivedAt.Before(b.ReceivedAt)
	}
	return a.LotID < b.LotID
}
