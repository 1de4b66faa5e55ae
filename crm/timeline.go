package crm

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// NewNote is a note by user by (nil: nobody signed in) on a client's
// timeline at at. The body is required; an empty summary is the body's
// first line, cut at 120 characters.
func NewNote(clientID int64, summary, body string, by *int64, at time.Time) (Interaction, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return Interaction{}, Invalid("body", "is required")
	}
	summary = strings.TrimSpace(summary)
	if summary == "" {
		summary = firstLine(body, 120)
	}
	return Interaction{ClientID: clientID, Kind: InteractionNote, At: at, UserID: by, Summary: summary, Body: body}, nil
}

func firstLine(s string, max int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	r := []rune(strings.TrimSpace(s))
	if len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return string(r)
}

// TicketVisibility says which of the requests ids the user with login may
// see (the service desk's store answers it).
type TicketVisibility func(ctx context.Context, login string, ids []int64) (map[int64]bool, error)

// VisibleInteractions drops from a timeline the entries about requests
// (tickets) the signed-in user of ctx may not see, so that their subjects
// do not show where the request itself answers 404. Supervisors and
// admins, and entries about anything else, pass; with nobody signed in,
// no request entry does.
func VisibleInteractions(ctx context.Context, items []Interaction, visible TicketVisibility) ([]Interaction, error) {
	u := UserFromContext(ctx)
	if u != nil && u.Role != RoleAgent {
		return items, nil
	}
	var ids []int64
	for _, it := range items {
		if id := interactionTicket(it); id != 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return items, nil
	}
	seen := map[int64]bool{}
	if u != nil && visible != nil {
		var err error
		if seen, err = visible(ctx, u.Login, ids); err != nil {
			return nil, err
		}
	}
	out := make([]Interaction, 0, len(items))
	for _, it := range items {
		if id := interactionTicket(it); id == 0 || seen[id] {
			out = append(out, it)
		}
	}
	return out, nil
}

// interactionTicket is the request a timeline entry is about, 0 for none.
func interactionTicket(it Interaction) int64 {
	if it.RefType != "ticket" {
		return 0
	}
	id, err := strconv.ParseInt(it.RefID, 10, 64)
	if err != nil {
		return -1 // a malformed reference: hidden from agents
	}
	return id
}

// ClientService keeps clients, their contacts and timeline
// (crm/postgres.ClientService implements it).
type ClientService interface {
	// CreateClient stores a client with its contacts (phones in E.164).
	CreateClient(ctx context.Context, c *Client) error
	// GetClient returns a client with its contacts.
	GetClient(ctx context.Context, id int64) (Client, error)
	// UpdateClient saves a client's own fields (and contacts when not nil).
	UpdateClient(ctx context.Context, c *Client) error
	// DeleteClient removes a client with its contacts and timeline.
	DeleteClient(ctx context.Context, id int64) error
	// ListClients returns one page of the clients the filter selects.
	ListClients(ctx context.Context, f ClientFilter) (Page[Client], error)
	// FindClientsByPhone returns the clients with the number (E.164).
	FindClientsByPhone(ctx context.Context, e164 string) ([]Client, error)
	// AddContact adds a contact (a phone in E.164) to its client.
	AddContact(ctx context.Context, c *Contact) error
	// DeleteContact removes one contact of a client.
	DeleteContact(ctx context.Context, clientID, contactID int64) error
	// AddInteraction appends an entry to its client's timeline.
	AddInteraction(ctx context.Context, i *Interaction) error
	// Timeline returns one page of a client's timeline, newest first.
	Timeline(ctx context.Context, clientID int64, after string, limit int) (Page[Interaction], error)
}
