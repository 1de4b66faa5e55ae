package ari

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

const (
	testUser = "hotline"
	testPass = "s3cret-Pa55"
)

// fakeARI is a hand-written ARI server: it records REST requests, answers
// them from a table, and serves /ari/events WebSockets the test can write
// frames to and drop.
type fakeARI struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	requests  []fakeRequest
	answers   map[string]fakeAnswer   // "METHOD /path" → answer
	failures  map[string][]fakeAnswer // answers given once each before answers
	conns     []*websocket.Conn
	connects  int
	wsQueries []string
	newConn   chan *websocket.Conn
	delay     time.Duration
}

type fakeRequest struct {
	Method, Path, RawQuery, Body string
	Query                        map[string][]string
}

type fakeAnswer struct {
	Status int
	Body   string
}

func newFakeARI(t *testing.T) *fakeARI {
	t.Helper()
	f := &fakeARI{t: t, answers: map[string]fakeAnswer{}, failures: map[string][]fakeAnswer{}, newConn: make(chan *websocket.Conn, 16)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		f.dropAll()
		f.srv.Close()
	})
	return f
}

// URL is the server's base URL without /ari.
func (f *fakeARI) URL() string { return f.srv.URL }

func (f *fakeARI) answer(methodPath string, status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[methodPath] = fakeAnswer{Status: status, Body: body}
}

// failFirst makes the next n requests to methodPath get status and body.
func (f *fakeARI) failFirst(methodPath string, n, status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.failures[methodPath] = append(f.failures[methodPath], fakeAnswer{Status: status, Body: body})
	}
}

func (f *fakeARI) setDelay(d time.Duration) {
	f.mu.Lock()
	f.delay = d
	f.mu.Unlock()
}

func (f *fakeARI) serve(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != testUser || pass != testPass {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message":"Authentication required"}`)
		return
	}
	if r.URL.Path == "/ari/events" {
		f.serveEvents(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/ari")
	f.mu.Lock()
	f.requests = append(f.requests, fakeRequest{Method: r.Method, Path: path, RawQuery: r.URL.RawQuery,
		Body: string(body), Query: r.URL.Query()})
	a, ok := f.answers[r.Method+" "+path]
	if q := f.failures[r.Method+" "+path]; len(q) > 0 {
		a, ok, f.failures[r.Method+" "+path] = q[0], true, q[1:]
	}
	delay := f.delay
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if !ok {
		a = fakeAnswer{Status: http.StatusNotFound, Body: `{"message":"Resource not found"}`}
	}
	if a.Body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(a.Status)
	io.WriteString(w, a.Body)
}

func (f *fakeARI) serveEvents(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	f.mu.Lock()
	f.connects++
	f.conns = append(f.conns, conn)
	f.wsQueries = append(f.wsQueries, r.URL.RawQuery)
	f.mu.Unlock()
	f.newConn <- conn
	// Read (and discard) until the client goes, so control frames are answered.
	ctx := conn.CloseRead(context.Background())
	<-ctx.Done()
}

// waitConn waits for the next accepted event socket.
func (f *fakeARI) waitConn() *websocket.Conn {
	f.t.Helper()
	select {
	case c := <-f.newConn:
		return c
	case <-time.After(5 * time.Second):
		f.t.Fatal("no event WebSocket connected within 5s")
		return nil
	}
}

// send writes one text frame to conn.
func (f *fakeARI) send(conn *websocket.Conn, frame string) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := conn.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		f.t.Fatalf("fake ARI: write frame: %v", err)
	}
}

// dropAll closes every event socket abruptly, as a restarting Asterisk would.
func (f *fakeARI) dropAll() {
	f.mu.Lock()
	conns := f.conns
	f.conns = nil
	f.mu.Unlock()
	for _, c := range conns {
		c.CloseNow()
	}
}

func (f *fakeARI) requestsTo(method, path string) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.requests {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeARI) lastRequest() fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		f.t.Fatal("fake ARI got no REST request")
	}
	return f.requests[len(f.requests)-1]
}

// newTestClient makes a client for f with fast reconnects.
func newTestClient(t *testing.T, f *fakeARI, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{URL: f.URL(), User: testUser, Password: testPass, App: "hotline",
		ReconnectMin: 10 * time.Millisecond, ReconnectMax: 80 * time.Millisecond, RequestTimeout: 2 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// eventually polls cond until it holds or 5s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
