package service

import (
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

// Material is a product or consumable used on a ticket, at its cost.
type Material struct {
	TicketID    int64
	ProductID   *int64
	Description string
	Amount      float64
}

// Validate checks the material.
func (m *Material) Validate() error {
	m.Description = strings.TrimSpace(m.Description)
	if m.Description == "" || utf8.RuneCountInString(m.Description) > 300 || !validText(m.Description) {
		return crm.Invalid("description", "must be 1-300 characters")
	}
	if m.Amount < 0 || m.Amount > 1e9 {
		return crm.Invalid("amount", "must be between 0 and 1 000 000 000")
	}
	return nil
}

// Cost is what serving a client (or a product) cost in a period: time on
// calls linked to its tickets and logged work, each hour at the rate of the
// role of who spent it, plus materials.
type Cost struct {
	Tickets   int
	CallHours float64
	WorkHours float64
	Labor     float64
	Materials float64
	Total     float64
}
