package aritest

import (
	"context"
	"time"

	"hotline/telephony/ari"
)

// blindTransfer: agent channel p REFERs its caller to extension to. The
// caller then runs agents/<to> itself (Dial to the target); the transferer
// channel is destroyed without a ChannelHangupRequest. Caller holds s.mu.
func (s *Server) blindTransfer(ctx context.Context, p *channel, to string, phones map[string]Phone) {
	d := p.dial
	if d == nil || d.answered != p || d.done || p.destroyed {
		return
	}
	c, b := d.caller, d.bridge
	s.emitChannel(ari.TypeChannelUnhold, p, nil)
	s.setVar(c, "BLINDTRANSFER", p.name)
	s.setVar(p, "BLINDTRANSFER", c.name)
	s.setVar(c, "SIPTRANSFER", "yes")
	s.setVar(c, "SIPREFERRINGCONTEXT", "agents")
	referredBy := "<sip:" + p.endpoint[len("PJSIP/"):] + "@127.0.0.1:5071;transport=udp>"
	s.setVar(c, "__SIPREFERREDBYHDR", referredBy)
	s.setVar(c, "SIPREFERTOHDR", "sip:"+to+"@127.0.0.1:5060")
	s.bridgePeerVars(c, p, 2)
	s.clearBridgePeer(c)
	s.emitChannel("ChannelDialplan", c, fields{"dialplan_app": c.dp.AppName, "dialplan_app_data": c.dp.AppData})
	s.clearBridgePeer(p)
	snapshot := b.json()
	s.leaveBridge(b, c)
	s.emitDevice(p.endpoint, "NOT_INUSE")
	s.leaveBridge(b, p)
	s.emit(ari.TypeBridgeBlindTransfer, p.id, fields{
		"channel": p.json(s.opts.ChannelVarsLinkedID), "exten": to, "context": "agents", "result": "Success",
		"is_external": true, "transferee": c.json(s.opts.ChannelVarsLinkedID), "bridge": snapshot,
	})
	s.qos(p, nil)
	d.done = true
	s.destroy(p, 16)
	s.destroyBridge(b)
	s.setVar(c, "DIALSTATUS", "ANSWER")
	c.dial = nil
	// The transferee now runs [agents] <to>: Dial(PJSIP/<to>,30).
	c.dp = dialplanCEP{Context: "agents", Exten: to}
	nd := s.startDial(c, "PJSIP/"+to+",30", false)
	np := nd.addAgentPeerWith(to, map[string]string{"__SIPREFERREDBYHDR": referredBy})
	s.startPhone(ctx, nd, np, s.phoneFor(to, phones), phones)
	s.dialTimer(ctx, nd, 30*time.Second)
}

// attendedTransfer: agent channel p holds its caller, calls agent
// ph.AttendedTransferTo from a second channel, talks ph.ConsultFor after
// the answer and REFERs with Replaces: the caller moves into the
// consultation bridge and both agent channels go away.
func (s *Server) attendedTransfer(ctx context.Context, p *channel, ph Phone, phones map[string]Phone) {
	to := ph.AttendedTransferTo
	var second *channel
	s.locked(func() {
		if p.destroyed || p.dial == nil || p.dial.answered != p {
			return
		}
		s.hold(p, true)
		resource := p.endpoint[len("PJSIP/"):]
		second = s.internalCaller(resource, to)
		s.dialAgent(ctx, second, to, "PJSIP/"+to+",30", 30*time.Second, phones, nil)
	})
	if second == nil {
		return
	}
	if !s.wait(ctx, anyOf(second.signal("up"), second.hangup)) || second.hangupRequested() {
		return
	}
	if s.clock.SleepOr(ctx, ph.ConsultFor, p.hangup) != nil {
		return
	}
	s.locked(func() { s.completeAttended(p, second) })
}

// completeAttended performs the REFER with Replaces. Caller holds s.mu.
func (s *Server) completeAttended(p, second *channel) {
	d, d2 := p.dial, second.dial
	if d == nil || d2 == nil || d.answered != p || d2.answered == nil || p.destroyed || second.destroyed {
		return
	}
	c, target := d.caller, d2.answered
	b1, b2 := d.bridge, d2.bridge
	s.emitChannel(ari.TypeChannelUnhold, p, nil)
	s.emitChannel(ari.TypeChannelUnhold, second, nil)
	s.setVar(c, "ATTENDEDTRANSFER", p.name)
	s.setVar(p, "ATTENDEDTRANSFER", c.name)
	s.emitDevice(c.endpoint, "INUSE")
	s.emitDevice(p.endpoint, "NOT_INUSE")
	snap1, snap2 := b1.json(), b2.json()
	s.leaveBridge(b1, c)
	s.clearBridgePeer(second)
	s.leaveBridge(b2, second)
	s.enterBridge(b2, c)
	s.setVar(c, "ATTENDEDTRANSFER", "")
	s.bridgePeerVars(target, c, 1)
	s.clearBridgePeer(p)
	s.bridgePeerVars(target, c, 2)
	c.connected = target.caller
	s.emitChannel(ari.TypeChannelConnectedLine, c, nil)
	d2.endVars(true)
	s.hangupRequest(second, 1, true)
	s.emit(ari.TypeBridgeAttendedTransfer, p.id, fields{
		"transferer_first_leg": p.json(s.opts.ChannelVarsLinkedID), "transferer_second_leg": second.json(s.opts.ChannelVarsLinkedID),
		"result": "Success", "is_external": false, "transferee": c.json(s.opts.ChannelVarsLinkedID),
		"transfer_target":             target.json(s.opts.ChannelVarsLinkedID),
		"transferer_first_leg_bridge": snap1, "transferer_second_leg_bridge": snap2,
		"destination_type": "bridge", "destination_bridge": b2.id,
	})
	target.connected = c.caller
	s.emitChannel(ari.TypeChannelConnectedLine, target, nil)
	s.leaveBridge(b1, p)
	s.hangupRequest(second, 16, true)
	s.qos(p, nil)
	s.destroyBridge(b1)
	d2.done = true
	second.dial = nil
	s.destroy(p, 16)
	s.qos(second, nil)
	s.destroy(second, 16)
	// The caller's original Dial now talks to the target.
	d.answered, d.bridge = target, b2
	target.dial = d
	d.strings[target] = target.endpoint[len("PJSIP/"):]
}

// addAgentPeerWith is addAgentPeer with inherited variables set on the new
// channel right after DIALEDPEERNUMBER (e.g. __SIPREFERREDBYHDR).
func (d *dialOp) addAgentPeerWith(resource string, inherit map[string]string) *channel {
	d.inherit = inherit
	defer func() { d.inherit = nil }()
	return d.addAgentPeer(resource)
}
