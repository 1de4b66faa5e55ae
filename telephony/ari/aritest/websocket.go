package aritest

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"hotline/telephony/ari"
)

// application is a Stasis application; it is registered while a WebSocket
// for it is connected (sock != nil).
type application struct {
	name       string
	sock       *socket
	allowed    []string
	disallowed []string
}

func (a *application) wants(typ string) bool {
	if len(a.allowed) > 0 && !contains(a.allowed, typ) {
		return false
	}
	return !contains(a.disallowed, typ)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// socket is one event WebSocket; frames are written by its own goroutine.
type socket struct {
	conn    *websocket.Conn
	mu      sync.Mutex
	queue   []frame
	signal  chan struct{}
	done    chan struct{}
	once    sync.Once
	replace bool // got ApplicationReplaced: deliver nothing more
	srv     *Server
}

func (k *socket) enqueue(f frame) {
	k.mu.Lock()
	if !k.replace {
		k.queue = append(k.queue, f)
	}
	k.mu.Unlock()
	select {
	case k.signal <- struct{}{}:
	default:
	}
}

func (k *socket) close() {
	k.once.Do(func() {
		close(k.done)
		_ = k.conn.CloseNow()
	})
}

func listen(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }

// handleEvents upgrades /ari/events?app=NAME[,NAME2]&subscribeAll=true and
// registers the application, replacing an earlier socket for it.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	names := splitComma(r.URL.Query().Get("app"))
	if len(names) == 0 {
		writeJSON(w, http.StatusBadRequest, msg("Missing parameter app"))
		return
	}
	if s.refusingSockets() {
		writeJSON(w, http.StatusServiceUnavailable, msg("Service Unavailable"))
		return
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	conn.SetReadLimit(1 << 20)
	k := &socket{conn: conn, signal: make(chan struct{}, 1), done: make(chan struct{}), srv: s}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = conn.CloseNow()
		return
	}
	for _, n := range names {
		a := s.apps[n]
		if a == nil {
			a = &application{name: n}
			s.apps[n] = a
		}
		if old := a.sock; old != nil {
			raw := []byte(`{"type":"ApplicationReplaced","timestamp":"` + formatTime(s.clock.Now()) +
				`","application":"` + n + `","asterisk_id":"` + s.opts.AsteriskID + `"}`)
			old.enqueue(frame{typ: ari.TypeApplicationReplaced, raw: raw})
			old.mu.Lock()
			old.replace = true
			old.mu.Unlock()
		}
		a.sock = k
	}
	s.mu.Unlock()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() { // reader: notices the peer closing
		for {
			if _, _, err := conn.Read(ctx); err != nil {
				k.close()
				return
			}
		}
	}()
	s.writeLoop(ctx, k)
	s.mu.Lock()
	for _, n := range names {
		if a := s.apps[n]; a != nil && a.sock == k {
			a.sock = nil // unregistered: events are dropped, Stasis fails
		}
	}
	s.mu.Unlock()
	k.close()
}

// writeLoop delivers queued frames, applying delivery faults, until the
// socket closes.
func (s *Server) writeLoop(ctx context.Context, k *socket) {
	for {
		select {
		case <-k.done:
			return
		case <-ctx.Done():
			return
		case <-k.signal:
		}
		for {
			delay, reorder := s.deliveryFaults()
			k.mu.Lock()
			var first time.Time
			if len(k.queue) > 0 {
				first = k.queue[0].at
			}
			k.mu.Unlock()
			if wait := time.Until(first.Add(delay)); !first.IsZero() && delay > 0 && wait > 0 {
				select { // let frames pile up, so that reordering has material
				case <-time.After(wait):
				case <-k.done:
					return
				}
			}
			k.mu.Lock()
			batch := k.queue
			k.queue = nil
			k.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			if reorder {
				batch = reorderBatch(batch, s.faultRand())
			}
			for _, f := range batch {
				if wait := time.Until(f.at.Add(delay)); delay > 0 && wait > 0 {
					select {
					case <-time.After(wait):
					case <-k.done:
						return
					}
				}
				wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
				err := k.conn.Write(wctx, websocket.MessageText, f.raw)
				wcancel()
				if err != nil {
					k.close()
					return
				}
				if f.typ == ari.TypeApplicationReplaced {
					// Asterisk keeps the socket open but sends nothing more.
					k.mu.Lock()
					k.queue = nil
					k.mu.Unlock()
				}
			}
		}
	}
}

// appRegistered reports whether the Stasis application has a socket.
// Caller holds s.mu.
func (s *Server) appRegistered(name string) bool {
	a := s.apps[name]
	return a != nil && a.sock != nil
}

func splitComma(v string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(v); i++ {
		if i == len(v) || v[i] == ',' {
			if i > start {
				out = append(out, v[start:i])
			}
			start = i + 1
		}
	}
	return out
}
