package aritest

import (
	"math/rand"
	"net/http"
	"strings"
	"sync"
	"time"
)

// RESTFault makes matching REST requests fail: Status (e.g. 500, 503) with
// Asterisk's error body, or, with Hang > 0, no answer for that long (real
// time) before the status (or the normal answer when Status is 0). Method
// "" matches any method; PathPrefix matches the request path (e.g.
// "/ari/channels"). Times limits how many requests it hits (0 = unlimited).
type RESTFault struct {
	Method     string
	PathPrefix string
	Status     int
	Hang       time.Duration
	Times      int
}

type faultState struct {
	mu          sync.Mutex
	rest        []*RESTFault
	refuseUntil time.Time
	delay       time.Duration
	reorder     bool
	rnd         *rand.Rand
}

// InjectREST adds a REST fault; faults are checked in the order added.
func (s *Server) InjectREST(f RESTFault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	fc := f
	s.faults.rest = append(s.faults.rest, &fc)
}

// ClearFaults removes every REST and delivery fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rest = nil
	s.faults.refuseUntil = time.Time{}
	s.faults.delay = 0
	s.faults.reorder = false
}

// DropSockets closes every event WebSocket abruptly, as when Asterisk
// restarts or the network drops: the applications become unregistered
// until a client reconnects, and events meanwhile are lost.
func (s *Server) DropSockets() {
	s.mu.Lock()
	var socks []*socket
	for _, a := range s.apps {
		if a.sock != nil {
			socks = append(socks, a.sock)
			a.sock = nil
		}
	}
	s.mu.Unlock()
	for _, k := range socks {
		k.close()
	}
}

// RefuseSockets answers WebSocket upgrades with 503 for the real duration d.
func (s *Server) RefuseSockets(d time.Duration) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.refuseUntil = time.Now().Add(d)
}

// DelayDeliveries delivers every event frame d (real time) after it was
// produced; order is unchanged (combine with ReorderDeliveries).
func (s *Server) DelayDeliveries(d time.Duration) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.delay = d
}

// ReorderDeliveries shuffles frames that are pending together, keeping
// Asterisk's guarantee: events about one channel stay in order, and bridge,
// device and playback events are not moved across others.
func (s *Server) ReorderDeliveries(on bool) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.reorder = on
}

// Connected reports whether an event WebSocket is registered for app.
func (s *Server) Connected(app string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appRegistered(app)
}

func (s *Server) refusingSockets() bool {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return time.Now().Before(s.faults.refuseUntil)
}

func (s *Server) deliveryFaults() (time.Duration, bool) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.delay, s.faults.reorder
}

func (s *Server) faultRand() *rand.Rand {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if s.faults.rnd == nil {
		s.faults.rnd = rand.New(rand.NewSource(s.opts.Seed))
	}
	return s.faults.rnd
}

// applyRESTFault answers the request if a fault matches; it reports whether
// it did.
func (s *Server) applyRESTFault(w http.ResponseWriter, r *http.Request) bool {
	s.faults.mu.Lock()
	var hit *RESTFault
	for _, f := range s.faults.rest {
		if (f.Method == "" || f.Method == r.Method) && strings.HasPrefix(r.URL.Path, f.PathPrefix) {
			if f.Times > 0 {
				f.Times--
				if f.Times == 0 {
					f.Times = -1
				}
			} else if f.Times < 0 {
				continue
			}
			hit = f
			break
		}
	}
	s.faults.mu.Unlock()
	if hit == nil {
		return false
	}
	if hit.Hang > 0 {
		select {
		case <-time.After(hit.Hang):
		case <-r.Context().Done():
			return true
		}
	}
	if hit.Status == 0 {
		return false
	}
	writeJSON(w, hit.Status, msg(http.StatusText(hit.Status)))
	return true
}

// reorderBatch randomly interleaves runs of channel events while keeping
// each channel's own order; frames without a channel key are barriers.
func reorderBatch(batch []frame, rnd *rand.Rand) []frame {
	out := make([]frame, 0, len(batch))
	start := 0
	flush := func(end int) {
		seg := batch[start:end]
		queues := map[string][]frame{}
		var keys []string
		for _, f := range seg {
			if _, ok := queues[f.key]; !ok {
				keys = append(keys, f.key)
			}
			queues[f.key] = append(queues[f.key], f)
		}
		for n := len(seg); n > 0; n-- {
			k := keys[rnd.Intn(len(keys))]
			out = append(out, queues[k][0])
			queues[k] = queues[k][1:]
			if len(queues[k]) == 0 {
				for i, x := range keys {
					if x == k {
						keys = append(keys[:i], keys[i+1:]...)
						break
					}
				}
			}
		}
	}
	for i, f := range batch {
		if !isChannelKey(f.key) {
			flush(i)
			out = append(out, f)
			start = i + 1
		}
	}
	flush(len(batch))
	return out
}

func isChannelKey(k string) bool {
	return k != "" && !strings.HasPrefix(k, "device:") && !strings.HasPrefix(k, "bridge:") && !strings.HasPrefix(k, "playback:")
}
