package ari

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"

	"github.com/coder/websocket"
)

// errReplaced ends a session whose application another socket took over.
var errReplaced = errors.New("ari: application replaced by another WebSocket")

// maxFrame bounds one event frame; channel objects with many channelvars stay far below.
const maxFrame = 8 << 20

// Run keeps one event WebSocket to the node open until ctx is done, and
// returns nil then. Each connection: set Config.EventFilter, call
// Config.OnConnect, then hand every frame to handle in order, on Run's
// goroutine (handle must not block for long: Asterisk's events queue up
// behind it), and Config.OnIdle on the same goroutine whenever the frames
// that arrived are all handled. handle owns Message.Raw. Malformed frames are counted and
// skipped. A lost connection is retried after a capped, jittered
// exponential backoff that is reset by each successful connect.
func (c *Client) Run(ctx context.Context, handle func(Message)) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("ari: Run is already running for this client")
	}
	defer c.running.Store(false)
	bo := backoff{min: c.cfg.ReconnectMin, max: c.cfg.ReconnectMax, rand: c.cfg.Rand}
	if bo.rand == nil {
		bo.rand = rand.Float64
	}
	for {
		connected, err := c.session(ctx, handle)
		if ctx.Err() != nil {
			c.log.Info("ARI event socket stopped")
			return nil
		}
		if connected && !errors.Is(err, errReplaced) {
			bo.reset()
		}
		d := bo.next()
		c.noteError(err)
		c.log.Warn("ARI event socket down; reconnecting", "err", c.scrubString(err.Error()), "retry_in", d)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			c.log.Info("ARI event socket stopped")
			return nil
		case <-t.C:
		}
	}
}

// Connected reports whether the event WebSocket is open now.
func (c *Client) Connected() bool { return c.connected.Load() }

// session runs one connection: dial, set up, read until an error.
// connected says whether the dial succeeded.
func (c *Client) session(ctx context.Context, handle func(Message)) (connected bool, err error) {
	conn, ic, err := c.dial(ctx)
	if err != nil {
		return false, err
	}
	defer conn.CloseNow()
	conn.SetReadLimit(maxFrame)
	// OnIdle: called by the connection's reads when it has nothing to
	// read (armed after the handshake: see idleConn); without such a
	// connection, after every frame instead (correct, more calls).
	afterFrame := c.cfg.OnIdle
	if ic != nil {
		ic.onIdle, afterFrame = c.cfg.OnIdle, nil
	}
	if c.cfg.OnIdle != nil {
		// a connection that ends has nothing more to read either: the
		// frames handled since the last call are not left waiting
		defer c.cfg.OnIdle()
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.connected.Store(true)
	defer c.connected.Store(false)
	c.noteConnect()
	c.log.Info("ARI event socket connected", "app", c.cfg.App)

	if len(c.cfg.EventFilter) > 0 {
		if err := c.setFilter(ctx); err != nil {
			// Not fatal: the app then gets every event, which it can handle.
			c.log.Warn("ARI event filter not set; receiving all events", "err", err)
		}
	}
	if c.cfg.OnConnect != nil {
		c.cfg.OnConnect(ctx)
	}
	if c.cfg.PingInterval > 0 {
		go c.keepalive(ctx, conn)
	}
	// Reads use a context that is never done, so that the WebSocket library
	// arms no cancellation per frame; the session's end closes the
	// connection instead, which ends the read in progress.
	stop := context.AfterFunc(ctx, func() { conn.CloseNow() })
	defer stop()
	rctx := context.WithoutCancel(ctx)
	var buf bytes.Buffer
	for {
		typ, data, err := readFrame(rctx, conn, &buf)
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return true, fmt.Errorf("ari: read event: %w", err)
		}
		if typ != websocket.MessageText {
			c.noteMalformed()
			continue
		}
		et, err := PeekType(data)
		if err != nil {
			c.noteMalformed()
			c.log.Debug("ARI frame without event type skipped", "err", err, "bytes", len(data))
			continue
		}
		c.noteEvent(et)
		handle(Message{Node: c.cfg.Node, Type: et, Raw: data})
		if afterFrame != nil {
			afterFrame()
		}
		if et == TypeApplicationReplaced {
			// Asterisk sends this socket nothing more but does not close it.
			c.log.Warn("ARI application taken over by another WebSocket; reconnecting after backoff", "app", c.cfg.App)
			conn.Close(websocket.StatusNormalClosure, "application replaced")
			return true, errReplaced
		}
	}
}

// readFrame reads the next message through buf (reused from frame to
// frame) and returns a copy of exactly its size, which the caller owns:
// one allocation per frame where io.ReadAll makes several.
func readFrame(ctx context.Context, conn *websocket.Conn, buf *bytes.Buffer) (websocket.MessageType, []byte, error) {
	typ, r, err := conn.Reader(ctx)
	if err != nil {
		return 0, nil, err
	}
	buf.Reset()
	if _, err := buf.ReadFrom(r); err != nil {
		return 0, nil, err
	}
	return typ, bytes.Clone(buf.Bytes()), nil
}

// setFilter sets Config.EventFilter. Asterisk registers the application
// only after the WebSocket upgrade has been answered, so a PUT sent at once
// can meet a 404: it is retried a few times, briefly.
func (c *Client) setFilter(ctx context.Context) error {
	delay := 10 * time.Millisecond
	for attempt := 1; ; attempt++ {
		_, err := c.Applications().SetEventFilter(ctx, c.cfg.App, EventFilter{Allowed: c.cfg.EventFilter})
		if err == nil || !IsNotFound(err) || attempt == 6 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay *= 2
	}
}

// dial opens the event WebSocket with basic auth (never api_key in the URL,
// which would end up in access logs). With Config.OnIdle it also returns
// the connection under the WebSocket, wrapped to tell when it is idle (nil
// when the HTTP client's transport cannot be wrapped).
func (c *Client) dial(ctx context.Context) (*websocket.Conn, *idleConn, error) {
	dctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	q := url.Values{"app": {c.cfg.App}, "subscribeAll": {"true"}}
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.cfg.User+":"+c.cfg.Password)))
	hc, dialled := c.eventHTTPClient()
	conn, resp, err := websocket.Dial(dctx, c.ws+"?"+q.Encode(), &websocket.DialOptions{
		HTTPClient: hc,
		HTTPHeader: h,
	})
	if err != nil {
		if resp != nil && resp.StatusCode >= 300 {
			return nil, nil, &Error{Op: "events.connect", Path: "/events", Status: resp.StatusCode,
				Message: http.StatusText(resp.StatusCode)}
		}
		return nil, nil, fmt.Errorf("ari: connect events: %w", c.scrub(err))
	}
	return conn, dialled(), nil
}

// keepalive pings the peer; a ping without pong closes the connection, which
// ends the read loop.
func (c *Client) keepalive(ctx context.Context, conn *websocket.Conn) {
	t := time.NewTicker(c.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				c.log.Warn("ARI event socket ping failed; closing", "err", err)
				conn.CloseNow()
				return
			}
		}
	}
}

// backoff is a capped exponential backoff with jitter, after tailscale's
// logtail/backoff: the n-th retry waits a random time in [d/2, d), where
// d = min·2^(n-1) capped at max.
type backoff struct {
	min, max time.Duration
	rand     func() float64
	n        int
}

func (b *backoff) reset() { b.n = 0 }

func (b *backoff) next() time.Duration {
	d := b.min
	for i := 0; i < b.n && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	b.n++
	return d/2 + time.Duration(b.rand()*float64(d/2))
}
