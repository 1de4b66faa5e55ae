package resource

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"hotline/crm"
)

// Direction is whether money came in or went out.
type Direction string

// Directions.
const (
	Income  Direction = "income"
	Expense Direction = "expense"
)

// Transaction categories the reports know; others are allowed.
const (
	CategorySale      = "sale"
	CategoryService   = "service"
	CategoryMarketing = "marketing"
	CategoryDelivery  = "delivery"
)

// Transaction is one income or expense, tied to a client and/or a
// marketing campaign, optionally to a product, a deal or a ticket. Amount
// is positive, in minor units of Currency.
type Transaction struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Direction  Direction `json:"direction"`
	Amount     int64     `json:"amount"`
	Currency   string    `json:"currency"`
	Category   string    `json:"category"`
	ClientID   *int64    `json:"client_id,omitempty"`
	ProductID  *int64    `json:"product_id,omitempty"`
	DealID     *int64    `json:"deal_id,omitempty"`
	TicketID   *int64    `json:"ticket_id,omitempty"`
	CampaignID *int64    `json:"campaign_id,omitempty"`
	Note       string    `json:"note,omitempty"`
	UserID     int64     `json:"-"`
}

var (
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
	// categoryPattern: a word or a few in any script ("оплата услуг", "sale").
	categoryPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} _.-]{0,63}$`)
)

// Normalize upper-cases the currency (default RUB) and lower-cases the category.
func (t *Transaction) Normalize() {
	t.Currency = strings.ToUpper(strings.TrimSpace(t.Currency))
	if t.Currency == "" {
		t.Currency = "RUB"
	}
	t.Category = strings.ToLower(strings.TrimSpace(t.Category))
}

// Validate checks a normalised transaction.
func (t Transaction) Validate() error {
	if err := crm.CheckText("note", t.Note); err != nil {
		return err
	}
	switch {
	case t.Direction != Income && t.Direction != Expense:
		return crm.Invalid("direction", "must be income or expense")
	case t.Amount <= 0 || t.Amount > crm.MaxMoney:
		return crm.Invalid("amount", "must be 1-%d (minor units)", int64(crm.MaxMoney))
	case !currencyPattern.MatchString(t.Currency):
		return crm.Invalid("currency", "must be an ISO 4217 code such as RUB")
	case !categoryPattern.MatchString(t.Category):
		return crm.Invalid("category", "must be 1-64 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit (sale, оплата услуг...)")
	case t.ClientID == nil && t.CampaignID == nil:
		return crm.Invalid("client_id", "a transaction belongs to a client or a campaign")
	case t.At.IsZero():
		return crm.Invalid("at", "is required")
	case utf8.RuneCountInString(t.Note) > 500:
		return crm.Invalid("note", "at most 500 characters")
	}
	return nil
}

// MarketingCampaign is a marketing campaign whose spending and results are measured.
type MarketingCampaign struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Channel string `json:"channel"`
}

// Period is a half-open time range [From, To) and a currency for reports.
type Period struct {
	From, To time.Time
	Currency string
}

// Validate checks a report period.
func (p Period) Validate() error {
	if p.From.IsZero() || p.To.IsZero() || !p.From.Before(p.To) {
		return crm.Invalid("from", "the period needs from < to")
	}
	if !currencyPattern.MatchString(p.Currency) {
		return crm.Invalid("currency", "must be an ISO 4217 code such as RUB")
	}
	return nil
}

// Profit is revenue minus the cost of goods shipped minus the expenses
// attributed, for a client or a product over a period.
type Profit struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Revenue  int64  `json:"revenue"`
	COGS     int64  `json:"cogs"`
	Expenses int64  `json:"expenses"`
	Units    int64  `json:"units"` // units shipped
	Profit   int64  `json:"profit"`
}

// Compute sets Profit from the other figures.
func (p *Profit) Compute() { p.Profit = p.Revenue - p.COGS - p.Expenses }

// CampaignEfficiency measures a campaign's spending over a period.
type CampaignEfficiency struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Spend    int64  `json:"spend"`
	Leads    int64  `json:"leads"`
	Won      int64  `json:"won"`
	Revenue  int64  `json:"revenue"` // income from the campaign's leads
	CostLead int64  `json:"cost_per_lead"`
	CostWon  int64  `json:"cost_per_won"`
	// ReturnPct is (revenue - spend) / spend in percent; 0 without spend.
	ReturnPct float64 `json:"return_pct"`
}

// Compute sets the ratios (integer division in minor units, rounded half up).
func (c *CampaignEfficiency) Compute() {
	c.CostLead, c.CostWon, c.ReturnPct = ratio(c.Spend, c.Leads), ratio(c.Spend, c.Won), 0
	if c.Spend > 0 {
		c.ReturnPct = float64(c.Revenue-c.Spend) * 100 / float64(c.Spend)
	}
}

// ServiceCost is what service cost over a period: expenses of category
// service or tied to a ticket.
type ServiceCost struct {
	Total      int64 `json:"total"`
	Tickets    int64 `json:"tickets"`
	Clients    int64 `json:"clients"`
	PerTicket  int64 `json:"cost_per_ticket"`
	PerClient  int64 `json:"cost_per_client"`
	TicketCost int64 `json:"ticket_cost"` // the part of Total tied to tickets
}

// Compute sets the averages.
func (s *ServiceCost) Compute() {
	s.PerTicket, s.PerClient = ratio(s.TicketCost, s.Tickets), ratio(s.Total, s.Clients)
}

func ratio(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	return (a + b/2) / b
}

// ProfitCSV writes profit rows as CSV (amounts in major units, 2 decimals).
func ProfitCSV(kind string, rows []Profit) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{kind + "_id", "name", "units", "revenue", "cogs", "expenses", "profit"})
	for _, r := range rows {
		_ = w.Write([]string{strconv.FormatInt(r.ID, 10), csvText(r.Name), strconv.FormatInt(r.Units, 10),
			Major(r.Revenue), Major(r.COGS), Major(r.Expenses), Major(r.Profit)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	return buf.Bytes(), nil
}

// CampaignCSV writes campaign efficiency rows as CSV.
func CampaignCSV(rows []CampaignEfficiency) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"campaign_id", "name", "spend", "leads", "won", "revenue", "cost_per_lead", "cost_per_won", "return_pct"})
	for _, r := range rows {
		_ = w.Write([]string{strconv.FormatInt(r.ID, 10), csvText(r.Name), Major(r.Spend), strconv.FormatInt(r.Leads, 10),
			strconv.FormatInt(r.Won, 10), Major(r.Revenue), Major(r.CostLead), Major(r.CostWon), strconv.FormatFloat(r.ReturnPct, 'f', 1, 64)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	return buf.Bytes(), nil
}

// Major formats minor units as a decimal ("-12.05").
func Major(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// csvText keeps a spreadsheet from reading a cell as a formula.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ParseMajor reads an amount in major units ("1200", "1 200.5", "12,05")
// as minor units. It refuses signs, more than two decimals and amounts
// that do not fit.
func ParseMajor(s string) (int64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	s = strings.Replace(s, ",", ".", 1)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 15 || (hasFrac && (frac == "" || len(frac) > 2)) || !digitsOnly(whole) || !digitsOnly(frac) {
		return 0, crm.Invalid("amount", "write the amount like 1200.50 (at most two decimals)")
	}
	for len(frac) < 2 {
		frac += "0"
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, crm.Invalid("amount", "is too large")
	}
	return v, nil
}

func digitsOnly(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
