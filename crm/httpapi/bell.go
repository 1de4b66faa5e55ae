package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"hotline/crm/notify"
	"hotline/internal/i18n"
)

// NotificationSocketPath is the bell's WebSocket: it sends the signed-in
// user's unread count on connect and again whenever they get a notice or
// read one (on any replica). It checks the session and Origin.
const NotificationSocketPath = "/api/v1/notifications/socket"

// UnreadCounter counts a user's unread notices (notify.Notices has it).
type UnreadCounter interface {
	UnreadNotifications(ctx context.Context, userID int64) (int, error)
}

// BellDeps are what the bell's socket needs.
type BellDeps struct {
	Notices UnreadCounter
	// Bell is woken for a user who gets or reads a notice (cmd wakes it
	// from notify.Notices.ListenNotifications).
	Bell           *notify.Bell
	OriginPatterns []string      // extra origins allowed besides the page's own host
	PingEvery      time.Duration // 25s when zero
}

// bellSocket serves the bell's WebSocket.
type bellSocket struct {
	deps BellDeps
	log  *slog.Logger
}

// RegisterBell adds the bell's WebSocket.
func RegisterBell(api *Server, deps BellDeps) {
	if deps.PingEvery <= 0 {
		deps.PingEvery = 25 * time.Second
	}
	b := bellSocket{deps: deps, log: api.log.With(slog.String("component", "bell-socket"))}
	api.router.Get(NotificationSocketPath, b.serve)
}

// serve counts the user's unread notices, then waits for the next wake (a
// notice or a read, on any replica) and counts again, until the socket
// goes away.
func (b bellSocket) serve(w http.ResponseWriter, r *http.Request) {
	p := PrincipalFrom(r.Context())
	if p == nil {
		writeProblem(w, http.StatusUnauthorized, "sign in first")
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: b.deps.OriginPatterns})
	if err != nil {
		b.log.InfoContext(r.Context(), "bell socket refused", slog.Any("err", err))
		return
	}
	defer conn.CloseNow()
	ctx := conn.CloseRead(r.Context()) // the bell sends nothing; this handles pings and close
	woken, stop := b.deps.Bell.Subscribe(p.User.ID)
	defer stop()
	ping := time.NewTicker(b.deps.PingEvery)
	defer ping.Stop()
	for {
		if !sendUnread(ctx, conn, b.deps.Notices, p.User.ID) || !awaitWake(ctx, conn, woken, ping.C) {
			return
		}
	}
}

// sendUnread writes the user's unread count; false when the socket is done.
func sendUnread(ctx context.Context, conn *websocket.Conn, notices UnreadCounter, userID int64) bool {
	n, err := notices.UnreadNotifications(ctx, userID)
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
