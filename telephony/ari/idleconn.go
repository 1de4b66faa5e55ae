package ari

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"syscall"
)

// The event socket tells Config.OnIdle when it has nothing more to read
// right now: the events of a burst (Asterisk sends a call's events
// together) have all been handed to the handler, and the reader is about to
// block waiting for the network. The tracker flushes its journal there,
// once per burst, instead of on a timer goroutine that the events wake.
//
// The WebSocket library reads the connection through its own buffer, so
// the place to see "nothing more" is the net.Conn under it: the event
// socket is dialled through an HTTP client whose transport wraps the
// connection it dials in an idleConn. The REST client never gets this
// wrapper.

// idleConn is the event socket's connection. Its Read first tries a read
// that does not wait; only when that finds nothing does it call onIdle and
// then wait as usual. A Read in the middle of a frame (its rest still on
// the way) finds nothing too and calls onIdle: harmless, one flush more.
// Only the event reader reads the connection once the handshake is done
// (a ping or close from another goroutine only writes), so onIdle runs on
// the reader's goroutine; it is set after the handshake, which the HTTP
// transport reads on a goroutine of its own.
type idleConn struct {
	net.Conn
	raw    syscall.RawConn // nil: not a socket; onIdle is called before every Read
	onIdle func()
}

func newIdleConn(c net.Conn) *idleConn {
	ic := &idleConn{Conn: c}
	if sc, ok := c.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			ic.raw = raw
		}
	}
	return ic
}

func (c *idleConn) Read(p []byte) (int, error) {
	if c.onIdle == nil || len(p) == 0 {
		return c.Conn.Read(p)
	}
	if c.raw == nil {
		c.onIdle()
		return c.Conn.Read(p)
	}
	switch n, st := readNow(c.raw, p); st {
	case readData:
		return n, nil
	case readEmpty:
		c.onIdle()
	}
	// nothing now (or an end or error, which the usual Read reports)
	return c.Conn.Read(p)
}

// readState is what a read that does not wait found.
type readState int

const (
	readData  readState = iota // n bytes read
	readEmpty                  // nothing to read now
	readOther                  // end of stream or an error: let the usual Read tell
)

// eventHTTPClient returns the HTTP client to dial the event socket with and
// a func that returns the connection it dialled, wrapped (nil when it
// dialled none through the wrapper: a transport other than
// *http.Transport, or one with its own TLS dialer). Each session dials
// through a client of its own, so that the connection is its own.
func (c *Client) eventHTTPClient() (*http.Client, func() *idleConn) {
	var base *http.Transport
	switch t := c.http.Transport.(type) {
	case nil:
		base, _ = http.DefaultTransport.(*http.Transport)
	case *http.Transport:
		base = t
	}
	if c.cfg.OnIdle == nil || base == nil {
		return c.http, func() *idleConn { return nil }
	}
	tr := base.Clone()
	dial := tr.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	var dialled atomic.Pointer[idleConn] // written on the transport's dialing goroutine
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		ic := newIdleConn(conn)
		dialled.Store(ic)
		return ic, nil
	}
	hc := *c.http
	hc.Transport = tr
	return &hc, dialled.Load
}
