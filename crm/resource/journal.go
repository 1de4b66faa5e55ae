package resource

import "time"

// JournalKind is what a line of the stock journal records: a stock
// movement's kind, or "reservation".
type JournalKind string

// JournalReservation is a reservation made (its lots, in the journal).
const JournalReservation JournalKind = "reservation"

// JournalEntry is one line of the stock movement journal: a receipt,
// transfer, shipment, write-off or adjustment of a lot in a warehouse, or
// a lot reserved; with the product, the lot, who did it and when.
type JournalEntry struct {
	At          time.Time   `json:"at"`
	Kind        JournalKind `json:"kind"`
	ProductID   int64       `json:"product_id"`
	SKU         string      `json:"sku"`
	ProductName string      `json:"product_name"`
	Warehouse   string      `json:"warehouse"`
	Batch       string      `json:"batch"`
	Qty         int64       `json:"qty"` // signed for movements; reserved quantity for reservations
	UnitCost    int64       `json:"unit_cost"`
	ClientID    *int64      `json:"client_id,omitempty"`
	ClientName  string      `json:"client_name,omitempty"`
	User        string      `json:"user,omitempty"` // who; "" for the system
	Ref         int64       `json:"ref,omitempty"`  // the transfer's or reservation's number
	Note        string      `json:"note,omitempty"`
}

// JournalFilter selects journal lines: a product, a warehouse, a kind
// (zero values: all), the newest Limit (at most 500) before Before.
type JournalFilter struct {
	ProductID   int64
	WarehouseID int64
	Kind        JournalKind
	Before      time.Time
	Limit       int
}
