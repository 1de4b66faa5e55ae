package screenpop

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"
)

// Message is one pop update for one agent, encoded once by the Popper and
// carried unchanged to every console of the agent.
type Message struct {
	Agent string // the agent's login
	Key   string // the call id: one live message per agent and key
	Seq   int64  // grows with every update of a key; older copies are ignored
	Live  bool   // keep for replay until a non-live message for the key
	Data  []byte // the JSON of the Pop
	// Popped is when the ringing event that made this pop was received; set
	// only on a pop's first message, for the latency histogram.
	Popped time.Time
	// Replay is set on delivery when the message comes from the live set
	// (a console connecting or a replica catching up after Redis returned).
	Replay bool
}

// Hub carries pops to the consoles of an agent, wherever they are connected,
// and keeps the live ones for consoles that connect later.
type Hub interface {
	// Publish delivers m to the agent's subscribers and records or removes
	// it in the agent's live set.
	Publish(ctx context.Context, m Message) error
	// Subscribe returns a subscription that first replays the agent's live
	// messages, then receives new ones.
	Subscribe(ctx context.Context, agent string) (*Subscription, error)
	// Live returns the agent's live messages, oldest first.
	Live(ctx context.Context, agent string) ([]Message, error)
	// Close stops the hub and ends every subscription.
	Close() error
}

// ErrSlowConsumer ends a subscription whose buffer filled up: the console
// is told and reconnects, then catches up from the live set.
var ErrSlowConsumer = errors.New("screenpop: subscriber too slow, dropped")

// ErrHubClosed ends the subscriptions of a closed hub.
var ErrHubClosed = errors.New("screenpop: hub closed")

// DefaultBuffer is the number of messages a subscription holds before it is
// dropped as too slow.
const DefaultBuffer = 64

// Subscription is one console's feed of an agent's pops.
type Subscription struct {
	// C receives the messages; it is closed when the subscription ends.
	C <-chan Message

	c      chan Message
	agent  string
	fan    *fanout
	mu     sync.Mutex
	seen   map[string]int64
	done   bool
	reason error
}

// Err says why C was closed: nil after Close, ErrSlowConsumer or ErrHubClosed.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reason
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.fan.drop(s)
	s.end(nil)
}

func (s *Subscription) end(reason error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return
	}
	s.done, s.reason = true, reason
	close(s.c)
}

// offer hands m to the subscriber without blocking; it returns false when
// the buffer is full. Older or repeated copies of a key are skipped.
func (s *Subscription) offer(m Message) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return true
	}
	if s.seen[m.Key] >= m.Seq {
		return true
	}
	select {
	case s.c <- m:
		s.seen[m.Key] = m.Seq
		return true
	default:
		return false
	}
}

// fanout is the in-process part of every hub: the local subscribers per
// agent and the live messages this process knows of.
type fanout struct {
	buffer int
	mu     sync.Mutex
	subs   map[string]map[*Subscription]struct{}
	live   map[string]map[string]liveEntry
	closed bool
	// ttl forgets live messages not updated for this long (cards nobody
	// closed), so memory stays bounded; default LiveTTL.
	ttl     time.Duration
	now     func() time.Time
	records int // sweeps every agent's live set every 1024 records
	// onLast, if set, is called (outside the lock) when an agent's last
	// subscriber leaves.
	onLast func(agent string)
}

// LiveTTL is how long a live pop is kept without an update by default.
const LiveTTL = 12 * time.Hour

// liveEntry is a live message and when it was recorded.
type liveEntry struct {
	m  Message
	at time.Time
}

func newFanout(buffer int) *fanout {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	return &fanout{
		buffer: buffer,
		subs:   map[string]map[*Subscription]struct{}{},
		live:   map[string]map[string]liveEntry{},
		ttl:    LiveTTL,
		now:    time.Now,
	}
}

// record keeps or forgets m in the live set; it reports false when m is
// older than what is already known for its key.
func (f *fanout) record(m Message) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.recordLocked(m)
}

func (f *fanout) recordLocked(m Message) bool {
	if f.records++; f.records%1024 == 0 {
		f.sweepLocked()
	}
	cur, ok := f.live[m.Agent][m.Key]
	if ok && cur.m.Seq >= m.Seq {
		return false
	}
	if !m.Live {
		delete(f.live[m.Agent], m.Key)
		if len(f.live[m.Agent]) == 0 {
			delete(f.live, m.Agent)
		}
		return true
	}
	if f.live[m.Agent] == nil {
		f.live[m.Agent] = map[string]liveEntry{}
	}
	m.Replay = false
	f.live[m.Agent][m.Key] = liveEntry{m: m, at: f.now()}
	return true
}

// sweepLocked forgets live messages older than ttl for every agent.
func (f *fanout) sweepLocked() {
	cutoff := f.now().Add(-f.ttl)
	for agent, set := range f.live {
		for k, e := range set {
			if e.at.Before(cutoff) {
				delete(set, k)
			}
		}
		if len(set) == 0 {
			delete(f.live, agent)
		}
	}
}

// deliver offers m to the agent's local subscribers, dropping slow ones.
func (f *fanout) deliver(m Message) {
	f.mu.Lock()
	subs := make([]*Subscription, 0, len(f.subs[m.Agent]))
	for s := range f.subs[m.Agent] {
		subs = append(subs, s)
	}
	f.mu.Unlock()
	for _, s := range subs {
		if !s.offer(m) {
			f.drop(s)
			s.end(ErrSlowConsumer)
		}
	}
}

func (f *fanout) hasSubscribers(agent string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs[agent]) > 0
}

func (f *fanout) add(agent string) (*Subscription, error) {
	c := make(chan Message, f.buffer)
	s := &Subscription{C: c, c: c, agent: agent, fan: f, seen: map[string]int64{}}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, ErrHubClosed
	}
	if f.subs[agent] == nil {
		f.subs[agent] = map[*Subscription]struct{}{}
	}
	f.subs[agent][s] = struct{}{}
	return s, nil
}

// drop forgets s and tells onLast when it was the agent's last subscriber.
func (f *fanout) drop(s *Subscription) {
	if f.remove(s) && f.onLast != nil {
		f.onLast(s.agent)
	}
}

// remove forgets s and reports whether it was the agent's last subscriber.
func (f *fanout) remove(s *Subscription) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	set := f.subs[s.agent]
	if _, ok := set[s]; !ok {
		return false
	}
	delete(set, s)
	if len(set) == 0 {
		delete(f.subs, s.agent)
		return true
	}
	return false
}

func (f *fanout) liveOf(agent string) []Message {
	f.mu.Lock()
	out := make([]Message, 0, len(f.live[agent]))
	cutoff := f.now().Add(-f.ttl)
	for k, e := range f.live[agent] {
		if e.at.Before(cutoff) {
			delete(f.live[agent], k) // a card nobody closed
			continue
		}
		out = append(out, e.m)
	}
	f.mu.Unlock()
	sortBySeq(out)
	return out
}

// replay offers live messages to one subscriber, marked as replays.
func (f *fanout) replay(s *Subscription, msgs []Message) {
	for _, m := range msgs {
		m.Replay = true
		if !s.offer(m) {
			f.drop(s)
			s.end(ErrSlowConsumer)
			return
		}
	}
}

func (f *fanout) close() {
	f.mu.Lock()
	f.closed = true
	var all []*Subscription
	for _, set := range f.subs {
		for s := range set {
			all = append(all, s)
		}
	}
	f.subs = map[string]map[*Subscription]struct{}{}
	f.mu.Unlock()
	for _, s := range all {
		s.end(ErrHubClosed)
	}
}

func sortBySeq(ms []Message) {
	sort.Slice(ms, func(i, j int) bool { return ms[i].Seq < ms[j].Seq })
}

// LocalHub is the in-process Hub for a single replica.
type LocalHub struct{ fan *fanout }

var _ Hub = (*LocalHub)(nil)

// NewLocalHub returns an in-process hub whose subscriptions hold buffer
// messages (DefaultBuffer when zero) before being dropped as too slow.
func NewLocalHub(buffer int) *LocalHub { return &LocalHub{fan: newFanout(buffer)} }

// Publish records m and delivers it to the agent's subscribers.
func (h *LocalHub) Publish(_ context.Context, m Message) error {
	if h.fan.record(m) {
		h.fan.deliver(m)
	}
	return nil
}

// Subscribe registers a subscriber and replays the agent's live messages.
func (h *LocalHub) Subscribe(_ context.Context, agent string) (*Subscription, error) {
	s, err := h.fan.add(agent)
	if err != nil {
		return nil, err
	}
	h.fan.replay(s, h.fan.liveOf(agent))
	return s, nil
}

// Live returns the agent's live messages.
func (h *LocalHub) Live(_ context.Context, agent string) ([]Message, error) {
	return h.fan.liveOf(agent), nil
}

// Close ends every subscription.
func (h *LocalHub) Close() error {
	h.fan.close()
	return nil
}
