package sip_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo"

	hsip "hotline/telephony/sip"
)

// uasCall is what the test's user agent server saw of one call.
type uasCall struct {
	digits     string
	audioBytes int
	bye        bool
}

// uas is a tiny SIP user agent server on 127.0.0.1: it answers every call,
// reads its audio and RFC 4733 digits, and records them by caller number.
type uas struct {
	port  int
	mu    sync.Mutex
	calls map[string]*uasCall
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

func startUAS(t *testing.T) *uas {
	t.Helper()
	s := &uas{port: freeUDPPort(t), calls: map[string]*uasCall{}}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("test-uas"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); _ = ua.Close() })
	dg := diago.NewDiago(ua, diago.WithTransport(diago.Transport{Transport: "udp", BindHost: "127.0.0.1", BindPort: s.port}))
	err = dg.ServeBackground(ctx, func(d *diago.DialogServerSession) {
		if d.ToUser() == "busy" {
			_ = d.Respond(486, "Busy Here", nil)
			return
		}
		c := &uasCall{}
		s.mu.Lock()
		s.calls[d.FromUser()] = c
		s.mu.Unlock()
		_ = d.Trying()
		_ = d.Ringing()
		med, err := d.Answer(diago.AnswerOptions{})
		if err != nil {
			t.Errorf("answer: %v", err)
			return
		}
		r, err := med.AudioReaderDTMF()
		if err != nil {
			t.Errorf("DTMF reader: %v", err)
			return
		}
		r.OnDTMF(func(digit rune) error {
			s.mu.Lock()
			c.digits += string(digit)
			s.mu.Unlock()
			return nil
		})
		go func() {
			buf := make([]byte, 1600)
			for {
				n, err := r.Read(buf)
				s.mu.Lock()
				c.audioBytes += n
				s.mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
		<-d.Context().Done()
		s.mu.Lock()
		c.bye = true
		s.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *uas) call(from string) (uasCall, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.calls[from]
	if !ok {
		return uasCall{}, false
	}
	return *c, true
}

func TestCallgenPlacesScriptedCalls(t *testing.T) {
	s := startUAS(t)
	script, err := hsip.ParseScript("ring,talk:1s,dtmf:42,wait:500ms,hangup")
	if err != nil {
		t.Fatal(err)
	}
	g, err := hsip.NewGenerator(hsip.Options{
		Target: "sip:7001@127.0.0.1:" + strconv.Itoa(s.port), From: "+7999100%04d",
		Rate: 20, Concurrency: 2, Calls: 4, Script: script, BindHost: "127.0.0.1",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	results := g.Run(ctx)
	if len(results) != 4 {
		t.Fatalf("%d results", len(results))
	}
	for _, r := range results {
		if r.Err != nil || !r.Answered || r.RemoteHangup || r.Digits != "42" || r.CallID == "" {
			t.Errorf("call %d: %+v", r.N, r)
			continue
		}
		var c uasCall
		deadline := time.Now().Add(5 * time.Second)
		for {
			var ok bool
			c, ok = s.call(r.From)
			if (ok && c.bye && c.digits == "42") || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if c.digits != "42" || !c.bye || c.audioBytes < 1000 {
			t.Errorf("call %d from %s: the UAS saw digits %q, BYE %v, %d audio bytes", r.N, r.From, c.digits, c.bye, c.audioBytes)
		}
	}
}

func TestCallgenReportsRejectedCalls(t *testing.T) {
	s := startUAS(t)
	g, err := hsip.NewGenerator(hsip.Options{Target: "sip:busy@127.0.0.1:" + strconv.Itoa(s.port), Calls: 2, BindHost: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for _, r := range g.Run(context.Background()) {
		if r.Err == nil || r.Answered || !strings.Contains(r.Err.Error(), "486") {
			t.Errorf("busy call: %+v", r)
		}
	}
}

func TestCallgenReportsUnansweredCalls(t *testing.T) {
	// Nobody listens on this port: the INVITE times out (ring:1s).
	script, _ := hsip.ParseScript("ring:1s,talk:1s")
	g, err := hsip.NewGenerator(hsip.Options{Target: "sip:7001@127.0.0.1:" + strconv.Itoa(freeUDPPort(t)),
		Calls: 1, Script: script, BindHost: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	r := g.Run(context.Background())[0]
	if r.Err == nil || r.Answered || r.Duration > 3*time.Second {
		t.Fatalf("call to nobody: %+v", r)
	}
}

func TestParseScript(t *testing.T) {
	steps, err := hsip.ParseScript("ring, talk:5s ,dtmf:4#,wait:2s")
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, s := range steps {
		got += s.String() + " "
	}
	if got != "ring talk:5s dtmf:4# wait:2s hangup " || hsip.Digits(steps) != "4#" {
		t.Fatalf("parsed %q", got)
	}
	for _, bad := range []string{"", "talk:5s", "ring,talk", "ring,talk:-1s", "ring,dtmf:", "ring,dtmf:x", "ring,hangup,talk:1s", "ring,ring", "ring,sing:3s", "ring,hangup:3s"} {
		if _, err := hsip.ParseScript(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := hsip.NewGenerator(hsip.Options{Target: "http://x"}); err == nil {
		t.Error("bad target accepted")
	}
}
