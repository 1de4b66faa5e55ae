package ari

import (
	"maps"
	"time"
)

// Stats are the event socket's counters since the client was made.
type Stats struct {
	// Connected says whether the event WebSocket is open now.
	Connected bool
	// Connects counts successful connects; Reconnects is Connects-1 (never negative).
	Connects, Reconnects uint64
	// Events counts frames by event type, for the types of the spec.
	Events map[string]uint64
	// Unknown counts frames of a type the spec does not know (not in Events, to keep it bounded).
	Unknown uint64
	// Malformed counts frames that were not a JSON object with a "type".
	Malformed uint64
	// LastConnect is when the socket last connected (zero if never).
	LastConnect time.Time
	// LastError is the error that ended the last connection or connect attempt.
	LastError string
}

// Stats returns a copy of the counters.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Events = maps.Clone(c.stats.Events)
	s.Connected = c.connected.Load()
	if s.Connects > 0 {
		s.Reconnects = s.Connects - 1
	}
	return s
}

func (c *Client) noteConnect() {
	c.mu.Lock()
	c.stats.Connects++
	c.stats.LastConnect = c.cfg.Now()
	c.mu.Unlock()
}

func (c *Client) noteEvent(typ string) {
	c.mu.Lock()
	if knownType(typ) {
		c.stats.Events[typ]++
	} else {
		c.stats.Unknown++
	}
	c.mu.Unlock()
}

func (c *Client) noteMalformed() {
	c.mu.Lock()
	c.stats.Malformed++
	c.mu.Unlock()
}

func (c *Client) noteError(err error) {
	c.mu.Lock()
	c.stats.LastError = c.scrubString(err.Error())
	c.mu.Unlock()
}
