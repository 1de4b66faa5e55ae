package notify

import "context"

// Service keeps what tells people, besides the in-app Notices: the outbox
// of e-mails and SMS, admins' templates, and how each client wants to hear
// about their requests (crm/postgres).
type Service interface {
	Outbox
	TemplateStore
	// Enqueue adds a message to the outbox, due now.
	Enqueue(ctx context.Context, m Message) error
	// TicketMessages returns the e-mails and SMS about a request, newest first.
	TicketMessages(ctx context.Context, ticketID int64) ([]Message, error)
	// OutboxCounts returns how many messages are in each state.
	OutboxCounts(ctx context.Context) (map[State]int, error)

	// NotificationTemplates returns every template admins changed.
	NotificationTemplates(ctx context.Context) ([]Template, error)
	// SaveNotificationTemplate stores an admin's wording (checked first).
	SaveNotificationTemplate(ctx context.Context, t Template, by *int64) error
	// ResetNotificationTemplate goes back to the catalogue's wording.
	ResetNotificationTemplate(ctx context.Context, key, lang string) error

	// ClientNotify returns how a client wants to hear about their requests.
	ClientNotify(ctx context.Context, clientID int64) (Preference, error)
	// SetClientNotify records it (PreferNone opts the client out).
	SetClientNotify(ctx context.Context, clientID int64, p Preference) error
}
