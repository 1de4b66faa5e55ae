package resource

import "time"

// BalanceFilter selects stock balances; zero fields match all.
type BalanceFilter struct {
	ProductID   int64
	WarehouseID int64
	NonZero     bool // only lots with stock on hand
	Limit       int
}

// ReservationFilter selects reservations; zero fields match all.
type ReservationFilter struct {
	ProductID  int64
	ClientID   int64
	TicketID   int64
	ActiveOnly bool
	Limit      int
	// AgentID restricts the list to what that agent may act on (a
	// reservation of theirs, for their deal or a request they see); 0
	// lists every reservation.
	AgentID int64
}

// TransactionFilter selects transactions; zero fields match all.
type TransactionFilter struct {
	ClientID int64
	From, To time.Time
	Limit    int
}

// DocumentFilter selects documents: a full-text query over title, tags and
// text, a category and a tag.
type DocumentFilter struct {
	Query    string
	Category DocCategory
	Tag      string
	Limit    int
}
