package ari

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"
)

// REST requests go over a pool of kept-alive connections that the calling
// goroutine writes the request to and reads the answer from itself.
// net/http's Transport runs a reader and a writer goroutine per connection
// and hands every request and answer between them and the caller: three to
// four goroutine wake-ups per ARI request (issue 20: about a third of a
// request's CPU in BenchmarkRESTRoundTrip). Here a request costs the caller
// one wait on the network and wakes nothing else.

const (
	// maxAnswer bounds an answer's body; GET /channels on a busy node is
	// the largest (about 1 KiB per channel).
	maxAnswer = 16 << 20
	// restMaxIdle is how many idle connections a client keeps; more
	// concurrent requests dial more connections, closed when they come back
	// to a full pool. Asterisk serves each connection with a thread of its own.
	restMaxIdle = 8
	// restIdleTimeout is how long an idle connection may be reused: below
	// Asterisk's http.conf session_keep_alive (15 s by default), after which
	// Asterisk closes it.
	restIdleTimeout = 10 * time.Second
)

// errAnswerTooLarge refuses an answer body above maxAnswer.
var errAnswerTooLarge = fmt.Errorf("answer larger than %d MiB", maxAnswer>>20)

// restPool holds the idle keep-alive connections to one ARI base URL.
type restPool struct {
	addr string      // host:port to dial
	tls  *tls.Config // nil for http
	dial func(ctx context.Context, network, addr string) (net.Conn, error)

	mu   sync.Mutex
	idle []*restConn // oldest first
}

// restConn is one connection with its buffers, reused across requests.
type restConn struct {
	conn      net.Conn // what requests are written to: TCP, or TLS over TCP
	live      *liveness
	cancelIO  func() // makes pending I/O fail now; made once per conn
	br        *bufio.Reader
	bw        *bufio.Writer
	out       countingWriter // under bw: how much of a request reached the conn
	idleSince time.Time
	reused    bool // served a request before this one
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.n += int64(n)
	return n, err
}

// newRESTPool returns a pool for the base URL u; tlsConf (cloned) is used
// for https, with the host's name as ServerName when it has none.
func newRESTPool(u *url.URL, tlsConf *tls.Config) *restPool {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	p := &restPool{addr: net.JoinHostPort(u.Hostname(), port)}
	// The same dialler as net/http's DefaultTransport.
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	p.dial = d.DialContext
	if u.Scheme == "https" {
		if tlsConf == nil {
			tlsConf = &tls.Config{}
		}
		p.tls = tlsConf.Clone()
		if p.tls.ServerName == "" {
			p.tls.ServerName = u.Hostname()
		}
		// This pool speaks HTTP/1.1 only; never let ALPN pick h2.
		p.tls.NextProtos = []string{"http/1.1"}
	}
	return p
}

// connFailure is how far a failed request got on its connection, which
// decides whether it may be sent again.
type connFailure int

const (
	// failedBeforeWriting: no byte of the request reached the connection.
	failedBeforeWriting connFailure = iota
	// failedBeforeAnswer: the request was (partly) sent, no answer byte came.
	failedBeforeAnswer
	// failedInAnswer: the answer had begun, or the request failed otherwise.
	failedInAnswer
)

// mayRetry is net/http's rule (Transport's shouldRetryRequest) for sending
// a request again on a fresh connection after it failed on a kept-alive
// one: the server may have closed the idle connection just as we reused
// it. Only a reused connection qualifies, and never after a timeout or once
// the answer has begun. A request none of which was written cannot have
// been processed, so any method is retried (its body is rewound with
// GetBody). A request that was sent but got no answer byte may have been
// processed: only GET and HEAD, which change nothing, are sent again; a
// POST (originate, answer, play) or DELETE (hangup) is not, and its error
// reaches the caller, since sending it twice could originate two calls.
func mayRetry(reused bool, f connFailure, method string, err error) bool {
	var ne net.Error
	if !reused || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return false
	}
	switch f {
	case failedBeforeWriting:
		return true
	case failedBeforeAnswer:
		return method == http.MethodGet || method == http.MethodHead
	}
	return false
}

// roundTrip sends req and reads its answer (at most maxAnswer bytes); ctx
// is req's context. A body-read error is wrapped with "read answer".
func (p *restPool) roundTrip(ctx context.Context, req *http.Request) (int, []byte, error) {
	for fresh := false; ; fresh = true {
		rc, err := p.get(ctx, fresh)
		if err != nil {
			return 0, nil, ctxError(ctx, err)
		}
		status, data, keep, f, err := rc.exchange(ctx, req)
		if err == nil {
			if keep {
				p.put(rc)
			} else {
				rc.close()
			}
			return status, data, nil
		}
		rc.close()
		if ctx.Err() != nil || fresh || !mayRetry(rc.reused, f, req.Method, err) {
			return 0, nil, ctxError(ctx, err)
		}
		if req.GetBody != nil {
			if req.Body, err = req.GetBody(); err != nil {
				return 0, nil, err
			}
		}
	}
}

// aLongTimeAgo is a deadline that makes pending I/O on a connection fail now.
var aLongTimeAgo = time.Unix(1, 0)

// exchange writes req and reads its answer on rc. keep says whether rc may
// serve another request; f, with an error, how far the request got.
func (rc *restConn) exchange(ctx context.Context, req *http.Request) (status int, data []byte, keep bool, f connFailure, err error) {
	deadline, _ := ctx.Deadline() // zero: none
	if err := rc.conn.SetDeadline(deadline); err != nil {
		return 0, nil, false, failedBeforeWriting, err
	}
	// On cancel, unblock the caller's I/O; no goroutine runs unless it fires.
	stop := context.AfterFunc(ctx, rc.cancelIO)
	defer stop()

	rc.out.n = 0
	if err := req.Write(rc.bw); err != nil {
		return 0, nil, false, rc.writeFailure(), err
	}
	if err := rc.bw.Flush(); err != nil {
		return 0, nil, false, rc.writeFailure(), err
	}
	// Wait for the first answer byte apart, to tell "the server closed
	// without answering" from a broken answer.
	if _, err := rc.br.Peek(1); err != nil {
		return 0, nil, false, failedBeforeAnswer, err
	}
	resp, err := http.ReadResponse(rc.br, req)
	// Skip informational answers (103 Early Hints); we never send
	// Expect: 100-continue, and 101 has no business here.
	for err == nil && resp.StatusCode >= 100 && resp.StatusCode <= 199 && resp.StatusCode != http.StatusSwitchingProtocols {
		resp, err = http.ReadResponse(rc.br, req)
	}
	if err != nil {
		return 0, nil, false, failedInAnswer, err
	}
	data, err = readAnswer(resp.Body, resp.ContentLength)
	if err != nil {
		// Not resp.Body.Close: it would read a too-large body to its end.
		return 0, nil, false, failedInAnswer, fmt.Errorf("read answer: %w", err)
	}
	// The body was read to its end if a zero-length read says EOF (what
	// net/http's body does once it has seen the end); bytes beyond it, still
	// in br, mean the server and we disagree on where the answer ends.
	_, eof := resp.Body.Read(nil)
	keep = eof == io.EOF && resp.StatusCode >= 200 && !resp.Close && !req.Close && rc.br.Buffered() == 0
	// A cancel that fired anyway has set a past deadline: the conn is spent.
	keep = stop() && keep
	if keep {
		keep = rc.conn.SetDeadline(time.Time{}) == nil
	}
	return resp.StatusCode, data, keep, 0, nil
}

func (rc *restConn) writeFailure() connFailure {
	if rc.out.n == 0 {
		return failedBeforeWriting
	}
	return failedBeforeAnswer
}

// readAnswer reads a whole body, refusing one above maxAnswer; size is the
// announced length (-1 if unknown) to allocate once.
func readAnswer(body io.Reader, size int64) ([]byte, error) {
	if size > maxAnswer {
		return nil, errAnswerTooLarge
	}
	if size >= 0 {
		data := make([]byte, size)
		if _, err := io.ReadFull(body, data); err != nil {
			return nil, err
		}
		return data, nil
	}
	data, err := io.ReadAll(io.LimitReader(body, maxAnswer+1))
	if err == nil && len(data) > maxAnswer {
		err = errAnswerTooLarge
	}
	return data, err
}

// ctxError reports a failure caused by ctx as ctx's error, as net/http
// does; a connection deadline taken from ctx may expire a moment before
// ctx itself is marked done.
func ctxError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if d, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return err
}

// get returns an idle connection that is still open, or (with fresh, or
// when none is) a new one.
func (p *restPool) get(ctx context.Context, fresh bool) (*restConn, error) {
	for !fresh {
		p.mu.Lock()
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			break
		}
		rc := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		var stale []*restConn
		if time.Since(rc.idleSince) > restIdleTimeout {
			// The ones below are older still.
			stale, p.idle = p.idle, nil
		}
		p.mu.Unlock()
		for _, s := range stale {
			s.close()
		}
		if stale != nil {
			rc.close()
			break
		}
		if rc.live.alive() {
			rc.reused = true
			return rc, nil
		}
		rc.close()
	}
	return p.dialConn(ctx)
}

// put keeps rc for the next request, closing the oldest idle connection if
// the pool is full.
func (p *restPool) put(rc *restConn) {
	rc.idleSince = time.Now()
	p.mu.Lock()
	var evict *restConn
	if len(p.idle) >= restMaxIdle {
		evict = p.idle[0]
		n := copy(p.idle, p.idle[1:])
		p.idle[n] = nil
		p.idle = p.idle[:n]
	}
	p.idle = append(p.idle, rc)
	p.mu.Unlock()
	if evict != nil {
		evict.close()
	}
}

// closeIdle closes the idle connections.
func (p *restPool) closeIdle() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, rc := range idle {
		rc.close()
	}
}

func (p *restPool) dialConn(ctx context.Context) (*restConn, error) {
	raw, err := p.dial(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	rc := &restConn{conn: raw, live: newLiveness(raw)}
	if p.tls != nil {
		tc := tls.Client(raw, p.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = raw.Close()
			return nil, err
		}
		rc.conn = tc
	}
	rc.out.w = rc.conn
	rc.cancelIO = func() { _ = rc.conn.SetDeadline(aLongTimeAgo) }
	rc.br = bufio.NewReader(rc.conn)
	rc.bw = bufio.NewWriter(&rc.out)
	return rc, nil
}

func (rc *restConn) close() { _ = rc.conn.Close() }
