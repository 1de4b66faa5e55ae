package aritest

import (
	"time"

	"hotline/telephony/ari"
)

// bridge is a simulated Asterisk bridge. Dial and Queue make "basic"
// bridges (simple_bridge, silently native_rtp once two SIP channels are in
// it); ARI makes "stasis" ones.
type bridge struct {
	id, name, class, typ, tech, creator, videoMode string
	created                                        time.Time
	members                                        []*channel
	destroyed                                      bool
	mohOn                                          bool
}

type bridgeJSON struct {
	ID           string   `json:"id"`
	Technology   string   `json:"technology"`
	BridgeType   string   `json:"bridge_type"`
	BridgeClass  string   `json:"bridge_class"`
	Creator      string   `json:"creator"`
	Name         string   `json:"name"`
	Channels     []string `json:"channels"`
	CreationTime string   `json:"creationtime"`
	VideoMode    string   `json:"video_mode"`
}

func (b *bridge) json() bridgeJSON {
	return bridgeJSON{ID: b.id, Technology: b.tech, BridgeType: b.typ, BridgeClass: b.class,
		Creator: b.creator, Name: b.name, Channels: sortedIDs(b.members),
		CreationTime: formatTime(b.created), VideoMode: b.videoMode}
}

// newBasicBridge creates the bridge Dial/Queue use and emits BridgeCreated.
func (s *Server) newBasicBridge() *bridge {
	b := &bridge{id: s.newUUID(), class: "basic", typ: "mixing", tech: "simple_bridge",
		videoMode: "none", created: s.clock.Now()}
	s.bridges[b.id] = b
	s.emitBridge(ari.TypeBridgeCreated, b, nil)
	return b
}

// newStasisBridge creates a bridge for POST /bridges and emits BridgeCreated.
func (s *Server) newStasisBridge(id, name, typ string) *bridge {
	if id == "" {
		id = s.newUUID()
	}
	if typ == "" {
		typ = "mixing"
	}
	b := &bridge{id: id, name: name, class: "stasis", typ: typ, tech: "simple_bridge",
		creator: "Stasis", videoMode: "talker", created: s.clock.Now()}
	if typ == "holding" {
		b.tech = "holding_bridge"
		b.videoMode = "none"
	}
	s.bridges[b.id] = b
	s.emitBridge(ari.TypeBridgeCreated, b, nil)
	return b
}

// enterBridge adds c to b and emits ChannelEnteredBridge. Like Asterisk,
// every channel of the bridge then takes the oldest linkedid among them;
// no event announces that.
func (s *Server) enterBridge(b *bridge, c *channel) {
	if c.bridge != nil && c.bridge != b {
		s.leaveBridge(c.bridge, c)
	}
	b.members = append(b.members, c)
	c.bridge = b
	oldest := c
	for _, m := range b.members {
		if m.linkedSeq < oldest.linkedSeq {
			oldest = m
		}
	}
	for _, m := range b.members {
		m.linkedID, m.linkedSeq = oldest.linkedID, oldest.linkedSeq
	}
	s.emitBridge(ari.TypeChannelEnteredBridge, b, c)
}

// leaveBridge removes c from b and emits ChannelLeftBridge.
func (s *Server) leaveBridge(b *bridge, c *channel) {
	for i, m := range b.members {
		if m == c {
			b.members = append(b.members[:i], b.members[i+1:]...)
			break
		}
	}
	c.bridge = nil
	s.emitBridge(ari.TypeChannelLeftBridge, b, c)
}

// destroyBridge emits BridgeDestroyed (members must have left already).
func (s *Server) destroyBridge(b *bridge) {
	if b.destroyed {
		return
	}
	b.destroyed = true
	delete(s.bridges, b.id)
	s.emitBridge(ari.TypeBridgeDestroyed, b, nil)
}

// otherMember returns a bridge member other than c, or nil.
func (b *bridge) otherMember(c *channel) *channel {
	for _, m := range b.members {
		if m != c {
			return m
		}
	}
	return nil
}
