package ari

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// restServer is an httptest server that counts the connections it accepted.
type restServer struct {
	*httptest.Server
	conns atomic.Int64
}

func newRESTServer(t *testing.T, h http.HandlerFunc) *restServer {
	t.Helper()
	s := &restServer{Server: httptest.NewUnstartedServer(h)}
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// newPoolClient is a client of url that sends REST calls over its pool.
func newPoolClient(t *testing.T, url string) *Client {
	t.Helper()
	c, err := NewClient(Config{URL: url, User: testUser, Password: testPass, App: "hotline", RequestTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if c.rest == nil {
		t.Fatal("the client does not use its REST pool")
	}
	t.Cleanup(c.rest.closeIdle)
	return c
}

func (p *restPool) idleCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// channelAnswer answers GET /ari/channels/{id} with that channel, 204 to
// POSTs, and checks the basic auth.
func channelAnswer(w http.ResponseWriter, r *http.Request) {
	if u, p, ok := r.BasicAuth(); !ok || u != testUser || p != testPass {
		http.Error(w, `{"message":"Authentication required"}`, http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/ari/channels/")
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":%q,"name":"PJSIP/1001-1","state":"Up"}`, id)
}

func TestRESTReusesOneConnection(t *testing.T) {
	srv := newRESTServer(t, channelAnswer)
	c := newPoolClient(t, srv.URL)
	ctx := context.Background()
	for i := range 20 {
		id := fmt.Sprint("c", i)
		ch, err := c.Channels().Get(ctx, id)
		if err != nil || ch.ID != id {
			t.Fatalf("get %s: %+v, %v", id, ch, err)
		}
		if err := c.Channels().Answer(ctx, id); err != nil {
			t.Fatalf("answer %s: %v", id, err)
		}
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("40 requests took %d connections, want 1", n)
	}
}

// The server closes an idle connection (Asterisk after session_keep_alive):
// the next request, even a POST, goes out on a new connection, because the
// closed one is seen as closed before anything is written to it.
func TestRESTServerClosedIdleConnection(t *testing.T) {
	var posts atomic.Int64
	srv := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		}
		channelAnswer(w, r)
	})
	c := newPoolClient(t, srv.URL)
	ctx := context.Background()
	if _, err := c.Channels().Get(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	srv.CloseClientConnections()
	waitClosed(t, c.rest)
	if err := c.Channels().Answer(ctx, "c1"); err != nil {
		t.Fatalf("answer after the server closed the idle connection: %v", err)
	}
	if _, err := c.Channels().Get(ctx, "c2"); err != nil {
		t.Fatalf("get after the server closed the idle connection: %v", err)
	}
	if n := srv.conns.Load(); n != 2 || posts.Load() != 1 {
		t.Errorf("%d connections, %d POSTs; want 2 and 1", n, posts.Load())
	}
}

// waitClosed waits until the pool's one idle connection has seen its
// server's close.
func waitClosed(t *testing.T, p *restPool) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(time.Millisecond) {
		p.mu.Lock()
		closed := len(p.idle) == 1 && !p.idle[0].live.alive()
		p.mu.Unlock()
		if closed {
			return
		}
	}
	t.Fatal("the idle connection still looks open")
}

// dropServer is a hand-written HTTP/1.1 server whose first connection
// answers one request, then reads the second and closes without answering:
// the race of a server closing an idle connection just as a request is
// sent on it. Later connections answer everything.
type dropServer struct {
	ln       net.Listener
	mu       sync.Mutex
	conns    int
	requests []string // "METHOD path", in the order read
}

func newDropServer(t *testing.T) *dropServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &dropServer{ln: ln}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns++
			first := s.conns == 1
			s.mu.Unlock()
			wg.Go(func() { s.serve(conn, first) })
		}
	})
	return s
}

func (s *dropServer) serve(conn net.Conn, first bool) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	for n := 1; ; n++ {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		s.mu.Lock()
		s.requests = append(s.requests, req.Method+" "+req.URL.Path)
		s.mu.Unlock()
		if first && n == 2 {
			return
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"id\":\"c1\"}")
	}
}

func (s *dropServer) seen() (conns int, requests []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns, append([]string(nil), s.requests...)
}

func TestRESTRetriesGETAfterCloseWithoutAnswer(t *testing.T) {
	s := newDropServer(t)
	c := newPoolClient(t, "http://"+s.ln.Addr().String())
	ctx := context.Background()
	for range 2 {
		if _, err := c.Channels().Get(ctx, "c1"); err != nil {
			t.Fatal(err)
		}
	}
	conns, reqs := s.seen()
	if conns != 2 || strings.Join(reqs, ",") != "GET /ari/channels/c1,GET /ari/channels/c1,GET /ari/channels/c1" {
		t.Errorf("%d connections, requests %v; want the second GET sent again on a second connection", conns, reqs)
	}
}

// A POST the server may have acted on is never sent twice: originate would
// ring a second phone.
func TestRESTDoesNotRetryPOSTAfterCloseWithoutAnswer(t *testing.T) {
	s := newDropServer(t)
	c := newPoolClient(t, "http://"+s.ln.Addr().String())
	ctx := context.Background()
	if _, err := c.Channels().Get(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	_, err := c.Channels().Originate(ctx, OriginateParams{Endpoint: "PJSIP/1001", App: "hotline"})
	if err == nil || StatusOf(err) != 0 {
		t.Fatalf("originate on a connection closed without an answer: %v, want a transport error", err)
	}
	if !strings.Contains(err.Error(), "channels.originate") || strings.Contains(err.Error(), testPass) {
		t.Errorf("error %q", err)
	}
	conns, reqs := s.seen()
	if conns != 1 || strings.Join(reqs, ",") != "GET /ari/channels/c1,POST /ari/channels" {
		t.Errorf("%d connections, requests %v; want the POST sent once", conns, reqs)
	}
	// The failed connection is gone; the next call dials.
	if _, err := c.Channels().Get(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
}

func TestMayRetry(t *testing.T) {
	eof, timeout := io.EOF, &net.OpError{Op: "read", Err: errTimeout{}}
	for _, tc := range []struct {
		name   string
		reused bool
		f      connFailure
		method string
		err    error
		want   bool
	}{
		{"new connection never", false, failedBeforeWriting, "GET", eof, false},
		{"nothing written, GET", true, failedBeforeWriting, "GET", eof, true},
		{"nothing written, POST", true, failedBeforeWriting, "POST", syscall.EPIPE, true},
		{"sent, closed without answer, GET", true, failedBeforeAnswer, "GET", eof, true},
		{"sent, reset without answer, GET", true, failedBeforeAnswer, "GET", syscall.ECONNRESET, true},
		{"sent, closed without answer, POST", true, failedBeforeAnswer, "POST", eof, false},
		{"sent, closed without answer, DELETE", true, failedBeforeAnswer, "DELETE", eof, false},
		{"sent, closed without answer, PUT", true, failedBeforeAnswer, "PUT", eof, false},
		{"answer begun, GET", true, failedInAnswer, "GET", io.ErrUnexpectedEOF, false},
		{"timeout, GET", true, failedBeforeAnswer, "GET", timeout, false},
	} {
		if got := mayRetry(tc.reused, tc.f, tc.method, tc.err); got != tc.want {
			t.Errorf("%s: mayRetry = %v, want %v", tc.name, got, tc.want)
		}
	}
}

type errTimeout struct{}

func (errTimeout) Error() string   { return "i/o timeout" }
func (errTimeout) Timeout() bool   { return true }
func (errTimeout) Temporary() bool { return true }

// Cancelling the caller's context ends a request the server never answers
// at once, and its connection is closed rather than reused.
func TestRESTCancelEndsHungRequest(t *testing.T) {
	serverSawClose := make(chan struct{}, 1)
	release := make(chan struct{})
	defer close(release)
	srv := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ari/channels/hung" {
			select {
			case <-r.Context().Done(): // the client closed the connection
				serverSawClose <- struct{}{}
			case <-release:
			}
			return
		}
		channelAnswer(w, r)
	})
	c := newPoolClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := c.Channels().Get(ctx, "c1"); err != nil { // a kept-alive connection
		t.Fatal(err)
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	// The server never answers "hung": only the cancel can end the request
	// (the bound is far above any machine's delay, not a speed figure).
	done := make(chan error, 1)
	go func() { _, err := c.Channels().Get(ctx, "hung"); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the cancelled request still waits for the server")
	}
	select {
	case <-serverSawClose:
	case <-time.After(10 * time.Second):
		t.Fatal("the server never saw the connection close")
	}
	if n := c.rest.idleCount(); n != 0 {
		t.Errorf("%d idle connections after the cancel, want 0", n)
	}
	if _, err := c.Channels().Get(context.Background(), "c2"); err != nil {
		t.Fatal(err)
	}
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2: the cancelled one must not be reused", n)
	}
}

func TestRESTConnectionCloseIsNotReused(t *testing.T) {
	srv := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		channelAnswer(w, r)
	})
	c := newPoolClient(t, srv.URL)
	for i := range 3 {
		if _, err := c.Channels().Get(context.Background(), fmt.Sprint("c", i)); err != nil {
			t.Fatal(err)
		}
		if n := c.rest.idleCount(); n != 0 {
			t.Fatalf("%d idle connections after Connection: close", n)
		}
	}
	if n := srv.conns.Load(); n != 3 {
		t.Errorf("%d connections for 3 requests answered Connection: close, want 3", n)
	}
}

// An answer above maxAnswer is refused, with or without a Content-Length,
// and its connection is dropped.
func TestRESTRefusesAnswerAboveBound(t *testing.T) {
	big := strings.Repeat("x", maxAnswer+1)
	srv := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ari/channels/sized":
			w.Header().Set("Content-Length", fmt.Sprint(len(big)))
			_, _ = io.WriteString(w, big)
		case "/ari/channels/chunked":
			_, _ = io.WriteString(w, big[:1024])
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, big[1024:])
		default:
			channelAnswer(w, r)
		}
	})
	c := newPoolClient(t, srv.URL)
	for i, id := range []string{"sized", "chunked"} {
		_, err := c.Channels().Get(context.Background(), id)
		if err == nil || !strings.Contains(err.Error(), "read answer: answer larger than 16 MiB") {
			t.Errorf("%s: %v, want the answer refused", id, err)
		}
		if _, err := c.Channels().Get(context.Background(), "c1"); err != nil {
			t.Fatal(err)
		}
		if n := srv.conns.Load(); n != int64(i+2) {
			t.Errorf("after %s: %d connections, want %d", id, n, i+2)
		}
	}
}

func TestRESTConcurrentRequests(t *testing.T) {
	srv := newRESTServer(t, channelAnswer)
	c := newPoolClient(t, srv.URL)
	const workers, each = 16, 30
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				ch, err := c.Channels().Get(context.Background(), id)
				if err == nil && ch.ID != id {
					err = fmt.Errorf("asked for %s, got channel %s", id, ch.ID)
				}
				if err == nil {
					err = c.Channels().Answer(context.Background(), id)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := srv.conns.Load(); n >= 2*workers*each {
		t.Errorf("%d connections for %d requests: none was reused", n, 2*workers*each)
	}
	if n := c.rest.idleCount(); n > restMaxIdle || n == 0 {
		t.Errorf("%d idle connections, want 1 to %d", n, restMaxIdle)
	}
}

// An idle connection older than restIdleTimeout is closed when next taken,
// not reused.
func TestRESTIdleTimeout(t *testing.T) {
	srv := newRESTServer(t, channelAnswer)
	c := newPoolClient(t, srv.URL)
	if _, err := c.Channels().Get(context.Background(), "c1"); err != nil {
		t.Fatal(err)
	}
	c.rest.mu.Lock()
	c.rest.idle[0].idleSince = time.Now().Add(-restIdleTimeout - time.Second)
	c.rest.mu.Unlock()
	if _, err := c.Channels().Get(context.Background(), "c2"); err != nil {
		t.Fatal(err)
	}
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2: the stale one must not be reused", n)
	}
}

// https: the pool speaks TLS with the configured roots and keeps the
// connection; by default the system's roots refuse an unknown CA.
func TestRESTOverTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(channelAnswer))
	var conns atomic.Int64
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	srv.StartTLS()
	defer srv.Close()

	untrusted := newPoolClient(t, srv.URL)
	if _, err := untrusted.Channels().Get(context.Background(), "c1"); err == nil || !strings.Contains(err.Error(), "certificate signed by unknown authority") {
		t.Errorf("untrusted certificate: %v", err)
	}

	c := newPoolClient(t, srv.URL)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	u, err := url.Parse(c.base)
	if err != nil {
		t.Fatal(err)
	}
	c.rest = newRESTPool(u, &tls.Config{RootCAs: roots})
	t.Cleanup(c.rest.closeIdle)
	conns.Store(0)
	for i := range 5 {
		id := fmt.Sprint("c", i)
		if ch, err := c.Channels().Get(context.Background(), id); err != nil || ch.ID != id {
			t.Fatalf("get %s over TLS: %+v, %v", id, ch, err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("5 requests over TLS took %d connections, want 1", n)
	}
}

// A Config.HTTPClient of the caller's keeps REST calls on net/http.
func TestRESTThroughConfiguredHTTPClient(t *testing.T) {
	srv := newRESTServer(t, channelAnswer)
	c, err := NewClient(Config{URL: srv.URL, User: testUser, Password: testPass, App: "hotline", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if c.rest != nil {
		t.Fatal("the client bypasses its configured HTTPClient")
	}
	if ch, err := c.Channels().Get(context.Background(), "c1"); err != nil || ch.ID != "c1" {
		t.Fatalf("get through net/http: %+v, %v", ch, err)
	}
}
