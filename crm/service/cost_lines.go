package service

import "time"

// WorkLine is a piece of work logged on a ticket, at the hourly rate of
// who did it (their own, else their role's).
type WorkLine struct {
	ID       int64
	UserID   int64
	UserName string
	Minutes  int
	Note     string
	At       time.Time
	Rate     int64 // kopecks per hour
	Cost     int64 // kopecks
}

// MaterialLine is a material charged to a ticket.
type MaterialLine struct {
	ID          int64
	ProductID   *int64
	Description string
	Quantity    float64
	UnitPrice   *int64 // kopecks
	Amount      int64  // kopecks
	At          time.Time
}

// TicketCost is what one ticket cost: talk time on its calls and logged
// work at the hourly rates of who spent it, plus materials (kopecks).
type TicketCost struct {
	Work         []WorkLine
	Materials    []MaterialLine
	CallHours    float64
	CallCost     int64
	WorkCost     int64
	MaterialCost int64
	Total        int64
}
