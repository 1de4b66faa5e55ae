package phone

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"hotline/crm"
)

// NormalizeContact checks a contact as a person typed it and puts its value
// in canonical form: E.164 for phones (numbers without a country code are
// read in the normaliser's region), lower case for emails. Raw keeps the
// input. Errors are crm.KindInvalid naming the field "value" (or "kind",
// "label").
func (n Normalizer) NormalizeContact(c *crm.Contact) error {
	c.Raw = strings.TrimSpace(c.Value)
	c.Label = strings.TrimSpace(c.Label)
	switch c.Kind {
	case crm.ContactPhone:
		e, err := n.E164(c.Raw)
		if err != nil {
			return crm.Invalid("value", "%s", err.Error())
		}
		c.Value = e
	case crm.ContactEmail:
		a, err := mail.ParseAddress(c.Raw)
		if err != nil || a.Address != c.Raw {
			return crm.Invalid("value", "%q is not an email address", c.Raw)
		}
		c.Value = strings.ToLower(a.Address)
	default:
		return crm.Invalid("kind", "must be phone or email")
	}
	if utf8.RuneCountInString(c.Label) > 50 {
		return crm.Invalid("label", "must be at most 50 characters")
	}
	return nil
}
