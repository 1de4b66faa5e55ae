package aritest

import (
	"encoding/json"
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
					raw, err := json.Marshal(p.f)
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
