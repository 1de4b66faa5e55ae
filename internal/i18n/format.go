package i18n

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bojanz/currency"
	"github.com/nyaruka/phonenumbers"
)

// nbsp is the no-break space Russian uses between digit groups and before
// a currency symbol.
const nbsp = "\u00a0"

// DateTime formats t in the centre's zone: 07.12.2026 14:05 (ru),
// 7 Dec 2026 14:05 (en).
func (l *Localizer) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if l.lang == Russian {
		return t.In(l.Zone()).Format("02.01.2006 15:04")
	}
	return t.In(l.Zone()).Format("2 Jan 2006 15:04")
}

// Date formats t's day in the centre's zone: 07.12.2026 (ru), 7 Dec 2026 (en).
func (l *Localizer) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if l.lang == Russian {
		return t.In(l.Zone()).Format("02.01.2006")
	}
	return t.In(l.Zone()).Format("2 Jan 2006")
}

// Time formats t's time of day in the centre's zone: 14:05.
func (l *Localizer) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(l.Zone()).Format("15:04")
}

// separators returns the digit-group and decimal separators of the language.
func (l *Localizer) separators() (group, decimal string) {
	if l.lang == Russian {
		return nbsp, ","
	}
	return ",", "."
}

// Number formats an integer with digit groups: 1 234 567 (ru, no-break
// spaces), 1,234,567 (en).
func (l *Localizer) Number(n int64) string {
	group, _ := l.separators()
	return groupDigits(n, group)
}

// Decimal formats minor units with scale decimals: Decimal(123456789, 2) is
// 1 234 567,89 (ru), 1,234,567.89 (en).
func (l *Localizer) Decimal(minor int64, scale int) string {
	group, decimal := l.separators()
	if scale <= 0 {
		return groupDigits(minor, group)
	}
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = uint64(-(minor + 1)) + 1 // also right for math.MinInt64
	}
	digits := strconv.FormatUint(u, 10)
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	whole, frac := digits[:len(digits)-scale], digits[len(digits)-scale:]
	s := groupString(whole, group) + decimal + frac
	if neg {
		s = "-" + s
	}
	return s
}

func groupDigits(n int64, group string) string {
	if n < 0 {
		return "-" + groupString(strconv.FormatUint(uint64(-(n+1))+1, 10), group)
	}
	return groupString(strconv.FormatInt(n, 10), group)
}

func groupString(digits, group string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	first := len(digits) % 3
	if first > 0 {
		b.WriteString(digits[:first])
	}
	for i := first; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteString(group)
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// currencyDigits is the number of minor-unit digits of an ISO 4217 code.
func currencyDigits(code string) (int, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	d, ok := currency.GetDigits(code)
	if !ok {
		return 0, fmt.Errorf("unknown currency %q", code)
	}
	return int(d), nil
}

// Money formats an amount in minor units of an ISO 4217 currency with its
// CLDR symbol: 1 234,56 ₽ (ru), RUB 1,234.56 or $1,234.56 (en). An unknown
// currency is shown with its code.
func (l *Localizer) Money(minor int64, code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	digits, err := currencyDigits(code)
	if err != nil {
		return l.Decimal(minor, 2) + nbsp + code
	}
	num := l.Decimal(minor, digits)
	if l.lang == Russian {
		sym, _ := currency.GetSymbol(code, currency.NewLocale("ru"))
		return num + nbsp + sym
	}
	sym, _ := currency.GetSymbol(code, currency.NewLocale("en"))
	neg := strings.HasPrefix(num, "-")
	num = strings.TrimPrefix(num, "-")
	if len(sym) == 3 && sym == code { // a code, not a symbol: "RUB 1,234.56"
		sym += nbsp
	}
	if neg {
		return "-" + sym + num
	}
	return sym + num
}

// ErrMoney is the cause of every ParseMoney error.
var ErrMoney = errors.New("not an amount of money")

// ParseMoney reads an amount typed by a person in major units ("1 234,56",
// "1234.56", "1234", "-5,5") and returns it in minor units of the currency.
// Comma or dot is the decimal separator; spaces (also no-break) group digits;
// a trailing currency symbol or code is ignored. More decimals than the
// currency has, or an amount beyond int64, is an error.
func ParseMoney(s string, code string) (int64, error) {
	digits, err := currencyDigits(code)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrMoney, err)
	}
	t := strings.TrimSpace(s)
	for _, suffix := range []string{"₽", "руб.", "руб", "р.", strings.ToUpper(strings.TrimSpace(code))} {
		t = strings.TrimSpace(strings.TrimSuffix(t, suffix))
	}
	t = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\u2009', '\'':
			return -1
		case '\u2212': // minus sign
			return '-'
		}
		return r
	}, t)
	neg := false
	if strings.HasPrefix(t, "-") {
		neg, t = true, t[1:]
	} else {
		t = strings.TrimPrefix(t, "+")
	}
	if strings.Count(t, ",")+strings.Count(t, ".") > 1 {
		return 0, fmt.Errorf("%w: %q has more than one decimal separator", ErrMoney, s)
	}
	whole, frac, _ := strings.Cut(strings.ReplaceAll(t, ",", "."), ".")
	if whole == "" && frac == "" || !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("%w: %q: want digits with a comma or dot before the kopecks, e.g. 1 234,56", ErrMoney, s)
	}
	if len(frac) > digits {
		return 0, fmt.Errorf("%w: %q has more than %d decimals", ErrMoney, s, digits)
	}
	frac += strings.Repeat("0", digits-len(frac))
	if whole == "" {
		whole = "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q is too large", ErrMoney, s)
	}
	if neg {
		n = -n
	}
	return n, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Phone shows an E.164 number for people: +7 912 345-67-89. A value that is
// not a valid number is returned as it is.
func (l *Localizer) Phone(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return e164
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}
