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

// hub fans events out to subscribers without blocking: each has a
// buffered channel, and one that falls behind is dropped (its channel is
// closed without a cancel, which tells it to resubscribe and resync).
type hub struct {
	log  *slog.Logger
	mu   sync.Mutex
	next int
	subs map[int]subscriber
}

type subscriber struct {
	ch    chan Event
	kinds []EventKind // nil: every kind
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
	h.subs[id] = subscriber{ch: ch, kinds: slices.Clone(kinds)}
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if c, ok := h.subs[id]; ok {
			delete(h.subs, id)
			close(c.ch)
		}
	}
}

func (h *hub) send(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, sub := range h.subs {
		if sub.kinds != nil && !slices.Contains(sub.kinds, e.Kind) {
			continue
		}
		select {
		case sub.ch <- e:
		default:
			delete(h.subs, id)
			close(sub.ch)
			h.log.Warn("dropping a slow tracker subscriber", "subscriber", id, "buffer", cap(sub.ch))
		}
	}
}

func (h *hub) active() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs) > 0
}

// publish sends a domain event about c; fill adds event-specific fields.
func (t *Tracker) publish(c *callState, kind EventKind, at time.Time, fill func(*Event)) {
	if !t.hub.active() {
		return
	}
	if kind == EventCallEnded || kind == EventCallAnswered {
		c.compute(at)
	}
	e := Event{Kind: kind, At: at, Node: c.rec.Node, LinkedID: c.rec.LinkedID, ClickToCall: c.st.ClickToCall, Call: c.snapshot()}
	if fill != nil {
		fill(&e)
	}
	t.hub.send(e)
}
