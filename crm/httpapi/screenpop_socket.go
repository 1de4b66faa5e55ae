package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"hotline/crm"
	"hotline/telephony/screenpop"
)

// ConsoleSocketPath is the agent console's WebSocket. It is authenticated by
// the session cookie (or a bearer token), checks Origin, and carries the
// signed-in agent's pops only; supervisors and admins may add ?agent=login
// to watch an agent's console read-only.
const ConsoleSocketPath = "/api/v1/console/socket"

type consoleSocket struct {
	opts ScreenPopDeps
	log  *slog.Logger
}

// hello is the first frame on the socket: whose pops follow.
type hello struct {
	Type     string `json:"type"` // "hello"
	Agent    string `json:"agent"`
	ReadOnly bool   `json:"read_only"`
}

func (c *consoleSocket) serve(w http.ResponseWriter, r *http.Request) {
	agent, readOnly, err := watchTarget(PrincipalFrom(r.Context()), r.URL.Query().Get("agent"))
	if err != nil {
		writeProblem(w, crm.ErrorStatus(err), err.Error())
		return
	}
	if len(r.URL.Query()["agent"]) > 1 {
		writeProblem(w, http.StatusBadRequest, "agent may be given once")
		return
	}
	// The server's read and write timeouts would otherwise stay on the
	// hijacked connection and cut every console after a few seconds.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: c.opts.OriginPatterns})
	if err != nil {
		c.log.InfoContext(r.Context(), "console socket refused", slog.Any("err", err)) // Accept answered already
		return
	}
	defer conn.CloseNow()
	ctx := conn.CloseRead(r.Context()) // the console sends nothing; this handles pings and close
	sub, err := c.opts.Hub.Subscribe(ctx, agent)
	if err != nil {
		conn.Close(websocket.StatusTryAgainLater, "pops unavailable")
		return
	}
	defer sub.Close()
	if err := c.writeJSON(ctx, conn, hello{Type: "hello", Agent: agent, ReadOnly: readOnly}); err != nil {
		return
	}
	c.pump(ctx, conn, sub)
}

// pump writes the subscription's messages until the console goes away, the
// subscription ends (slow console, hub closed) or a write fails.
func (c *consoleSocket) pump(ctx context.Context, conn *websocket.Conn, sub *screenpop.Subscription) {
	ping := time.NewTicker(c.opts.PingEvery)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, c.opts.WriteTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
		case m, ok := <-sub.C:
			if !ok {
				c.ended(ctx, conn, sub.Err())
				return
			}
			wctx, cancel := context.WithTimeout(ctx, c.opts.WriteTimeout)
			err := conn.Write(wctx, websocket.MessageText, m.Data)
			cancel()
			if err != nil {
				return
			}
			c.opts.Metrics.Delivered(m, c.opts.Now())
		}
	}
}

// ended tells the console why its feed stopped; it reconnects and catches up.
func (c *consoleSocket) ended(ctx context.Context, conn *websocket.Conn, reason error) {
	msg := "server shutting down"
	if errors.Is(reason, screenpop.ErrSlowConsumer) {
		c.opts.Metrics.Dropped()
		msg = "too slow: reconnect to catch up"
	}
	_ = c.writeJSON(ctx, conn, map[string]string{"type": "dropped", "reason": msg})
	conn.Close(websocket.StatusTryAgainLater, msg)
}

func (c *consoleSocket) writeJSON(ctx context.Context, conn *websocket.Conn, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, c.opts.WriteTimeout)
	defer cancel()
	return conn.Write(wctx, websocket.MessageText, data)
}
