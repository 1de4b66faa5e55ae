package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/notify"
	"hotline/internal/i18n"
)

// NotificationJSON is a notice for the signed-in user, in their language.
type NotificationJSON struct {
	ID       int64      `json:"id"`
	TicketID int64      `json:"ticket_id"`
	Kind     string     `json:"kind" doc:"escalation, breach, assigned or reply"`
	Text     string     `json:"text"`
	Body     string     `json:"body" doc:"the same as text (the field's earlier name)"`
	Subject  string     `json:"subject" doc:"the request's subject"`
	At       time.Time  `json:"at"`
	ReadAt   *time.Time `json:"read_at,omitempty"`
}

// ClientNotifyJSON is how a client hears about their requests.
type ClientNotifyJSON struct {
	Notify string `json:"notify" enum:"auto,email,sms,none" doc:"auto: e-mail when the client has an address, else SMS; none: opted out"`
}

type notificationsInput struct {
	Limit int `query:"limit" minimum:"0" maximum:"200"`
}

type notificationsReadInput struct {
	Body struct {
		UpTo int64 `json:"up_to" minimum:"1"`
	}
}

type clientNotifyInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type clientNotifySetInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body ClientNotifyJSON
}

type notificationsOutput struct {
	Body struct {
		Unread int                `json:"unread"`
		Items  []NotificationJSON `json:"items"`
	}
}

type markedOutput struct {
	Body struct {
		Marked int `json:"marked"`
		Unread int `json:"unread"`
	}
}

type clientNotifyOutput struct{ Body ClientNotifyJSON }

// NotificationDeps are what the notification operations need.
type NotificationDeps struct {
	Notices notify.Notices
	// Notify keeps how each client wants to hear about their requests.
	Notify notify.Service
	Logger *slog.Logger // the server's when nil
}

// notificationHandlers serve the notification operations.
type notificationHandlers struct {
	notices notify.Notices
	notify  notify.Service
	log     *slog.Logger
}

// RegisterNotifications adds the signed-in user's notices (list, mark
// read) and how a client hears about their requests (read, set), for
// every role.
func RegisterNotifications(api *Server, deps NotificationDeps) {
	if deps.Logger == nil {
		deps.Logger = api.log
	}
	h := notificationHandlers{notices: deps.Notices, notify: deps.Notify, log: deps.Logger}
	a := api.API()
	clients, tags := []string{"clients"}, []string{"notifications"}
	Register(a, AnyRole, huma.Operation{OperationID: "get-client-notify", Method: http.MethodGet, Path: "/api/v1/clients/{id}/notify",
		Tags: clients, Summary: "How the client hears about their requests (e-mail, SMS or not at all)"}, h.clientNotify)
	Register(a, AnyRole, huma.Operation{OperationID: "set-client-notify", Method: http.MethodPut, Path: "/api/v1/clients/{id}/notify",
		Tags: clients, Summary: "Set how the client hears about their requests (none opts them out)"}, h.setClientNotify)
	Register(a, AnyRole, huma.Operation{OperationID: "list-notifications", Method: http.MethodGet, Path: "/api/v1/notifications",
		Tags: tags, Summary: "My notices (escalations, breaches, assignments, customers' replies), unread first, with the unread count"}, h.list)
	Register(a, AnyRole, huma.Operation{OperationID: "read-notifications", Method: http.MethodPost, Path: "/api/v1/notifications/read",
		Tags: tags, Summary: "Mark my notices up to an id as read"}, h.markRead)
}

func (h notificationHandlers) list(ctx context.Context, in *notificationsInput) (*notificationsOutput, error) {
	me := PrincipalFrom(ctx).User.ID
	list, err := h.notices.Notifications(ctx, me, in.Limit)
	if err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	out := &notificationsOutput{}
	if out.Body.Unread, err = h.notices.UnreadNotifications(ctx, me); err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	l := i18n.FromContext(ctx)
	out.Body.Items = make([]NotificationJSON, 0, len(list))
	for _, n := range list {
		text := notify.NoticeText(l, n)
		out.Body.Items = append(out.Body.Items, NotificationJSON{ID: n.ID, TicketID: n.TicketID, Kind: n.Kind,
			Text: text, Body: text, Subject: n.Subject, At: n.At, ReadAt: n.ReadAt})
	}
	return out, nil
}

func (h notificationHandlers) markRead(ctx context.Context, in *notificationsReadInput) (*markedOutput, error) {
	me := PrincipalFrom(ctx).User.ID
	n, err := h.notices.MarkNotificationsRead(ctx, me, in.Body.UpTo)
	if err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	out := &markedOutput{}
	out.Body.Marked = n
	if out.Body.Unread, err = h.notices.UnreadNotifications(ctx, me); err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	return out, nil
}

func (h notificationHandlers) clientNotify(ctx context.Context, in *clientNotifyInput) (*clientNotifyOutput, error) {
	p, err := h.notify.ClientNotify(ctx, in.ID)
	if err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	return &clientNotifyOutput{Body: ClientNotifyJSON{Notify: string(p)}}, nil
}

func (h notificationHandlers) setClientNotify(ctx context.Context, in *clientNotifySetInput) (*clientNotifyOutput, error) {
	if err := h.notify.SetClientNotify(ctx, in.ID, notify.Preference(in.Body.Notify)); err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	return &clientNotifyOutput{Body: in.Body}, nil
}
