package aritest

import (
	"encoding/json"
	"time"
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

const asteriskTimeLayout = "2006-01-02T15:04:05.000-0700"

func formatTime(t time.Time) string { return t.UTC().Format(asteriskTimeLayout) }

// emit stamps an event with the virtual time and hands it to every
// registered application. Caller holds s.mu, so events leave in the order
// the simulation produced them.
func (s *Server) emit(typ, key string, f fields) {
	now := s.clock.Now()
	s.stats.events++
	if len(s.apps) == 0 {
		return
	}
	f["type"] = typ
	f["timestamp"] = formatTime(now)
	f["asterisk_id"] = s.opts.AsteriskID
	for _, a := range s.apps {
		if a.sock == nil || !a.wants(typ) {
			continue
		}
		f["application"] = a.name
		raw, err := json.Marshal(f)
		if err != nil {
			s.logger.Error("marshal event", "type", typ, "err", err)
			continue
		}
		a.sock.enqueue(frame{typ: typ, key: key, raw: raw, at: time.Now()})
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
	s.emit("Dial", peer.id, f)
}

// emitDevice records and emits a DeviceStateChanged.
func (s *Server) emitDevice(name, state string) {
	s.devices[name] = state
	s.emit("DeviceStateChanged", "device:"+name, fields{"device_state": fields{"name": name, "state": state}})
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
