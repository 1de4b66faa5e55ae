package funnel

import (
	"fmt"
	"strconv"
	"strings"

	"hotline/crm"
)

// Rate is what one unit of a currency was worth in the centre's base
// currency from a day on (until the next rate of that currency), in
// millionths: 92.5 RUB per USD is 92_500_000.
type Rate struct {
	Currency string `json:"currency"`
	Day      Date   `json:"day"`
	Micros   int64  `json:"rate_micros"`
}

// RateScale is the rate's fixed point: millionths.
const RateScale = 1_000_000

// ParseRate reads a rate typed as "92.5", "92,5" or "1 234,567891" (at
// most six decimals, positive).
func ParseRate(s string) (int64, error) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", ",", ".").Replace(strings.TrimSpace(s))
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 6 || len(whole) > 9 {
		return 0, crm.Invalid("rate", "write the rate like 92,5 (at most six decimals)")
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 {
		return 0, crm.Invalid("rate", "write the rate like 92,5 (at most six decimals)")
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64); err != nil || f < 0 {
			return 0, crm.Invalid("rate", "write the rate like 92,5 (at most six decimals)")
		}
	}
	v := w*RateScale + f
	if v <= 0 {
		return 0, crm.Invalid("rate", "must be positive")
	}
	return v, nil
}

// Validate checks a rate: a three-letter code other than base, positive.
func (r *Rate) Validate(base string) error {
	r.Currency = strings.ToUpper(strings.TrimSpace(r.Currency))
	switch {
	case !isCurrency(r.Currency):
		return crm.Invalid("currency", "must be a three-letter ISO 4217 code such as RUB")
	case r.Currency == base:
		return crm.Invalid("currency", "the base currency needs no rate")
	case r.Micros <= 0:
		return crm.Invalid("rate", "must be positive")
	}
	return nil
}

// String writes the rate with up to six decimals: "92.5".
func (r Rate) String() string {
	s := fmt.Sprintf("%d.%06d", r.Micros/RateScale, r.Micros%RateScale)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}

// SalesQuery asks for won deals per period over a range: Periods periods
// of Kind (week or month) ending with the one containing Last, for the
// company (OwnerID 0) or one salesperson, amounts in Base.
type SalesQuery struct {
	FunnelID int64
	Kind     PeriodKind
	Last     Date
	Periods  int
	OwnerID  int64
	Base     string
	TimeZone string // "": the funnel settings' zone
}

// SalesPoint is one period of the sales chart: deals won, their amount in
// the base currency, the plan of contracts (the last stage's), and the
// deals whose currency had no rate yet (not in Amount).
type SalesPoint struct {
	Label       string `json:"period"`
	Start       Date   `json:"start"`
	Won         int    `json:"won"`
	Amount      Money  `json:"amount"`
	Plan        *int   `json:"plan"`
	Unconverted int    `json:"unconverted"`
}

// SalesPerson is one salesperson's total over the range.
type SalesPerson struct {
	ID          int64  `json:"salesperson_id"`
	Name        string `json:"name"`
	Won         int    `json:"won"`
	Amount      Money  `json:"amount"`
	Unconverted int    `json:"unconverted"`
}

// Sales is the sales chart's data.
type Sales struct {
	Base   string        `json:"base_currency"`
	Points []SalesPoint  `json:"points"`
	People []SalesPerson `json:"people"`
}
