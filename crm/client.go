package crm

import (
	"strings"
	"time"
	"unicode/utf8"
)

// ClientKind says whether a client is a person or a company.
type ClientKind string

// The client kinds.
const (
	ClientPerson  ClientKind = "person"
	ClientCompany ClientKind = "company"
)

// Client is a person or company the call centre serves.
type Client struct {
	ID       int64
	Kind     ClientKind
	Name     string
	Company  string // for a person: the company they belong to, free text
	Priority string // PriorityClass.Code
	// PriorityManual says the class was chosen by hand: reclassification
	// by the rules leaves the client alone.
	PriorityManual bool
	OwnerID        *int64 // the salesperson responsible (a user)
	Tags           []string
	Notes          string
	Language       string     // "ru" or "en" the client is spoken and written to in; "" means the centre's language
	Legal          Requisites // INN, KPP, OGRN, addresses and bank details (Russian B2B)
	Contacts       []Contact
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ContactKind is how a contact reaches the client.
type ContactKind string

// The contact kinds.
const (
	ContactPhone ContactKind = "phone"
	ContactEmail ContactKind = "email"
)

// Contact is one phone number or email address of a client. Phone values are
// stored in E.164; Raw keeps the number as it was entered.
type Contact struct {
	ID       int64
	ClientID int64
	Kind     ContactKind
	Value    string // E.164 for phones, lower-cased for emails
	Raw      string
	Label    string // "mobile", "office", ...
}

// Validate checks and tidies the client's own fields (contacts are validated
// separately because phone numbers need a region to normalise).
func (c *Client) Validate() error {
	for _, f := range []struct{ name, value string }{
		{"name", c.Name}, {"company", c.Company}, {"notes", c.Notes}, {"priority", c.Priority},
	} {
		if err := checkText(f.name, f.value); err != nil {
			return err
		}
	}
	if err := checkText("tags", c.Tags...); err != nil {
		return err
	}
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return Invalid("name", "is required")
	}
	if utf8.RuneCountInString(c.Name) > 300 {
		return Invalid("name", "must be at most 300 characters")
	}
	if err := validateLanguage(&c.Language); err != nil {
		return err
	}
	if err := c.Legal.Validate(); err != nil {
		return err
	}
	if c.Kind == "" {
		c.Kind = ClientPerson
	}
	if c.Kind != ClientPerson && c.Kind != ClientCompany {
		return Invalid("kind", "must be person or company")
	}
	if utf8.RuneCountInString(c.Company) > 300 {
		return Invalid("company", "must be at most 300 characters")
	}
	if utf8.RuneCountInString(c.Notes) > 20000 {
		return Invalid("notes", "must be at most 20000 characters")
	}
	if len(c.Tags) > 50 {
		return Invalid("tags", "at most 50 tags")
	}
	for _, t := range c.Tags {
		if strings.TrimSpace(t) == "" || utf8.RuneCountInString(t) > 50 {
			return Invalid("tags", "each tag must be 1-50 characters")
		}
	}
	return nil
}

// ClientFilter selects clients. Zero values select everything.
type ClientFilter struct {
	Query    string // matches name, company, or a part of a phone number / email
	Priority string
	OwnerID  *int64
	Tag      string
	After    string // opaque cursor from a previous page
	Limit    int
}

// InteractionKind is the type of an entry on a client's timeline.
type InteractionKind string

// The interaction kinds known so far; later modules add theirs.
const (
	InteractionCall   InteractionKind = "call"
	InteractionNote   InteractionKind = "note"
	InteractionEmail  InteractionKind = "email"
	InteractionTicket InteractionKind = "ticket"
	InteractionSurvey InteractionKind = "survey"
	InteractionSale   InteractionKind = "purchase"
)

// Interaction is one entry on a client's timeline.
type Interaction struct {
	ID        int64
	ClientID  int64
	Kind      InteractionKind
	At        time.Time
	UserID    *int64 // who did it, if a user
	Summary   string
	Body      string
	RefType   string // "call", "ticket", ... the entity this entry points at
	RefID     string
	CreatedAt time.Time
}

// Page is one page of a list with the cursor for the next one ("" at the end).
type Page[T any] struct {
	Items []T
	Next  string
}
