package crm

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	e164Re          = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	emailRe         = regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$`)
	priorityCodeRe  = regexp.MustCompile(`^[A-Z0-9_]{1,16}$`)
	interactionKind = regexp.MustCompile(`^[a-z_]{1,32}$`)
)

// Validate checks a contact whose phone number is already normalised (see
// phone.Normalizer.Contact): a phone value must be E.164, an email address is
// lower-cased and must look like one.
func (c *Contact) Validate() error {
	if err := checkText("contacts", c.Value, c.Raw, c.Label); err != nil {
		return err
	}
	c.Value = strings.TrimSpace(c.Value)
	c.Label = strings.TrimSpace(c.Label)
	if utf8.RuneCountInString(c.Label) > 50 {
		return Invalid("contacts", "label must be at most 50 characters")
	}
	if utf8.RuneCountInString(c.Raw) > 100 {
		return Invalid("contacts", "raw value must be at most 100 characters")
	}
	switch c.Kind {
	case ContactPhone:
		if !e164Re.MatchString(c.Value) {
			return Invalid("contacts", "phone %q is not in E.164 form (+ and 7-15 digits)", c.Value)
		}
	case ContactEmail:
		c.Value = strings.ToLower(c.Value)
		if len(c.Value) > 254 || !emailRe.MatchString(c.Value) {
			return Invalid("contacts", "%q is not an email address", c.Value)
		}
	default:
		return Invalid("contacts", "kind must be phone or email")
	}
	if c.Raw == "" {
		c.Raw = c.Value
	}
	return nil
}

// ValidateContacts validates every contact of the client and rejects the same
// number or address listed twice.
func (c *Client) ValidateContacts() error {
	seen := make(map[string]bool, len(c.Contacts))
	for i := range c.Contacts {
		ct := &c.Contacts[i]
		if err := ct.Validate(); err != nil {
			return err
		}
		key := string(ct.Kind) + " " + ct.Value
		if seen[key] {
			return Invalid("contacts", "%s %s is listed twice", ct.Kind, ct.Value)
		}
		seen[key] = true
	}
	return nil
}

// Validate checks a timeline entry.
func (i *Interaction) Validate() error {
	if i.ClientID <= 0 {
		return Invalid("client_id", "is required")
	}
	if err := checkText("summary", i.Summary); err != nil {
		return err
	}
	if err := checkText("body", i.Body); err != nil {
		return err
	}
	if err := checkText("ref_id", i.RefType, i.RefID); err != nil {
		return err
	}
	if !interactionKind.MatchString(string(i.Kind)) {
		return Invalid("kind", "must be 1-32 characters of a-z or _")
	}
	if utf8.RuneCountInString(i.Summary) > 500 {
		return Invalid("summary", "must be at most 500 characters")
	}
	if utf8.RuneCountInString(i.Body) > 100000 {
		return Invalid("body", "must be at most 100000 characters")
	}
	if len(i.RefType) > 32 || len(i.RefID) > 200 {
		return Invalid("ref_id", "reference too long")
	}
	return nil
}

// checkText rejects text that no database column can hold (invalid UTF-8
// and NUL characters) and bidirectional overrides, which make a name read
// differently from what it is ("Trojan Source"). Everything else, any
// script, markup and SQL included, is kept verbatim.
func checkText(field string, values ...string) error {
	for _, v := range values {
		if !utf8.ValidString(v) {
			return Invalid(field, "is not valid UTF-8 text")
		}
		if strings.ContainsRune(v, 0) {
			return Invalid(field, "must not contain NUL characters")
		}
		if HasBidiControl(v) {
			return Invalid(field, "must not contain direction overrides")
		}
	}
	return nil
}

// CheckText is checkText for other packages' fields: valid UTF-8, no NUL,
// no bidirectional overrides; a KindInvalid error names field.
func CheckText(field string, values ...string) error { return checkText(field, values...) }

// ValidText reports whether s is text a name may hold (see CheckText).
func ValidText(s string) bool { return checkText("", s) == nil }

// HasBidiControl reports whether s holds a bidirectional embedding,
// override or isolate (U+202A-U+202E, U+2066-U+2069).
func HasBidiControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
	}) >= 0
}
