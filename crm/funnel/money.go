package funnel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hotline/crm"
)

// Money is an amount in minor units (kopecks, cents). In JSON it is a number
// with two decimals, e.g. 1500.50; a string such as "1500.50" is accepted too.
type Money int64

// MaxMoney is the largest amount a deal may have (numeric(16,2)).
const MaxMoney Money = 99_999_999_999_999_99

// Minor is the amount in minor units, for formatters.
func (m Money) Minor() int64 { return int64(m) }

// String formats the amount with two decimals.
func (m Money) String() string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s%d.%02d", sign, int64(m)/100, int64(m)%100)
}

// MarshalJSON writes the amount as a number with two decimals.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalJSON reads a number or a string with at most two decimals.
func (m *Money) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	v, err := ParseMoney(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseMoney reads "1500", "1500.5" or "1500.50" (a comma works as the
// decimal separator too).
func ParseMoney(s string) (Money, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 14 || (hasFrac && (len(frac) == 0 || len(frac) > 2)) {
		return 0, crm.Invalid("amount", "must be a number with at most two decimals, e.g. 1500.50")
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || strings.HasPrefix(whole, "+") {
		return 0, crm.Invalid("amount", "must be a non-negative number with at most two decimals")
	}
	var f int64
	if hasFrac {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil || f < 0 || strings.HasPrefix(frac, "+") {
			return 0, crm.Invalid("amount", "must be a number with at most two decimals")
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	return Money(w*100 + f), nil
}

// Amount is a sum of money in one currency.
type Amount struct {
	Currency string `json:"currency"`
	Amount   Money  `json:"amount"`
}

// Date is a calendar date without a time or zone ("2026-11-27" in JSON).
type Date struct{ Year, Month, Day int }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, crm.Errorf(crm.KindInvalid, "%q is not a date (YYYY-MM-DD)", s)
	}
	return DateOf(t), nil
}

// DateOf is t's calendar date in t's location.
func DateOf(t time.Time) Date { return Date{t.Year(), int(t.Month()), t.Day()} }

// In is midnight of the date in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, loc)
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return crm.Invalid("date", "must be a string YYYY-MM-DD")
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
