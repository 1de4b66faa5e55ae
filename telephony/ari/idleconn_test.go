package ari

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawEventServer answers the event socket's handshake by hand and hands
// the connection to the test, which writes frames as it likes (several in
// one write, as Asterisk's bursts arrive).
func rawEventServer(t *testing.T) (url string, conns <-chan net.Conn) {
	t.Helper()
	ch := make(chan net.Conn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/events") {
			http.NotFound(w, r)
			return
		}
		sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		fmt.Fprintf(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
			base64.StdEncoding.EncodeToString(sum[:]))
		if err := rw.Flush(); err != nil {
			t.Error(err)
		}
		ch <- conn
	}))
	t.Cleanup(srv.Close)
	return srv.URL, ch
}

// textFrames encodes events as unmasked WebSocket text frames, back to back.
func textFrames(types ...string) []byte {
	var b []byte
	for _, typ := range types {
		payload := fmt.Sprintf(`{"type":%q,"timestamp":"2026-12-07T10:00:00.000+0000"}`, typ)
		b = append(b, 0x81, byte(len(payload))) // FIN, text; payloads stay under 126 bytes
		b = append(b, payload...)
	}
	return b
}

// OnIdle is called once the frames that arrived together are handled, not
// between them, and again after the next burst.
func TestOnIdleAfterEachBurst(t *testing.T) {
	url, conns := rawEventServer(t)
	var mu sync.Mutex
	var seq []string
	record := func(s string) {
		mu.Lock()
		seq = append(seq, s)
		mu.Unlock()
	}
	snapshot := func() []string {
		mu.Lock()
		defer mu.Unlock()
		// the reader may find the socket empty before the first burst
		i := 0
		for i < len(seq) && seq[i] == "idle" {
			i++
		}
		return slices.Clone(seq[i:])
	}
	var handler, idler sync.Map // goroutines seen, by a marker each sets
	c, err := NewClient(Config{URL: url, App: "hotline", PingInterval: -1, RequestTimeout: 2 * time.Second,
		OnIdle: func() { idler.Store("called", goid()); record("idle") }})
	if err != nil {
		t.Fatal(err)
	}
	startRun(t, c, func(m Message) { handler.Store("called", goid()); record(m.Type) })
	var conn net.Conn
	select {
	case conn = <-conns:
	case <-time.After(5 * time.Second):
		t.Fatal("the client did not connect")
	}
	defer conn.Close()

	burst := []string{TypeStasisStart, TypeChannelCreated, TypeDial}
	want := append(slices.Clone(burst), "idle")
	if _, err := conn.Write(textFrames(burst...)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the first burst handled, then idle", func() bool { return len(snapshot()) >= len(want) })
	time.Sleep(50 * time.Millisecond) // nothing more comes: no more OnIdle
	if got := snapshot(); !slices.Equal(got, want) {
		t.Fatalf("after one burst: %v, want %v", got, want)
	}
	burst2 := []string{TypeChannelStateChange, TypeChannelHangupRequest, TypeChannelDestroyed}
	want = append(want, append(slices.Clone(burst2), "idle")...)
	if _, err := conn.Write(textFrames(burst2...)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the second burst handled, then idle", func() bool { return len(snapshot()) >= len(want) })
	time.Sleep(50 * time.Millisecond)
	if got := snapshot(); !slices.Equal(got, want) {
		t.Fatalf("after two bursts: %v, want %v", got, want)
	}
	h, _ := handler.Load("called")
	i, _ := idler.Load("called")
	if h != i {
		t.Errorf("OnIdle ran on goroutine %v, the handler on %v: want Run's goroutine for both", i, h)
	}
}

// goid is the id of the calling goroutine, from its stack header.
func goid() string {
	var buf [64]byte
	s := string(buf[:runtimeStack(buf[:])])
	s = strings.TrimPrefix(s, "goroutine ")
	id, _, _ := strings.Cut(s, " ")
	return id
}

func runtimeStack(b []byte) int { return runtime.Stack(b, false) }
