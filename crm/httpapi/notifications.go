package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
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

func (s *ticketsAPI) registerNotifications(api huma.API) {
	s.registerClientNotify(api)
	tags := []string{"notifications"}
	Register(api, AnyRole, huma.Operation{OperationID: "list-notifications", Method: http.MethodGet, Path: "/api/v1/notifications",
		Tags: tags, Summary: "My notices (escalations, breaches, assignments, customers' replies), unread first, with the unread count"},
		func(ctx context.Context, in *struct {
			Limit int `query:"limit" minimum:"0" maximum:"200"`
		}) (*notificationsOutput, error) {
			me := PrincipalFrom(ctx).User.ID
			list, err := s.store.Notifications(ctx, me, in.Limit)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &notificationsOutput{}
			if out.Body.Unread, err = s.store.UnreadNotifications(ctx, me); err != nil {
				return nil, s.problem(ctx, err)
			}
			l := i18n.FromContext(ctx)
			out.Body.Items = make([]NotificationJSON, 0, len(list))
			for _, n := range list {
				out.Body.Items = append(out.Body.Items, NotificationJSON{ID: n.ID, TicketID: n.TicketID, Kind: n.Kind,
					Text: notify.NoticeText(l, n), Subject: n.Subject, At: n.At, ReadAt: n.ReadAt})
				out.Body.Items[len(out.Body.Items)-1].Body = out.Body.Items[len(out.Body.Items)-1].Text
			}
			return out, nil
		})
	Register(api, AnyRole, huma.Operation{OperationID: "read-notifications", Method: http.MethodPost, Path: "/api/v1/notifications/read",
		Tags: tags, Summary: "Mark my notices up to an id as read"},
		func(ctx context.Context, in *struct {
			Body struct {
				UpTo int64 `json:"up_to" minimum:"1"`
			}
		}) (*markedOutput, error) {
			me := PrincipalFrom(ctx).User.ID
			n, err := s.store.MarkNotificationsRead(ctx, me, in.Body.UpTo)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &markedOutput{}
			out.Body.Marked = n
			if out.Body.Unread, err = s.store.UnreadNotifications(ctx, me); err != nil {
				return nil, s.problem(ctx, err)
			}
			return out, nil
		})
}

type clientNotifyBody struct {
	Notify string `json:"notify" enum:"auto,email,sms,none" doc:"auto: e-mail when the client has an address, else SMS; none: opted out"`
}

type clientNotifyOutput struct{ Body clientNotifyBody }

// registerClientNotify adds how a client hears about their requests.
func (s *ticketsAPI) registerClientNotify(api huma.API) {
	tags := []string{"clients"}
	Register(api, AnyRole, huma.Operation{OperationID: "get-client-notify", Method: http.MethodGet, Path: "/api/v1/clients/{id}/notify",
		Tags: tags, Summary: "How the client hears about their requests (e-mail, SMS or not at all)"},
		func(ctx context.Context, in *struct {
			ID int64 `path:"id" minimum:"1"`
		}) (*clientNotifyOutput, error) {
			p, err := s.store.ClientNotify(ctx, in.ID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &clientNotifyOutput{Body: clientNotifyBody{Notify: string(p)}}, nil
		})
	Register(api, AnyRole, huma.Operation{OperationID: "set-client-notify", Method: http.MethodPut, Path: "/api/v1/clients/{id}/notify",
		Tags: tags, Summary: "Set how the client hears about their requests (none opts them out)"},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id" minimum:"1"`
			Body clientNotifyBody
		}) (*clientNotifyOutput, error) {
			if err := s.store.SetClientNotify(ctx, in.ID, notify.Preference(in.Body.Notify)); err != nil {
				return nil, s.problem(ctx, err)
			}
			return &clientNotifyOutput{Body: in.Body}, nil
		})
}

// NotificationSocketPath is the bell's WebSocket: it sends the signed-in
// user's unread count on connect and again whenever they get a notice or
// read one (on any replica). It checks the session and Origin.
const NotificationSocketPath = "/api/v1/notifications/socket"

// Bell wakes the bells of signed-in users: each open socket of a user has a
// one-slot channel, so wakes coalesce and never block (a woken socket
// re-counts).
type Bell struct {
	mu   sync.Mutex
	subs map[int64]map[chan struct{}]struct{}
}

// NewBell returns a Bell with no sockets.
func NewBell() *Bell { return &Bell{subs: map[int64]map[chan struct{}]struct{}{}} }

// Wake tells every open socket of userID to re-count.
func (b *Bell) Wake(userID int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs[userID] {
		select {
		case ch <- struct{}{}:
		default: // already woken
		}
	}
}

func (b *Bell) subscribe(userID int64) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	if b.subs[userID] == nil {
		b.subs[userID] = map[chan struct{}]struct{}{}
	}
	b.subs[userID][ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs[userID], ch)
		if len(b.subs[userID]) == 0 {
			delete(b.subs, userID)
		}
		b.mu.Unlock()
	}
}

// UnreadCounter counts a user's unread notices (crm/postgres.Store).
type UnreadCounter interface {
	UnreadNotifications(ctx context.Context, userID int64) (int, error)
}

// BellOptions configure the bell's socket.
type BellOptions struct {
	Store          UnreadCounter
	Bell           *Bell
	OriginPatterns []string      // extra origins allowed besides the page's own host
	PingEvery      time.Duration // 25s when zero
}

// RegisterBell adds the bell's WebSocket.
func (s *Server) RegisterBell(o BellOptions) {
	if o.PingEvery <= 0 {
		o.PingEvery = 25 * time.Second
	}
	log := s.log.With(slog.String("component", "bell-socket"))
	s.router.Get(NotificationSocketPath, func(w http.ResponseWriter, r *http.Request) {
		p := PrincipalFrom(r.Context())
		if p == nil {
			writeProblem(w, http.StatusUnauthorized, "sign in first")
			return
		}
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: o.OriginPatterns})
		if err != nil {
			log.InfoContext(r.Context(), "bell socket refused", slog.Any("err", err))
			return
		}
		defer conn.CloseNow()
		ctx := conn.CloseRead(r.Context()) // the bell sends nothing; this handles pings and close
		woken, stop := o.Bell.subscribe(p.User.ID)
		defer stop()
		ping := time.NewTicker(o.PingEvery)
		defer ping.Stop()
		// Count, then wait for the next wake (a notice or a read, on any
		// replica) and count again, until the socket goes away.
		for {
			if !sendUnread(ctx, conn, o.Store, p.User.ID) || !awaitWake(ctx, conn, woken, ping.C) {
				return
			}
		}
	})
}

// sendUnread writes the user's unread count; false when the socket is done.
func sendUnread(ctx context.Context, conn *websocket.Conn, store UnreadCounter, userID int64) bool {
	n, err := store.UnreadNotifications(ctx, userID)
	if err != nil {
		conn.Close(websocket.StatusTryAgainLater, "unavailable")
		return false
	}
	l := i18n.FromContext(ctx)
	label := l.T("notify.bell.label", nil)
	if n > 0 {
		label = l.N("notify.bell.unread", n, nil)
	}
	data, _ := json.Marshal(map[string]any{"type": "unread", "count": n, "label": label})
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return conn.Write(wctx, websocket.MessageText, data) == nil
}

// awaitWake pings the socket until the user is woken (true) or the socket
// is done (false).
func awaitWake(ctx context.Context, conn *websocket.Conn, woken <-chan struct{}, ping <-chan time.Time) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case <-woken:
			return true
		case <-ping:
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return false
			}
		}
	}
}
