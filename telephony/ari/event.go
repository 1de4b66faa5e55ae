// Package ari is Hotline's client for the Asterisk REST Interface: typed
// events decoded from the event WebSocket, typed REST calls, and one
// WebSocket per Asterisk node that reconnects with capped backoff.
//
// The types in the *_gen.go files (models_<spec file>, events_<subject>,
// their readers decode_*, and events_gen.go) are generated from the
// official API description of Asterisk 22 (copied into telephony/ari/spec).
package ari

//go:generate go run ./internal/gen -spec spec -out .

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Event is one typed ARI event. Every event type embeds EventBase.
type Event interface {
	// Base returns the fields every event has.
	Base() *EventBase
}

// EventBase holds the fields common to every ARI event.
type EventBase struct {
	// Type is the event type, e.g. "ChannelCreated".
	Type string `json:"type"`
	// Timestamp is when Asterisk created the event.
	Timestamp Time `json:"timestamp"`
	// Application is the Stasis application receiving the event.
	Application string `json:"application"`
	// AsteriskID is the unique id of the Asterisk instance (its MAC address by default).
	AsteriskID string `json:"asterisk_id,omitempty"`
}

// Base returns e itself; it makes every event type satisfy Event.
func (e *EventBase) Base() *EventBase { return e }

// UnknownEvent is an event whose type this package does not know. Raw keeps
// the frame as received.
type UnknownEvent struct {
	EventBase
	// Raw is the whole JSON frame.
	Raw json.RawMessage `json:"-"`
}

// MarshalJSON writes the frame as received (or just the base fields if there is none).
func (e *UnknownEvent) MarshalJSON() ([]byte, error) {
	if len(e.Raw) == 0 {
		return json.Marshal(e.EventBase)
	}
	return e.Raw, nil
}

// Message is one event frame as received from one Asterisk node, not yet decoded.
type Message struct {
	// Node names the Asterisk node the frame came from.
	Node string
	// Type is the event type found by PeekType.
	Type string
	// Raw is the JSON frame; the receiver owns it.
	Raw []byte
}

// Decode decodes m.Raw into its typed event.
func (m Message) Decode() (Event, error) { return Decode(m.Raw) }

// ErrNoType is returned for a frame that is not a JSON object with a string "type" key.
var ErrNoType = errors.New("ari: event has no type")

// Decode decodes one event frame into its typed struct. A frame of an unknown
// type gives an *UnknownEvent holding a copy of raw. The result is the same
// as encoding/json's (a generated decoder handles the usual frames faster
// and hands anything unusual to encoding/json). Decode does not keep raw.
func Decode(raw []byte) (Event, error) {
	typ, err := PeekType(raw)
	if err != nil {
		return nil, err
	}
	ev := newEvent(typ)
	if ev == nil {
		u := &UnknownEvent{Raw: append(json.RawMessage(nil), raw...)}
		if err := json.Unmarshal(raw, &u.EventBase); err != nil {
			// A newer Asterisk may shape even the common keys differently:
			// keep the frame, with the type PeekType found.
			u.EventBase = EventBase{Type: typ}
		}
		return u, nil
	}
	if fr, ok := ev.(fastReader); ok && decodeFast(raw, fr) == nil {
		return ev, nil
	}
	// Not the everyday shape: encoding/json decides, on a fresh value.
	ev = newEvent(typ)
	if err := json.Unmarshal(raw, ev); err != nil {
		return nil, fmt.Errorf("ari: decode %s: %w", typ, err)
	}
	return ev, nil
}
