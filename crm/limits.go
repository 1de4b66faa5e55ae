package crm

// Bounds of the numbers Hotline stores, checked where they come in (API,
// pages) and by the domain's Validate methods, so that sums and availability
// stay far inside int64 and the database's integer columns.
const (
	// MaxMoney is the largest amount of money in minor units (10^13
	// kopecks: 100 billion roubles).
	MaxMoney = 10_000_000_000_000
	// MaxQty is the largest stock quantity of one movement, lot or
	// reservation.
	MaxQty = 1_000_000_000
	// MaxCount bounds any other count a request carries (minutes, targets,
	// positions): inside a PostgreSQL integer.
	MaxCount = 1_000_000_000
)
