package aritest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"hotline/telephony/ari/aritest/transcripts"

	"hotline/telephony/ari"
)

// restCallRe parses one "REST calls" line of a NAME.md.
var restCallRe = regexp.MustCompile("`(GET|POST|DELETE|PUT) (/ari/[^`]*)`(?: body `([^`]*)`)? → \\*\\*(\\d+)\\*\\* `([^`]*)`(?: \\(t\\+[0-9.]+s, (\\d+) events received so far\\))?")

type recordedCall struct {
	method, path, body string
	status             int
	response           string
	after              int // events received before the call
}

func recordedCalls(t *testing.T, md string) []recordedCall {
	raw, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	var out []recordedCall
	section := strings.SplitN(string(raw), "## REST calls", 2)[1]
	section = strings.SplitN(section, "## Event sequence", 2)[0]
	for _, line := range strings.Split(section, "\n") {
		m := restCallRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		st, _ := strconv.Atoi(m[4])
		after, _ := strconv.Atoi(m[6])
		out = append(out, recordedCall{m[1], strings.TrimPrefix(m[2], "/ari"), m[3], st, m[5], after})
	}
	return out
}

// TestConformanceErrors replays errors.md's REST calls: every status and
// every error body must match, and so must the events.
func TestConformanceErrors(t *testing.T) {
	dir := transcripts.Dir(t)
	calls := recordedCalls(t, filepath.Join(dir, "errors.md"))
	if len(calls) < 40 {
		t.Fatalf("parsed only %d REST calls from errors.md", len(calls))
	}
	s := New(Options{Speed: testSpeed, Seed: 1})
	defer s.Close()
	a := connectApp(t, s)
	for i, c := range calls {
		for j := 0; j < 200 && len(a.snapshot()) < c.after; j++ {
			time.Sleep(5 * time.Millisecond)
		}
		if c.method == "GET" && c.path == "/channels" && c.status == 401 {
			checkAuth(t, s, i == 9)
			continue
		}
		st, body := a.rest(c.method, c.path, c.body)
		if st != c.status {
			t.Errorf("call %d %s %s: status %d, recorded %d (%s)", i+1, c.method, c.path, st, c.status, body)
			continue
		}
		if c.status >= 400 && strings.TrimSpace(body) != c.response {
			t.Errorf("call %d %s %s: body %s, recorded %s", i+1, c.method, c.path, strings.TrimSpace(body), c.response)
		}
	}
	a.settle(s)
	want := loadJSONL(t, filepath.Join(dir, "errors.jsonl"))
	for _, d := range diffStreams(signatures(want, compareMode{}), signatures(a.snapshot(), compareMode{})) {
		t.Error(d)
	}
	if t.Failed() {
		t.Logf("emulator stream:\n%s", dump(a.snapshot()))
	}
}

// checkAuth: a wrong password and missing credentials both give 401.
func checkAuth(t *testing.T, s *Server, wrong bool) {
	req, _ := newRequest("GET", s.URL()+"/ari/channels")
	if wrong {
		req.SetBasicAuth("hotline", "wrong")
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&m)
	if resp.StatusCode != 401 || m["message"] != "Authentication required" {
		t.Errorf("auth (wrong=%v): %d %v", wrong, resp.StatusCode, m)
	}
}

// TestConformanceWSReplaced: a second socket replaces the first, which gets
// ApplicationReplaced and nothing more but stays open.
func TestConformanceWSReplaced(t *testing.T) {
	dir := transcripts.Dir(t)
	s := New(Options{Speed: testSpeed, Seed: 1})
	defer s.Close()
	first := connectApp(t, s)
	second := connectApp(t, s)
	if st, _ := second.rest("GET", "/applications/hotline", ""); st != 200 {
		t.Errorf("GET app with two sockets: %d", st)
	}
	second.restID("POST", "/channels?app=hotline&appArgs=outbound&endpoint=Local%2Fanswer%40sim-customer", "")
	second.settle(s)
	for _, d := range diffStreams(signatures(loadJSONL(t, filepath.Join(dir, "ws-replaced.jsonl")), compareMode{}), signatures(first.snapshot(), compareMode{})) {
		t.Error("first socket: " + d)
	}
	for _, d := range diffStreams(signatures(loadJSONL(t, filepath.Join(dir, "ws-replaced.second.jsonl")), compareMode{}), signatures(second.snapshot(), compareMode{})) {
		t.Error("second socket: " + d)
	}
	select {
	case <-first.done:
		t.Error("the replaced socket was closed; Asterisk keeps it open")
	default:
	}
}

// TestConformanceWSReconnect: while no socket is connected the app is
// unregistered, events are lost, Stasis fails for new calls, channels in
// Stasis stay; after the reconnect only new events arrive.
func TestConformanceWSReconnect(t *testing.T) {
	dir := transcripts.Dir(t)
	const speed = 2
	s := New(Options{Speed: speed, Seed: 1})
	defer s.Close()
	start := s.Clock().Now()
	at := func(sec float64) { // wait until virtual t+sec
		d := time.Duration(sec*float64(time.Second)) - s.Clock().Now().Sub(start)
		if d > 0 {
			time.Sleep(s.Clock().Real(d))
		}
	}
	c1 := connectApp(t, s)
	ch := c1.subscribe()
	at(0.3) // the recording's t+0 is 0.3 s before the originate
	id := c1.restID("POST", "/channels?app=hotline&appArgs=outbound&endpoint=Local%2Ftalk%40sim-customer", `{"variables":{"HOLD":"25"}}`)
	c1.must(ch, ari.TypeStasisStart)
	c1.rest("POST", "/channels/"+id+"/play?media=sound%3Ahello-world%2Csound%3Ahello-world%2Csound%3Ahello-world&playbackId=pb-before-disconnect", "")
	at(1.1)
	_ = c1.conn.Close(1000, "")
	for i := 0; i < 200 && s.Connected("hotline"); i++ {
		time.Sleep(2 * time.Millisecond)
	}
	if st, body := c1.rest("GET", "/applications/hotline", ""); st != 404 || jsonField(body, "message") != "Application not found" {
		t.Errorf("app while disconnected: %d %s", st, body)
	}
	if st, body := c1.rest("GET", "/channels", ""); st != 200 || strings.Count(body, `"id"`) != 2 {
		t.Errorf("channels while disconnected: %d %s", st, body)
	}
	if st, _ := c1.rest("POST", "/channels/"+id+"/play?media=sound%3Abeep&playbackId=pb-while-disconnected", ""); st != 201 {
		t.Errorf("play while disconnected: %d", st)
	}
	c1.restID("POST", `/channels?callerId=%22Ivan+Petrov%22+%3C%2B74951234567%3E&context=sim-customer&endpoint=Local%2F74950001111%40inbound&extension=talk&priority=1&timeout=10`, `{"variables":{"HOLD":"10"}}`)
	at(2.9)
	if st, body := c1.rest("GET", "/channels", ""); st != 200 || strings.Count(body, `"id"`) != 2 {
		t.Errorf("the call that found no app should be gone: %d %s", st, body)
	}
	c2 := connectApp(t, s)
	ch2 := c2.subscribe()
	if st, _ := c2.rest("GET", "/applications/hotline", ""); st != 200 {
		t.Errorf("app after reconnect: %d", st)
	}
	c2.mustWhere(ch2, func(e event) bool {
		return e.typ() == ari.TypePlaybackStarted && e.obj("playback")["id"] == "pb-while-disconnected"
	})
	c2.rest("POST", "/channels/"+id+"/play?media=sound%3Abeep&playbackId=pb-after-reconnect", "")
	c2.mustWhere(ch2, func(e event) bool {
		return e.typ() == ari.TypePlaybackFinished && e.obj("playback")["id"] == "pb-after-reconnect"
	})
	at(6.1)
	c2.rest("DELETE", "/channels/"+id, "")
	c2.settle(s)
	got := append(c1.snapshot(), c2.snapshot()...)
	for _, d := range diffStreams(signatures(loadJSONL(t, filepath.Join(dir, "ws-reconnect.jsonl")), compareMode{}), signatures(got, compareMode{})) {
		t.Error(d)
	}
	if t.Failed() {
		t.Logf("emulator stream:\n%s", dump(got))
	}
}
