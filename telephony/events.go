package telephony

import (
	"log/slog"
	"slices"
	"sync"
	"time"
)

// EventKind names a domain event of the tracker.
type EventKind string

// The domain events subscribers receive. AgentAnswered and AgentLegEnded
// are about one agent's own leg (the queue member who picks up first, the
// ring-all members cancelled, an agent hanging up while the call goes on),
// so that the agent's state follows the leg without waiting for the call's
// next event.
const (
	EventCallStarted     EventKind = "call_started"
	EventAgentRinging    EventKind = "agent_ringing"
	EventAgentAnswered   EventKind = "agent_answered"
	EventAgentLegEnded   EventKind = "agent_leg_ended" // stopped ringing (Dial CANCEL, BUSY...) or hung up
	EventCallAnswered    EventKind = "call_answered"
	EventCallHeld        EventKind = "call_held"
	EventCallUnheld      EventKind = "call_unheld"
	EventCallTransferred EventKind = "call_transferred"
	EventCallEnded       EventKind = "call_ended"
	EventDTMF            EventKind = "dtmf"
)

// Event is one domain event. Call is a copy of the call record at that
// moment (for CallEnded: the final record).
type Event struct {
	Kind     EventKind
	At       time.Time // Asterisk's timestamp of the event that caused it
	Node     string
	LinkedID string
	Agent    string // the agent ringing, holding or transferring
	Channel  string
	Digit    string    // DTMF
	Transfer *Transfer // CallTransferred
	// ClickToCall: the call is a click-to-call (it began with Hotline
	// ringing the agent's phone); see ClickToCallFailed.
	ClickToCall bool
	Call        Call
}

// hub fans events out without blocking. A subscriber has a buffered
// channel, and one that falls behind is dropped (its channel is closed
// without a cancel, which tells it to resubscribe and resync). An observer
// is a function called synchronously from publish: it is never dropped and
// costs no goroutine wake-up.
type hub struct {
	log       *slog.Logger
	mu        sync.Mutex
	next      int
	subs      map[int]subscriber
	observers map[int]observer
	// wants counts the subscribers and observers of every kind (all) and
	// of each kind, so that publish builds no event nobody takes.
	all   int
	wants map[EventKind]int
}

type subscriber struct {
	ch    chan Event
	kinds []EventKind // nil: every kind
}

type observer struct {
	fn    func(Event)
	kinds []EventKind // nil: every kind
}

// takes reports whether a subscriber or observer of kinds takes kind k.
func takes(kinds []EventKind, k EventKind) bool {
	return kinds == nil || slices.Contains(kinds, k)
}

// Subscribe returns a channel of domain events with the given buffer and a
// cancel func: the events of the given kinds, or of every kind when none
// is given (a subscriber is woken only for what it reads). If the
// subscriber does not keep up, its channel is closed.
func (t *Tracker) Subscribe(buffer int, kinds ...EventKind) (<-chan Event, func()) {
	h := &t.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = make(map[int]subscriber)
	}
	id := h.next
	h.next++
	ch := make(chan Event, max(buffer, 1))
	sub := subscriber{ch: ch, kinds: cloneKinds(kinds)}
	h.subs[id] = sub
	h.count(sub.kinds, 1)
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if c, ok := h.subs[id]; ok {
			delete(h.subs, id)
			h.count(c.kinds, -1)
			close(c.ch)
		}
	}
}

// Observe calls fn with every domain event of the given kinds (of every
// kind when none is given), synchronously, in the order of the events, on
// the goroutine that folds the event and with the tracker locked: fn must
// not block and must not call back into the tracker (not even Stats,
// Subscribe or its own cancel), or event handling stops. Unlike a
// subscriber, an observer is never dropped and costs no goroutine
// wake-up per event. After cancel returns, fn is not called again.
func (t *Tracker) Observe(fn func(Event), kinds ...EventKind) (cancel func()) {
	h := &t.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.observers == nil {
		h.observers = make(map[int]observer)
	}
	id := h.next
	h.next++
	o := observer{fn: fn, kinds: cloneKinds(kinds)}
	h.observers[id] = o
	h.count(o.kinds, 1)
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if o, ok := h.observers[id]; ok {
			delete(h.observers, id)
			h.count(o.kinds, -1)
		}
	}
}

// cloneKinds copies kinds; none is nil (every kind).
func cloneKinds(kinds []EventKind) []EventKind {
	if len(kinds) == 0 {
		return nil
	}
	return slices.Clone(kinds)
}

// count adds d to the wants of kinds. Called with h.mu held.
func (h *hub) count(kinds []EventKind, d int) {
	if kinds == nil {
		h.all += d
		return
	}
	if h.wants == nil {
		h.wants = make(map[EventKind]int)
	}
	for _, k := range slices.Compact(slices.Sorted(slices.Values(kinds))) {
		h.wants[k] += d
	}
}

// wanted reports whether any subscriber or observer takes kind k. Called
// with h.mu held.
func (h *hub) wanted(k EventKind) bool { return h.all > 0 || h.wants[k] > 0 }

// send hands e to the observers, then to the subscribers, of its kind.
// Called with h.mu held.
func (h *hub) send(e Event) {
	for _, o := range h.observers {
		if takes(o.kinds, e.Kind) {
			o.fn(e)
		}
	}
	for id, sub := range h.subs {
		if !takes(sub.kinds, e.Kind) {
			continue
		}
		select {
		case sub.ch <- e:
		default:
			delete(h.subs, id)
			h.count(sub.kinds, -1)
			close(sub.ch)
			h.log.Warn("dropping a slow tracker subscriber", "subscriber", id, "buffer", cap(sub.ch))
		}
	}
}

// publish sends a domain event about c; fill adds event-specific fields.
// Nothing is built (not even the call's snapshot) when no subscriber or
// observer takes kind. Called with t.mu held, so that events reach
// everyone in the order they were folded.
func (t *Tracker) publish(c *callState, kind EventKind, at time.Time, fill func(*Event)) {
	h := &t.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.wanted(kind) {
		return
	}
	if kind == EventCallEnded || kind == EventCallAnswered {
		c.compute(at)
	}
	e := Event{Kind: kind, At: at, Node: c.rec.Node, LinkedID: c.rec.LinkedID, ClickToCall: c.st.ClickToCall, Call: c.snapshot()}
	if fill != nil {
		fill(&e)
	}
	h.send(e)
}
