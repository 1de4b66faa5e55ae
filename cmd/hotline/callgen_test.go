package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo"

	hsip "hotline/telephony/sip"
)

// TestCallgenCommandEndToEnd runs `hotline callgen` against a SIP user
// agent that answers and collects digits, and a Hotline API that knows the
// calls whose digits arrived (as the real one would after the survey).
func TestCallgenCommandEndToEnd(t *testing.T) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	ua, _ := sipgo.NewUA()
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); _ = ua.Close() }()
	var mu sync.Mutex
	digits := map[string]string{}
	dg := diago.NewDiago(ua, diago.WithTransport(diago.Transport{Transport: "udp", BindHost: "127.0.0.1", BindPort: port}))
	if err := dg.ServeBackground(ctx, func(d *diago.DialogServerSession) {
		med, err := d.Answer(diago.AnswerOptions{})
		if err != nil {
			return
		}
		r, _ := med.AudioReaderDTMF()
		_ = r.Listen(func(dtmf rune) error {
			mu.Lock()
			digits[d.FromUser()] += string(dtmf)
			mu.Unlock()
			return nil
		}, 0)
	}); err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/api/v1/calls":
			items := []map[string]string{}
			if _, ok := digits[r.URL.Query().Get("number")]; ok {
				items = append(items, map[string]string{"outcome": "answered"})
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"items": items})
		case "/api/v1/survey-responses":
			var rs []map[string]any
			for from, d := range digits {
				v, _ := strconv.Atoi(d)
				rs = append(rs, map[string]any{"caller": from, "answers": []map[string]int{{"value": v}}})
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"responses": rs})
		}
	}))
	defer api.Close()

	e, out, errOut := testEnv(map[string]string{"HOTLINE_API_TOKEN": "tok"}, "")
	err = run(ctx, []string{"callgen", "--target", "sip:7001@127.0.0.1:" + strconv.Itoa(port), "--bind", "127.0.0.1",
		"--calls", "3", "--rate", "10", "--concurrency", "3", "--script", "ring,talk:300ms,dtmf:4,wait:300ms,hangup",
		"--check-api", api.URL, "--check-wait", "3s"}, e)
	if err != nil {
		t.Fatalf("callgen: %v\n%s\n%s", err, out, errOut)
	}
	if !strings.Contains(out.String(), "3 call(s): 3 passed, 0 failed") || !strings.Contains(out.String(), "[4]") {
		t.Fatalf("table:\n%s", out)
	}

	// Nobody listens on the next port: the unanswered call fails the run.
	e, out, _ = testEnv(nil, "")
	err = run(ctx, []string{"callgen", "--target", "sip:7001@127.0.0.1:" + strconv.Itoa(port+1), "--bind", "127.0.0.1",
		"--script", "ring:500ms,hangup"}, e)
	if !errors.Is(err, hsip.ErrSomeFailed) || !strings.Contains(out.String(), "FAIL") {
		t.Fatalf("unanswered: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"callgen"}, {"callgen", "--target", "sip:1@h", "--script", "talk:1s"},
		{"callgen", "--target", "sip:1@h", "--check-api", "http://x"}} {
		e, _, _ = testEnv(nil, "")
		if err := run(ctx, args, e); err == nil || errors.Is(err, hsip.ErrSomeFailed) {
			t.Errorf("%v: %v", args, err)
		}
	}
}
