package aritest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"hotline/telephony/ari"
)

// event is a decoded event with its raw form.
type event map[string]any

func (e event) typ() string { s, _ := e["type"].(string); return s }

func (e event) obj(k string) map[string]any { m, _ := e[k].(map[string]any); return m }

func loadJSONL(t testing.TB, path string) []event {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []event
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var e event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, e)
	}
	return out
}

// appClient is a minimal ARI client for the tests: one WebSocket collecting
// events and REST calls with basic auth.
type appClient struct {
	t      testing.TB
	srv    *Server
	conn   *websocket.Conn
	mu     sync.Mutex
	events []event
	subs   []chan event
	done   chan struct{}
	over   atomic.Bool // the test ended: background helpers stop reporting
}

func connectApp(t testing.TB, s *Server) *appClient {
	t.Helper()
	return connectAppName(t, s, "hotline")
}

func connectAppName(t testing.TB, s *Server, app string) *appClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := strings.Replace(s.URL(), "http", "ws", 1) + "/ari/events?app=" + app + "&subscribeAll=true&api_key=hotline:hotline-secret"
	conn, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		t.Fatalf("dial events: %v", err)
	}
	for i := 0; i < 500 && !s.Connected(app); i++ {
		time.Sleep(2 * time.Millisecond)
	}
	a := &appClient{t: t, srv: s, conn: conn, done: make(chan struct{})}
	go a.read()
	t.Cleanup(func() {
		a.over.Store(true)
		_ = conn.CloseNow()
	})
	return a
}

func (a *appClient) read() {
	defer close(a.done)
	for {
		_, raw, err := a.conn.Read(context.Background())
		if err != nil {
			return
		}
		var e event
		if json.Unmarshal(raw, &e) != nil {
			continue
		}
		a.mu.Lock()
		a.events = append(a.events, e)
		subs := append([]chan event(nil), a.subs...)
		a.mu.Unlock()
		for _, c := range subs {
			select {
			case c <- e:
			default:
			}
		}
	}
}

// subscribe returns a channel receiving every later event.
func (a *appClient) subscribe() chan event {
	c := make(chan event, 4096)
	a.mu.Lock()
	a.subs = append(a.subs, c)
	a.mu.Unlock()
	return c
}

// unsubscribe stops delivery to c.
func (a *appClient) unsubscribe(c chan event) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, x := range a.subs {
		if x == c {
			a.subs = append(a.subs[:i], a.subs[i+1:]...)
			return
		}
	}
}

func (a *appClient) snapshot() []event {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]event(nil), a.events...)
}

// rest performs an ARI call and returns status and body.
func (a *appClient) rest(method, path string, body string) (int, string) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, a.srv.URL()+"/ari"+path, rd)
	req.SetBasicAuth("hotline", "hotline-secret")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if !a.over.Load() {
			a.t.Errorf("%s %s: %v", method, path, err)
		}
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// restID performs a call expected to return an object with an id.
func (a *appClient) restID(method, path, body string) string {
	st, b := a.rest(method, path, body)
	if st != 200 {
		a.t.Errorf("%s %s: %d %s", method, path, st, b)
		return ""
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(b), &m)
	id, _ := m["id"].(string)
	return id
}

// waitFor waits (real time) for an event matching f on ch.
func waitFor(ch chan event, d time.Duration, f func(event) bool) (event, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case e := <-ch:
			if f(e) {
				return e, true
			}
		case <-t.C:
			return nil, false
		}
	}
}

func chanID(e event) string {
	if c := e.obj("channel"); c != nil {
		id, _ := c["id"].(string)
		return id
	}
	return ""
}

// surveyApp acts like the recorder of the sip-* transcripts on StasisStart:
// answer, play hello-world, wait up to 8 s (virtual) for a digit, play
// beep, hang up.
func (a *appClient) surveyApp(ctx context.Context) {
	ch := a.subscribe()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-ch:
				if e.typ() != ari.TypeStasisStart {
					continue
				}
				go a.runSurvey(chanID(e), ctx)
			}
		}
	}()
}

func (a *appClient) runSurvey(id string, ctx context.Context) {
	ch := a.subscribe()
	defer a.unsubscribe(ch)
	a.rest("POST", "/channels/"+id+"/answer", "")
	a.rest("POST", "/channels/"+id+"/play?media=sound:hello-world&playbackId=survey-prompt-"+id, "")
	gone := func(e event) bool { return e.typ() == ari.TypeChannelDestroyed && chanID(e) == id }
	wait := a.srv.clock.Real(8 * time.Second)
	e, ok := waitFor(ch, wait+time.Second, func(e event) bool {
		return gone(e) || (e.typ() == ari.TypeChannelDtmfReceived && chanID(e) == id)
	})
	if ok && gone(e) {
		return
	}
	a.rest("POST", "/channels/"+id+"/play?media=sound:beep&playbackId=survey-beep-"+id, "")
	e, ok = waitFor(ch, wait, func(e event) bool {
		p := e.obj("playback")
		return gone(e) || (e.typ() == ari.TypePlaybackFinished && p["id"] == "survey-beep-"+id)
	})
	if ok && gone(e) {
		return
	}
	a.rest("DELETE", "/channels/"+id+"?reason=normal", "")
}

// settle waits until the event stream is quiet and the PBX idle.
func (a *appClient) settle(s *Server) {
	s.WaitIdle(20 * time.Second)
	last := -1
	for i := 0; i < 100; i++ {
		time.Sleep(20 * time.Millisecond)
		n := len(a.snapshot())
		if n == last && n == s.EventCount() {
			return
		}
		last = n
	}
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

func newRequest(method, url string) (*http.Request, error) { return http.NewRequest(method, url, nil) }
