package ari

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hotline/telephony/ari/aritest/transcripts"
)

// collector gathers the messages handed to Run's handler.
type collector struct {
	mu   sync.Mutex
	msgs []Message
}

func (c *collector) handle(m Message) {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
}

func (c *collector) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.msgs)
}

func (c *collector) types() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.msgs {
		out = append(out, m.Type)
	}
	return out
}

// startRun runs c.Run in the background; the returned stop cancels it and
// checks that it returned nil.
func startRun(t *testing.T, c *Client, handle func(Message)) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, handle) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run returned %v after cancel", err)
				}
			case <-time.After(5 * time.Second):
				t.Error("Run did not return within 5s of cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func TestRunReconnectsAfterDrop(t *testing.T) {
	f := newFakeARI(t)
	f.answer("PUT /applications/hotline/eventFilter", 200, `{"name":"hotline"}`)
	var onConnect atomic.Int32
	var col collector
	c := newTestClient(t, f, func(cfg *Config) {
		cfg.Node = "pbx1"
		cfg.EventFilter = []string{TypeChannelCreated, TypeDial}
		cfg.OnConnect = func(context.Context) { onConnect.Add(1) }
	})
	if c.Connected() {
		t.Fatal("Connected before Run")
	}
	stop := startRun(t, c, col.handle)

	conn := f.waitConn()
	eventually(t, "OnConnect", func() bool { return onConnect.Load() == 1 })
	if !c.Connected() {
		t.Error("not Connected after connect")
	}
	// The filter was PUT before OnConnect ran.
	puts := f.requestsTo("PUT", "/applications/hotline/eventFilter")
	if len(puts) != 1 || puts[0].Body != `{"allowed":[{"type":"ChannelCreated"},{"type":"Dial"}],"disallowed":[]}` {
		t.Fatalf("event filter requests: %+v", puts)
	}
	q, _ := url.ParseQuery(f.wsQueries[0])
	if q.Get("app") != "hotline" || q.Get("subscribeAll") != "true" || q.Has("api_key") {
		t.Errorf("event socket query %q", f.wsQueries[0])
	}

	lines := loadTranscripts(t, "sip-inbound-direct.jsonl")[:5]
	for _, l := range lines {
		f.send(conn, string(l.raw))
	}
	f.send(conn, `not json`)
	f.send(conn, `{"type":"ChannelFrobnicated","application":"hotline"}`)
	eventually(t, "first frames", func() bool { return col.len() == 6 })

	f.dropAll()
	conn = f.waitConn()
	eventually(t, "second OnConnect", func() bool { return onConnect.Load() == 2 })
	if n := len(f.requestsTo("PUT", "/applications/hotline/eventFilter")); n != 2 {
		t.Errorf("event filter set %d times over two connects", n)
	}
	f.send(conn, string(lines[0].raw))
	eventually(t, "frame after reconnect", func() bool { return col.len() == 7 })

	col.mu.Lock()
	for i, m := range col.msgs[:5] {
		if m.Node != "pbx1" || string(m.Raw) != string(lines[i].raw) {
			t.Errorf("message %d: node %q raw %.60s", i, m.Node, m.Raw)
		}
		if _, err := m.Decode(); err != nil {
			t.Errorf("message %d does not decode: %v", i, err)
		}
	}
	col.mu.Unlock()

	st := c.Stats()
	if !st.Connected || st.Connects != 2 || st.Reconnects != 1 || st.Malformed != 1 || st.Unknown != 1 {
		t.Errorf("stats %+v", st)
	}
	var sum uint64
	for _, n := range st.Events {
		sum += n
	}
	if sum != 6 || st.Events[lines[0].typ(t)] == 0 {
		t.Errorf("events by type %v", st.Events)
	}
	stop()
	if c.Connected() {
		t.Error("Connected after Run returned")
	}
}

func (l transcriptLine) typ(t *testing.T) string {
	typ, err := PeekType(l.raw)
	if err != nil {
		t.Fatal(err)
	}
	return typ
}

// TestRunApplicationReplaced replays ws-replaced: the first socket gets
// ApplicationReplaced and then nothing; the client must hand the event on,
// leave that socket and connect again.
func TestRunApplicationReplaced(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(transcripts.Dir(t), "ws-replaced.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var replaced string
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.Contains(line, `"ApplicationReplaced"`) {
			replaced = line
		}
	}
	if replaced == "" {
		t.Fatal("ws-replaced.jsonl has no ApplicationReplaced")
	}
	f := newFakeARI(t)
	var col collector
	c := newTestClient(t, f, nil)
	startRun(t, c, col.handle)
	conn := f.waitConn()
	f.send(conn, replaced)
	// No drop by the server: the client itself must move to a new socket.
	f.waitConn()
	if got := col.types(); len(got) != 1 || got[0] != TypeApplicationReplaced {
		t.Errorf("handled %v, want the ApplicationReplaced event", got)
	}
	eventually(t, "reconnect counted", func() bool { return c.Stats().Connects == 2 })
	if !strings.Contains(c.Stats().LastError, "replaced") {
		t.Errorf("last error %q", c.Stats().LastError)
	}
}

func TestRunRetriesWhileServerDown(t *testing.T) {
	f := newFakeARI(t)
	addr := f.URL()
	f.srv.Close() // nothing listens: every dial fails
	c, err := NewClient(Config{URL: addr, User: testUser, Password: testPass, App: "hotline",
		ReconnectMin: time.Millisecond, ReconnectMax: 4 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := c.Run(ctx, func(Message) { t.Error("handler called without a connection") }); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("Run ignored its context for %v", time.Since(start))
	}
	st := c.Stats()
	if st.Connects != 0 || st.Connected || st.LastError == "" {
		t.Errorf("stats %+v", st)
	}
}

// TestRunFilterRetriedUntilRegistered: Asterisk registers the app just after
// the upgrade, so the first filter PUT may get 404; it is retried.
func TestRunFilterRetriedUntilRegistered(t *testing.T) {
	f := newFakeARI(t)
	f.failFirst("PUT /applications/hotline/eventFilter", 2, 404, `{"message":"Application not found"}`)
	f.answer("PUT /applications/hotline/eventFilter", 200, `{"name":"hotline"}`)
	connected := make(chan struct{})
	c := newTestClient(t, f, func(cfg *Config) {
		cfg.EventFilter = CallEventTypes
		cfg.OnConnect = func(context.Context) { close(connected) }
	})
	startRun(t, c, func(Message) {})
	select {
	case <-connected:
	case <-time.After(5 * time.Second):
		t.Fatal("OnConnect not called")
	}
	if n := len(f.requestsTo("PUT", "/applications/hotline/eventFilter")); n != 3 {
		t.Errorf("%d filter PUTs, want 2 refused + 1 accepted", n)
	}
}

func TestRunTwiceRefused(t *testing.T) {
	f := newFakeARI(t)
	c := newTestClient(t, f, nil)
	startRun(t, c, func(Message) {})
	f.waitConn()
	if err := c.Run(context.Background(), func(Message) {}); err == nil {
		t.Error("second concurrent Run accepted")
	}
}

func TestBackoff(t *testing.T) {
	for _, r := range []float64{0, 0.5, 0.999} {
		b := backoff{min: 100 * time.Millisecond, max: time.Second, rand: func() float64 { return r }}
		var got []time.Duration
		for range 8 {
			got = append(got, b.next())
		}
		caps := []time.Duration{100, 200, 400, 800, 1000, 1000, 1000, 1000}
		for i, d := range got {
			c := caps[i] * time.Millisecond
			if d < c/2 || d >= c {
				t.Errorf("rand %.3f: retry %d waits %v, want in [%v, %v)", r, i+1, d, c/2, c)
			}
		}
		b.reset()
		if d := b.next(); d >= 100*time.Millisecond {
			t.Errorf("after reset: %v", d)
		}
	}
	// Many retries never overflow or exceed the cap.
	b := backoff{min: time.Millisecond, max: 30 * time.Second, rand: func() float64 { return 0.9999 }}
	for i := range 200 {
		if d := b.next(); d <= 0 || d > 30*time.Second {
			t.Fatalf("retry %d waits %v", i, d)
		}
	}
}

func TestStatsJSON(t *testing.T) {
	// Stats is exposed on the health endpoint; it must marshal.
	f := newFakeARI(t)
	c := newTestClient(t, f, nil)
	if _, err := json.Marshal(c.Stats()); err != nil {
		t.Fatal(err)
	}
}
