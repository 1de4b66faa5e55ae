package aritest

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"hotline/telephony/ari"
)

// fields are the type-specific members of one event.
type fields map[string]any

// frame is one marshalled event waiting for delivery; key names the channel
// (or bridge, playback) it concerns, so reordering keeps per-key order.
type frame struct {
	typ string
	key string
	raw []byte
	at  time.Time // real time it was produced
}

// formatTime writes t as Asterisk writes event timestamps.
func formatTime(t time.Time) string { return t.UTC().Format(ari.TimeLayout) }

// pending is an event produced under s.mu, waiting to be marshalled by the
// dispatcher for the sockets registered when it was produced.
type pending struct {
	typ, key string
	f        fields
	apps     []*application
	socks    []*socket
}

// emit stamps an event with the virtual time and queues it for every
// registered application (an application without a socket loses it, as
// Asterisk does). Caller holds s.mu, so events keep the order the
// simulation produced them; marshalling happens outside the lock.
func (s *Server) emit(typ, key string, f fields) {
	now := s.clock.Now()
	s.stats.events++
	p := pending{typ: typ, key: key, f: f}
	for _, a := range s.apps {
		if a.sock != nil && a.wants(typ) {
			p.apps = append(p.apps, a)
			p.socks = append(p.socks, a.sock)
		}
	}
	if len(p.apps) == 0 {
		return
	}
	f["type"] = typ
	f["timestamp"] = formatTime(now)
	f["asterisk_id"] = s.opts.AsteriskID
	s.outMu.Lock()
	s.outbox = append(s.outbox, p)
	s.outMu.Unlock()
	select {
	case s.outSignal <- struct{}{}:
	default:
	}
}

// dispatch marshals queued events and hands them to their sockets, in order.
func (s *Server) dispatch() {
	for {
		select {
		case <-s.outSignal:
		case <-s.stop:
			return
		}
		for {
			s.outMu.Lock()
			batch := s.outbox
			s.outbox = nil
			s.outMu.Unlock()
			if len(batch) == 0 {
				break
			}
			for _, p := range batch {
				for i, a := range p.apps {
					p.f["application"] = a.name
					raw, err := marshalFrame(p.f)
					if err != nil {
						s.logger.Error("marshal event", "type", p.typ, "err", err)
						continue
					}
					p.socks[i].enqueue(frame{typ: p.typ, key: p.key, raw: raw, at: time.Now()})
				}
			}
		}
	}
}

// emitChannel emits an event about one channel (a snapshot of it now).
func (s *Server) emitChannel(typ string, c *channel, f fields) {
	if f == nil {
		f = fields{}
	}
	f["channel"] = c.json(s.opts.ChannelVarsLinkedID)
	s.emit(typ, c.id, f)
}

// emitDial emits a Dial event; caller may be nil (originate, /dial).
func (s *Server) emitDial(caller, peer *channel, status, dialstring string) {
	f := fields{"dialstatus": status, "forward": "", "dialstring": dialstring, "peer": peer.json(s.opts.ChannelVarsLinkedID)}
	if caller != nil {
		f["caller"] = caller.json(s.opts.ChannelVarsLinkedID)
	}
	s.emit(ari.TypeDial, peer.id, f)
}

// emitDevice records and emits a DeviceStateChanged.
func (s *Server) emitDevice(name, state string) {
	s.devices[name] = state
	s.emit(ari.TypeDeviceStateChanged, "device:"+name, fields{"device_state": fields{"name": name, "state": state}})
}

// emitBridge emits an event about a bridge, optionally with a channel.
func (s *Server) emitBridge(typ string, b *bridge, c *channel) {
	f := fields{"bridge": b.json()}
	key := "bridge:" + b.id
	if c != nil {
		f["channel"] = c.json(s.opts.ChannelVarsLinkedID)
		key = c.id
	}
	s.emit(typ, key, f)
}

// frameOrder is the order of an event frame's keys as Asterisk writes
// them (shared/ari/transcripts): for most types "type" and "timestamp"
// first and "asterisk_id" and "application" last, but a hang-up request
// and a variable set lead with their own fields, so a reader looking for
// "type" meets what it meets with a real Asterisk. A key not listed goes,
// sorted, before "asterisk_id".
var frameOrder = map[string][]string{
	ari.TypeChannelHangupRequest: {"cause", "soft", "tech_cause", "type", "timestamp", "channel"},
	ari.TypeChannelVarset:        {"variable", "value", "type", "timestamp", "channel"},
	ari.TypeChannelDestroyed:     {"type", "timestamp", "cause", "cause_txt", "tech_cause", "channel"},
	ari.TypeChannelDialplan:      {"type", "timestamp", "dialplan_app", "dialplan_app_data", "channel"},
	ari.TypeChannelCallerId:      {"type", "timestamp", "caller_presentation", "caller_presentation_txt", "channel"},
	ari.TypeChannelDtmfReceived:  {"type", "timestamp", "digit", "duration_ms", "channel"},
	ari.TypeChannelEnteredBridge: {"type", "timestamp", "bridge", "channel"},
	ari.TypeChannelLeftBridge:    {"type", "timestamp", "bridge", "channel"},
	ari.TypeChannelHold:          {"type", "timestamp", "musicclass", "channel"},
	ari.TypeDial:                 {"type", "timestamp", "dialstatus", "forward", "dialstring", "caller", "peer"},
	ari.TypeStasisStart:          {"type", "timestamp", "args", "channel"},
	ari.TypeBridgeBlindTransfer:  {"type", "timestamp", "channel", "exten", "context", "result", "is_external", "transferee", "bridge"},
	ari.TypeBridgeAttendedTransfer: {"type", "timestamp", "transferer_first_leg", "transferer_second_leg", "result", "is_external",
		"transferee", "transfer_target", "transferer_first_leg_bridge", "transferer_second_leg_bridge", "destination_type", "destination_bridge"},
	ari.TypeDeviceStateChanged:  {"type", "application", "timestamp", "device_state"},
	ari.TypeApplicationReplaced: {"type", "timestamp", "application"},
}

// marshalFrame encodes an event's fields in Asterisk's key order.
func marshalFrame(f fields) ([]byte, error) {
	typ, _ := f["type"].(string)
	order, ok := frameOrder[typ]
	if !ok {
		order = []string{"type", "timestamp"}
	}
	keys := slices.Clone(order)
	var rest []string
	for k := range f {
		if !slices.Contains(order, k) && k != "asterisk_id" && k != "application" {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	keys = append(keys, rest...)
	for _, k := range []string{"asterisk_id", "application"} {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	b := []byte{'{'}
	for _, k := range keys {
		v, ok := f[k]
		if !ok {
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", k, err)
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		kj, _ := json.Marshal(k)
		b = append(append(append(b, kj...), ':'), raw...)
	}
	return append(b, '}'), nil
}
