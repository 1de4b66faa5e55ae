package aritest

import "strconv"

// How a Dial ends. Each method runs with s.mu held.

func agentCallerID(resource string) CallerID {
	return CallerID{Name: "Agent " + resource, Number: resource}
}

// busy: the phone answered 486 Busy Here.
func (d *dialOp) busy(p *channel) {
	s := d.s
	if d.done || p.destroyed || d.answered != nil {
		return
	}
	s.hangupRequest(p, 17, false)
	s.emitDial(d.caller, p, "BUSY", "")
	d.done = true
	s.setVar(d.caller, "DIALSTATUS", "BUSY")
	s.destroy(p, 17)
	s.idleState(p)
	d.caller.hangupCause = 17
	d.finish("BUSY")
}

// noAnswer: the Dial timeout expired while the phones rang. Not recorded;
// follows app_dial: Dial NOANSWER, the ringing channels are hung up.
func (d *dialOp) noAnswer() {
	s := d.s
	if d.done || d.answered != nil {
		return
	}
	d.done = true
	for _, p := range d.peers {
		if !p.destroyed {
			s.emitDial(d.caller, p, "NOANSWER", "")
		}
	}
	if !d.queue {
		s.setVar(d.caller, "DIALSTATUS", "NOANSWER")
	}
	for _, p := range d.peers {
		if !p.destroyed {
			s.destroy(p, 19)
			s.idleState(p)
		}
	}
	d.caller.hangupCause = 19
	d.finish("NOANSWER")
}

// cancel: the caller hung up while the phones rang (SIP CANCEL): cause 127
// on both, Dial CANCEL.
func (d *dialOp) cancel() {
	s := d.s
	c := d.caller
	if d.done || d.answered != nil || c.destroyed {
		return
	}
	d.done = true
	s.hangupRequest(c, 127, false)
	for _, p := range d.peers {
		if !p.destroyed {
			s.emitDial(c, p, "CANCEL", "")
		}
	}
	if !d.queue {
		s.setVar(c, "DIALSTATUS", "CANCEL")
	}
	s.hangupRequest(c, 16, true)
	for _, p := range d.peers {
		if !p.destroyed {
			s.emitDevice(p.endpoint, "NOT_INUSE")
		}
	}
	if c.endpoint == "PJSIP/customers" {
		s.emitDevice(c.endpoint, "UNAVAILABLE")
	}
	for _, p := range d.peers {
		if !p.destroyed {
			s.destroy(p, 127)
		}
	}
	s.destroy(c, 127)
	if c.endpoint != "PJSIP/customers" {
		s.idleState(c)
	}
}

// peerHangup: the answered phone hung up (BYE); the caller continues its
// dialplan after the Dial.
func (d *dialOp) peerHangup(p *channel) {
	s := d.s
	c := d.caller
	if d.done || d.answered != p || p.destroyed {
		return
	}
	d.done = true
	s.qos(p, c)
	s.emitDevice(p.endpoint, "NOT_INUSE")
	s.hangupRequest(p, 16, false)
	s.clearBridgePeer(p, c)
	s.leaveBridge(d.bridge, p)
	s.leaveBridge(d.bridge, c)
	now := s.clock.Now()
	s.setVar(c, "ANSWEREDTIME", strconv.FormatInt(now.Sub(d.answerAt).Milliseconds()/1000, 10))
	s.setVar(c, "ANSWEREDTIME_MS", strconv.FormatInt(now.Sub(d.answerAt).Milliseconds(), 10))
	s.setVar(c, "DIALEDTIME", strconv.FormatInt(now.Sub(d.start).Milliseconds()/1000, 10))
	s.destroy(p, 16)
	s.setVar(c, "DIALEDTIME_MS", strconv.FormatInt(now.Sub(d.start).Milliseconds(), 10))
	if !d.queue {
		s.setVar(c, "DIALSTATUS", "ANSWER")
	}
	d.finish("ANSWER")
}

// callerHangup: the calling phone hung up (BYE) while bridged; Asterisk
// hangs up the answered phone. omitCause reproduces app_queue's
// ChannelHangupRequest without a cause.
func (d *dialOp) callerHangup() {
	s := d.s
	c, p := d.caller, d.answered
	if d.done || p == nil || c.destroyed {
		return
	}
	d.done = true
	s.qos(c, p)
	cause := 16
	if d.queue {
		cause = -1
	}
	s.hangupRequest(c, cause, false)
	s.clearBridgePeer(c, p)
	s.leaveBridge(d.bridge, c)
	d.endVars(true)
	s.hangupRequest(c, 16, true)
	s.leaveBridge(d.bridge, p)
	s.destroyBridge(d.bridge)
	s.qos(p, nil)
	s.destroy(p, 16)
	s.destroy(c, 16)
	s.idleState(p)
	s.idleState(c)
}

// finish ends the Dial and runs the caller's dialplan continuation, or
// hangs the caller up when there is none.
func (d *dialOp) finish(status string) {
	c := d.caller
	defer func() {
		if c.dial == d {
			c.dial = nil
		}
	}()
	if c.destroyed {
		return
	}
	if d.after != nil {
		d.after(status)
		return
	}
	d.s.dialplanHangup(c, d.bridge)
}

// dialplanHangup runs Hangup() on a channel whose Dial ended, destroying
// the Dial's bridge afterwards.
func (s *Server) dialplanHangup(c *channel, b *bridge) {
	cause := c.hangupCause
	if cause == 0 {
		cause = 16
	}
	s.hangupRequest(c, 16, true)
	if c.state == "Up" {
		s.qos(c, nil)
	}
	s.destroy(c, cause)
	if b != nil {
		s.destroyBridge(b)
	}
	s.idleState(c)
}
