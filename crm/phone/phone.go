// Package phone normalises telephone numbers to E.164 with libphonenumber's
// rules, so that a client is found by any way its number was written or dialled.
package phone

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"hotline/crm"
)

// Normalizer turns numbers into E.164 using a default region for numbers
// written without a country code.
type Normalizer struct {
	Region string // ISO 3166 region, e.g. "RU", "GB"
}

// E164 returns the number in E.164, or an error that says why it is not a
// valid phone number.
func (n Normalizer) E164(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fmt.Errorf("empty phone number")
	}
	if len(s) > 40 {
		return "", fmt.Errorf("phone number too long")
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	num, err := phonenumbers.Parse(s, n.region())
	if err != nil {
		return "", fmt.Errorf("%q is not a phone number: %w", raw, err)
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", fmt.Errorf("%q is not a valid phone number for region %s", raw, n.region())
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// Lookup returns the E.164 form of a number seen on a call (a caller id or a
// dialled number), or the digits as they were when it cannot be normalised
// (short extensions, withheld numbers). ok reports whether it is E.164.
func (n Normalizer) Lookup(raw string) (value string, ok bool) {
	return lookup(raw, n.E164)
}

func lookup(raw string, e164 func(string) (string, error)) (string, bool) {
	if e, err := e164(raw); err == nil {
		return e, true
	}
	return strings.TrimSpace(raw), false
}

// Digits returns only the digits of s, for searching by a part of a number.
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (n Normalizer) region() string {
	if n.Region == "" {
		return "RU"
	}
	return strings.ToUpper(n.Region)
}

// Contact normalises a phone contact's number to E.164, keeping what was
// entered in Raw, and validates the contact. The error is a crm KindInvalid
// error naming the "contacts" field.
func (n Normalizer) Contact(c *crm.Contact) error {
	if c.Kind == crm.ContactPhone {
		if c.Raw == "" {
			c.Raw = strings.TrimSpace(c.Value)
		}
		e, err := n.E164(c.Value)
		if err != nil {
			return crm.Invalid("contacts", "%v", err)
		}
		c.Value = e
	}
	return c.Validate()
}
