// Package resource is Hotline's resource management domain: products,
// warehouses, lots and stock movements, reservations and instant
// availability; income and expense transactions with profitability
// reports; projects with tasks exchanged with Microsoft Project (MSPDI);
// and the document library's access rules and templates.
//
// Quantities are whole units (int64) and money is in minor units (kopecks,
// cents: int64), so every sum is exact. The package holds types, validation
// and pure calculations; storage lives in crm/postgres, where the database
// itself keeps the stock invariants (no negative stock, reserved never more
// than on hand) with constraints and row locks.
package resource

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"hotline/crm"
	"hotline/crm/service"
)

// CostMethod is how lots are chosen for reservations and shipments.
type CostMethod string

// Cost methods.
const (
	// FIFO takes the lots received first.
	FIFO CostMethod = "fifo"
	// FEFO takes the lots that expire first (lots without expiry last).
	FEFO CostMethod = "fefo"
)

// Product is something the company sells and keeps in stock.
type Product struct {
	ID         int64      `json:"id"`
	SKU        string     `json:"sku"`
	Name       string     `json:"name"`
	Unit       string     `json:"unit"`        // "pcs", "box", "kg"
	Price      int64      `json:"price"`       // list price in minor units
	CostMethod CostMethod `json:"cost_method"` // lot choice: fifo or fefo
	// LeadTimeDays is how long the supplier takes to deliver when stock and
	// incoming goods are short.
	LeadTimeDays int `json:"lead_time_days"`
	// Support is the support condition sold with the product ("24/7, 4h response").
	Support string `json:"support,omitempty"`
	// SupportMonths is how long support lasts after the sale (0: none).
	SupportMonths int `json:"support_months,omitempty"`
	// SupportPriority is the priority of a request about the product while
	// the client's support lasts (empty: the client's usual priority; a
	// less urgent one than the client's never lowers it).
	SupportPriority service.Priority `json:"support_priority,omitempty"`
	// SupportPlanID is the service desk's SLA plan such requests run on
	// (nil: the client's plan, else the default one).
	SupportPlanID *int64 `json:"support_plan_id,omitempty"`
	// SupportPlan is that plan's name; filled by reads.
	SupportPlan string `json:"support_plan,omitempty"`
}

// SupportEnd is when support bought on bought ends: months later (the
// zero time when months is 0: no support).
func SupportEnd(bought time.Time, months int) time.Time {
	if months <= 0 {
		return time.Time{}
	}
	return bought.AddDate(0, months, 0)
}

var skuPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Normalize trims fields and fills defaults (unit "pcs", FIFO).
func (p *Product) Normalize() {
	p.SKU = strings.TrimSpace(p.SKU)
	p.Name = strings.TrimSpace(p.Name)
	p.Unit = strings.TrimSpace(p.Unit)
	p.SupportPriority = service.Priority(strings.ToLower(strings.TrimSpace(string(p.SupportPriority))))
	if p.Unit == "" {
		p.Unit = "pcs"
	}
	if p.CostMethod == "" {
		p.CostMethod = FIFO
	}
}

// Validate checks a normalised product.
func (p Product) Validate() error {
	if err := crm.CheckText("name", p.Name, p.Unit); err != nil {
		return err
	}
	switch {
	case !skuPattern.MatchString(p.SKU):
		return crm.Invalid("sku", "must be 1-64 letters, digits, '.', '_' or '-'")
	case p.Name == "" || utf8.RuneCountInString(p.Name) > 200:
		return crm.Invalid("name", "is required (at most 200 characters)")
	case utf8.RuneCountInString(p.Unit) > 16:
		return crm.Invalid("unit", "at most 16 characters")
	case p.Price < 0 || p.Price > crm.MaxMoney:
		return crm.Invalid("price", "must be 0-%d (minor units)", int64(crm.MaxMoney))
	case p.CostMethod != FIFO && p.CostMethod != FEFO:
		return crm.Invalid("cost_method", "must be fifo or fefo")
	case p.LeadTimeDays < 0 || p.LeadTimeDays > 3650:
		return crm.Invalid("lead_time_days", "must be 0-3650")
	case p.SupportMonths < 0 || p.SupportMonths > 1200:
		return crm.Invalid("support_months", "must be 0-1200")
	case p.SupportPriority != "" && !p.SupportPriority.Valid():
		return crm.Invalid("support_priority", "must be one of critical, high, normal, low (or empty)")
	case p.SupportPlanID != nil && *p.SupportPlanID <= 0:
		return crm.Invalid("support_plan_id", "must be an SLA plan's id")
	case p.SupportMonths == 0 && (p.SupportPriority != "" || p.SupportPlanID != nil):
		return crm.Invalid("support_months", "a support priority or SLA plan needs support months (how long support lasts after the sale)")
	}
	return nil
}

// Warehouse is a place where stock is kept.
type Warehouse struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

var codePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]{0,31}$`)

// Validate checks a warehouse; Code is upper-cased first by the caller.
func (w Warehouse) Validate() error {
	if err := crm.CheckText("name", w.Name); err != nil {
		return err
	}
	if !codePattern.MatchString(w.Code) {
		return crm.Invalid("code", "must be 1-32 characters of A-Z, 0-9, '_' or '-'")
	}
	if strings.TrimSpace(w.Name) == "" || utf8.RuneCountInString(w.Name) > 200 {
		return crm.Invalid("name", "is required (at most 200 characters)")
	}
	return nil
}

// Lot is one batch of a product: received together at one unit cost.
type Lot struct {
	ID         int64     `json:"id"`
	ProductID  int64     `json:"product_id"`
	Batch      string    `json:"batch"`
	ReceivedAt time.Time `json:"received_at"`
	UnitCost   int64     `json:"unit_cost,omitzero" doc:"purchase cost in minor units; not shown to agents"`
	ExpiresOn  *Date     `json:"expires_on,omitempty"`
}

// Date is a calendar day (UTC midnight) that marshals as "2006-01-02".
type Date struct{ time.Time }

// DateOf returns the day of t in UTC.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate parses "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, crm.Errorf(crm.KindInvalid, "date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// String is the day as "2006-01-02".
func (d Date) String() string { return d.Format(time.DateOnly) }

// MarshalText writes the day as "2006-01-02".
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "2006-01-02".
func (d *Date) UnmarshalText(b []byte) error {
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}
