package aritest

import (
	"context"
	"time"
)

// Local channels into the dial context (Options.DialContext, "agents"):
// half 2 of Local/<number>@agents runs the context's outbound pattern
// (_+X., _8X.: Dial(PJSIP/${EXTEN}@pstn,60)) to the simulated callee, as
// campaigns and click-to-call do on a real Asterisk; Local/100X@agents
// rings that agent (Dial(PJSIP/100X,30)). No recording has a
// Local half running Dial; the events combine the Local transcripts
// (outbound-*: Dial on half 1 "" -> RINGING -> ANSWER, StasisStart once
// answered, device INUSE/NOT_INUSE pairs) with sip-outbound's Dial to the
// trunk (half 2 in the role of the agent's channel). Half 1 rings when the
// callee rings, answers when it answers, hangs up when it hangs up; a
// failed Dial (busy, no answer) ends both halves with the Dial's cause,
// which half 1's originate reports as its Dial status, as core_unreal and
// dial.c do.

// runLocalDialOut starts half 2's Dial as pbxStart's dial context does: a
// number to the pstn trunk, an agent's extension to that agent's phone. It
// reports false when exten@context is neither. Caller holds s.mu.
func (s *Server) runLocalDialOut(lc *localCall) bool {
	two := lc.two
	exten := two.dp.Exten
	_, agent := s.agents[exten]
	if two.dp.Context != s.opts.DialContext || (!agent && !dialsOut(exten)) {
		return false
	}
	lc.dialStarted = true
	if !lc.viaDial {
		s.emitDial(nil, lc.one, "", lc.dialstring)
	}
	ctx := context.Background()
	var d *dialOp
	after := func(status string) { s.localDialEnded(lc, d, status) }
	if agent {
		d = s.dialAgent(ctx, two, exten, "PJSIP/"+exten+",30", 30*time.Second, nil, after)
		return true
	}
	d = s.startDial(two, "PJSIP/"+exten+"@pstn,60", false)
	d.after = after
	p := d.addPSTNPeer(exten)
	s.startPhone(ctx, d, p, s.calleeFor(exten), nil)
	s.dialTimer(ctx, d, 60*time.Second)
	return true
}

// localDialRinging: the callee rings; half 2 passes the indication to
// half 1 (its originate's Dial goes RINGING). Caller holds s.mu.
func (s *Server) localDialRinging(lc *localCall) {
	if lc.one.destroyed || lc.answered {
		return
	}
	s.setState(lc.one, "Ringing")
	s.emitDial(nil, lc.one, "RINGING", lc.dialEventString())
}

// dialEventString is the dialstring of half 1's later Dial events: the
// originate repeats it, /dial sends it only in the first one.
func (lc *localCall) dialEventString() string {
	if lc.viaDial {
		return ""
	}
	return lc.dialstring
}

// localDialEnded: half 2's Dial is over and its dialplan has nothing
// more, so it hangs up. After a talk both halves end normally; a Dial that
// was never answered ends half 1 with the Dial's cause (17 busy, 19 no
// answer). Caller holds s.mu.
func (s *Server) localDialEnded(lc *localCall, d *dialOp, status string) {
	one, two := lc.one, lc.two
	if status == "ANSWER" || lc.answered {
		s.localHangup(two, 16, true)
		if d.bridge != nil {
			s.destroyBridge(d.bridge)
		}
		return
	}
	cause := two.hangupCause
	if cause == 0 {
		cause = 16
	}
	s.callerInUse(two)
	s.hangupRequest(two, 16, true)
	if !one.destroyed {
		s.hangupRequest(one, cause, false)
		s.emitDial(nil, one, dialStatusOf(cause), lc.dialEventString())
		if one.bridge != nil {
			s.leaveBridge(one.bridge, one)
		}
		if one.inStasis {
			s.endStasis(one)
		}
	}
	s.destroy(two, cause)
	s.destroy(one, cause)
	s.emitDevice(lc.device, "NOT_INUSE")
	s.emitDevice(lc.device, "NOT_INUSE")
}

// dialStatusOf is the Dial status an originate reports for the cause its
// channel was hung up with (ast_hangup_cause_to_dial_status).
func dialStatusOf(cause int) string {
	switch cause {
	case 17:
		return "BUSY"
	case 18, 19:
		return "NOANSWER"
	case 1, 3, 34, 38:
		return "CHANUNAVAIL"
	}
	return "CONGESTION"
}

// dropCallerDial ends the Dial a Local half 2 runs because that half is
// going away (its other half hung up or timed out): ringing peers are
// cancelled with cause, an answered peer leaves the bridge and is hung up.
// Caller holds s.mu.
func (s *Server) dropCallerDial(c *channel, cause int) {
	d := c.dial
	if d == nil || d.caller != c || d.done {
		return
	}
	d.done = true
	if p := d.answered; p != nil {
		s.clearBridgePeer(c, p)
		s.leaveBridge(d.bridge, c)
		d.endVars(true)
		s.leaveBridge(d.bridge, p)
		s.destroyBridge(d.bridge)
		s.qos(p, nil)
		s.destroy(p, 16)
		s.idleState(p)
		return
	}
	for _, p := range d.peers {
		if !p.destroyed {
			s.emitDial(c, p, "CANCEL", "")
		}
	}
	s.setVar(c, "DIALSTATUS", "CANCEL")
	for _, p := range d.peers {
		if !p.destroyed {
			s.destroy(p, cause)
			s.idleState(p)
		}
	}
}

// dtmfTarget is the channel that reports the digits a phone sends on c: c
// itself in Stasis, or, when c is bridged by a Dial with a Local half 2,
// that pair's half 1 in Stasis (the Local channel passes the digits on).
// Nil when nobody in Stasis hears them. Caller holds s.mu.
func (s *Server) dtmfTarget(c *channel) *channel {
	if c.destroyed {
		return nil
	}
	if c.inStasis {
		return c
	}
	if c.bridge == nil {
		return nil
	}
	o := c.bridge.otherMember(c)
	if o == nil || o.half != 2 || o.peer == nil || o.peer.destroyed || !o.peer.inStasis {
		return nil
	}
	return o.peer
}
