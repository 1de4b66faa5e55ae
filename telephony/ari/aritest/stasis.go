package aritest

import (
	"strings"

	"hotline/telephony/ari"
)

// The app's side of a channel: entering and leaving Stasis.

const appName = "hotline"

// stasisFromDialplan runs Stasis(hotline,<args>) from the dialplan. With no
// WebSocket registered for the app, Stasis fails at once and the dialplan
// continues to Hangup(). Caller holds s.mu.
func (s *Server) stasisFromDialplan(c *channel, args string) {
	s.dialplanApp(c, "Stasis", appName+","+args)
	s.setVar(c, "STASISSTATUS", "")
	if !s.appRegistered(appName) {
		s.setVar(c, "STASISSTATUS", "FAILED")
		if (c.dp.Exten == "7009" || c.dp.Exten == "7010") && c.state != "Up" {
			c.hangupCause = 21 // 603 Decline to the caller
		}
		var b *bridge
		if c.dial != nil {
			b = c.dial.bridge
		}
		s.dialplanHangup(c, b)
		return
	}
	var b *bridge
	if c.dial != nil {
		b = c.dial.bridge
		c.dial = nil
	}
	c.fromDialpl = true
	s.startStasis(c, strings.Split(args, ","))
	if b != nil {
		s.destroyBridge(b)
	}
}

// startStasis emits StasisStart for a channel entering the app.
func (s *Server) startStasis(c *channel, args []string) {
	c.inStasis = true
	c.stasisArgs = args
	if args == nil {
		args = []string{}
	}
	s.emitChannel(ari.TypeStasisStart, c, fields{"args": args})
	c.fire("stasis")
}

// endStasis emits StasisEnd and STASISSTATUS=SUCCESS.
func (s *Server) endStasis(c *channel) {
	if !c.inStasis {
		return
	}
	c.inStasis = false
	s.emitChannel(ari.TypeStasisEnd, c, nil)
	s.setVar(c, "STASISSTATUS", "SUCCESS")
}

// stasisHangup hangs up a SIP channel held by the app: explicit is an ARI
// DELETE (soft cause 32), otherwise the phone sent BYE (cause 16).
func (s *Server) stasisHangup(c *channel, explicit bool) {
	if c.half != 0 {
		if explicit {
			s.localHangup(c, 32, true)
		} else {
			s.localHangup(c, 16, false)
		}
		return
	}
	if c.state == "Up" {
		s.qos(c, nil)
	}
	if explicit {
		s.hangupRequest(c, 32, true)
	} else {
		s.hangupRequest(c, 16, false)
	}
	if c.bridge != nil {
		s.leaveBridge(c.bridge, c)
	}
	s.endStasis(c)
	if c.fromDialpl {
		s.hangupRequest(c, 16, true)
	}
	cause := c.hangupCause
	if cause == 0 || cause == 32 {
		cause = 16
	}
	s.destroy(c, cause)
	s.idleState(c)
}
