// Package notify tells people about their requests: customers by e-mail or
// SMS when a request opens or changes status, staff in the app and by
// e-mail when a request is escalated, breached, assigned to them or
// answered by the customer. Messages wait in a durable outbox (crm/postgres)
// and a Dispatcher delivers them through the Mailer and SMS senders it is
// given (crm/smtp, crm/sms), retrying with exponential backoff, so an outage
// delays a message and never loses it. Staff's in-app notices (Notices)
// ring a Bell, which wakes every open bell of the user on this replica.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"hotline/crm"
)

// Channel is how a message travels.
type Channel string

// The channels.
const (
	ChannelEmail Channel = "email"
	ChannelSMS   Channel = "sms"
)

// State is where a message is in the outbox.
type State string

// The outbox states.
const (
	StatePending State = "pending" // waiting for its first or next attempt
	StateSent    State = "sent"
	StateFailed  State = "failed" // refused for good (a bad address, no sender for its channel)
)

// Preference is how a client wants to hear about their requests.
type Preference string

// The client preferences.
const (
	PreferAuto  Preference = "auto"  // e-mail when they have an address, else SMS
	PreferEmail Preference = "email" // e-mail only
	PreferSMS   Preference = "sms"   // SMS only
	PreferNone  Preference = "none"  // opted out
)

// Preferences lists every preference.
var Preferences = []Preference{PreferAuto, PreferEmail, PreferSMS, PreferNone}

// Valid reports whether p is a known preference.
func (p Preference) Valid() bool { return slices.Contains(Preferences, p) }

// Message is one e-mail or SMS in the outbox. A templated message (Template
// set) is rendered when it is sent, in Lang with Args; Subject and Body then
// keep what went out. A typed message (an agent's e-mail) has them from the
// start.
type Message struct {
	ID        int64
	Channel   Channel
	To        string // an e-mail address or an E.164 number
	Template  string
	Lang      string
	Args      map[string]string
	Subject   string
	Body      string
	TicketID  *int64
	UserID    *int64 // a staff recipient
	State     State
	Attempts  int
	NextAt    time.Time
	LastError string
	CreatedAt time.Time
	SentAt    *time.Time
}

// Email is an e-mail ready to send.
type Email struct {
	To        string
	Subject   string
	Body      string
	MessageID string // without angle brackets; lets receivers drop a duplicate
	// References threads the e-mail with earlier ones about the same
	// request (without angle brackets).
	References string
}

// Validate checks the address and that header fields are one line.
func (m Email) Validate() error {
	if _, err := mail.ParseAddress(m.To); err != nil {
		return crm.Invalid("to", "not an e-mail address")
	}
	if strings.ContainsAny(m.Subject+m.To+m.MessageID+m.References, "\r\n") {
		return crm.Invalid("subject", "must be one line")
	}
	return nil
}

// Mailer sends one e-mail (crm/smtp). An error wrapping ErrPermanent means
// retrying cannot help.
type Mailer interface {
	Send(ctx context.Context, m Email) error
}

// SMSSender sends one text message to an E.164 number (crm/sms). An error
// wrapping ErrPermanent means retrying cannot help.
type SMSSender interface {
	SendSMS(ctx context.Context, number, text string) error
}

// ErrPermanent marks a failure retrying cannot fix: the message is failed.
var ErrPermanent = errors.New("permanent failure")

// Permanent wraps err so that the Dispatcher gives up on the message.
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }

// Template is the wording of one notification in one language. Body (and
// Subject, for e-mails) may hold placeholders: {number} (the request's
// number), {subject}, {status} (in words), {link} (the public status page
// for customers, the request in Hotline for staff), {level} (escalations).
type Template struct {
	Key     string
	Lang    string
	Subject string
	Body    string
	// Custom is true when an admin changed the catalogue's wording.
	Custom    bool
	UpdatedAt time.Time
}

// The templates, by key. Customer templates go by e-mail (subject and body)
// or, with the _sms suffix, by SMS (body only); staff templates by e-mail.
const (
	TemplateOpened       = "customer_opened"
	TemplateStatus       = "customer_status"
	TemplateOpenedSMS    = "customer_opened_sms"
	TemplateStatusSMS    = "customer_status_sms"
	TemplateEscalation   = "staff_escalation"
	TemplateBreach       = "staff_breach"
	TemplateAssigned     = "staff_assigned"
	TemplateCustomerMail = "staff_reply"
)

// Templates lists every template key in the order the admin page shows them.
var Templates = []string{TemplateOpened, TemplateStatus, TemplateOpenedSMS, TemplateStatusSMS,
	TemplateEscalation, TemplateBreach, TemplateAssigned, TemplateCustomerMail}

// Placeholders lists the placeholders a template may use.
var Placeholders = []string{"{number}", "{subject}", "{status}", "{link}", "{level}"}

// IsSMS reports whether the template key is an SMS text (no subject).
func IsSMS(key string) bool { return strings.HasSuffix(key, "_sms") }

// Validate checks an admin's template.
func (t *Template) Validate() error {
	t.Subject, t.Body = strings.TrimSpace(t.Subject), strings.TrimSpace(t.Body)
	switch {
	case !slices.Contains(Templates, t.Key):
		return crm.Invalid("key", "is not a known template")
	case t.Lang == "" || len(t.Lang) != 2:
		return crm.Invalid("lang", "must be a two-letter language code")
	case t.Body == "":
		return crm.Invalid("body", "is required")
	case len(t.Body) > 10000:
		return crm.Invalid("body", "must be at most 10000 characters")
	case strings.ContainsAny(t.Subject, "\r\n"):
		return crm.Invalid("subject", "must be one line")
	case len(t.Subject) > 300:
		return crm.Invalid("subject", "must be at most 300 characters")
	case !IsSMS(t.Key) && t.Subject == "":
		return crm.Invalid("subject", "is required for an e-mail")
	case strings.HasPrefix(t.Key, "customer_") && !strings.Contains(t.Body, "{link}"):
		return crm.Invalid("body", "must contain {link}, the customer's status page")
	case !IsSMS(t.Key) && !strings.Contains(t.Subject, "[#{number}]"):
		return crm.Invalid("subject", "must contain [#{number}], which threads replies into the request")
	}
	if !validText(t.Subject) || !validText(t.Body) {
		return crm.Invalid("body", "contains invalid characters")
	}
	return nil
}

func validText(s string) bool {
	return !strings.ContainsRune(s, 0) && strings.ToValidUTF8(s, "\uFFFD") == s
}

// Fill replaces the placeholders of text with args (unknown ones stay).
func Fill(text string, args map[string]string) string {
	pairs := make([]string, 0, 2*len(args))
	for k, v := range args {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(text)
}
