package service

import (
	"math"
	"strings"
	"unicode/utf8"

	"hotline/crm"
)

// Work is time an agent logged on a ticket.
type Work struct {
	TicketID int64
	UserID   int64
	Minutes  int
	Note     string
}

// Validate checks the logged time.
func (w Work) Validate() error {
	if w.Minutes < 1 || w.Minutes > 1440 {
		return crm.Invalid("minutes", "must be 1-1440")
	}
	if utf8.RuneCountInString(w.Note) > 2000 || !validText(w.Note) {
		return crm.Invalid("note", "must be at most 2000 characters")
	}
	return nil
}

// Bounds of costs, in kopecks.
const (
	maxUnitPrice      = 100_000_000 * 100   // a material's unit price
	maxMaterialAmount = 1_000_000_000 * 100 // a material's amount
	// MaxHourlyRate is the largest hourly rate of a role or a user.
	MaxHourlyRate = 10_000_000 * 100
)

// Material is a product or consumable used on a ticket, at its cost.
type Material struct {
	TicketID    int64
	ProductID   *int64
	Description string
	Amount      int64 // kopecks
	// Quantity at UnitPrice (kopecks), when the price is given: Validate
	// sets Amount to their product, to the kopeck. Quantity 0 is one.
	Quantity  float64
	UnitPrice *int64
}

// Validate checks the material.
func (m *Material) Validate() error {
	m.Description = strings.TrimSpace(m.Description)
	if m.Description == "" || utf8.RuneCountInString(m.Description) > 300 || !validText(m.Description) {
		return crm.Invalid("description", "must be 1-300 characters")
	}
	if m.Quantity == 0 {
		m.Quantity = 1
	}
	if m.Quantity < 0.001 || m.Quantity > 1e6 {
		return crm.Invalid("quantity", "must be between 0.001 and 1 000 000")
	}
	if m.UnitPrice != nil {
		if *m.UnitPrice < 0 || *m.UnitPrice > maxUnitPrice {
			return crm.Invalid("unit_price", "must be between 0 and 100 000 000")
		}
		m.Amount = int64(math.Round(m.Quantity * float64(*m.UnitPrice)))
	}
	if m.Amount < 0 || m.Amount > maxMaterialAmount {
		return crm.Invalid("amount", "must be between 0 and 1 000 000 000")
	}
	return nil
}

// Cost is what serving a client (or a product) cost in a period: time on
// calls linked to its tickets and logged work, each hour at the rate of the
// role of who spent it, plus materials. Money is in kopecks.
type Cost struct {
	Tickets   int
	CallHours float64
	WorkHours float64
	Labor     int64
	Materials int64
	Total     int64
}
