package aritest

import (
	"context"
	"strings"
	"time"
)

// ARI-originated PJSIP channels (click-to-call to an agent phone or through
// the pstn trunk). Not covered by a recording: modelled on the Local
// originate flows (Dial events without caller, StasisStart once answered)
// and the SIP phone behaviour of the sip-* transcripts.

type pjsipCall struct {
	c     *channel
	phone Phone
	args  []string
	app   bool
}

// newPJSIPOut allocates the outgoing channel for resource (1001 or
// +7...@pstn), with the originator's linkedid if there is one. Caller
// holds s.mu.
func (s *Server) newPJSIPOut(resource, id string, caller CallerID, originator *channel) (*channel, Phone) {
	endpoint, ph := resource, s.phoneFor(resource, nil)
	if _, trunk, ok := strings.Cut(resource, "@"); ok {
		endpoint, ph = trunk, DefaultPhone
	}
	c := s.newChannel("PJSIP/"+endpoint, id, "Down", dialplanCEP{Context: "default", Exten: "s", Priority: 1}, caller)
	c.connected = caller
	c.inheritLinked(originator)
	s.emitChannel("ChannelCreated", c, nil)
	c.protocolID = s.newUUID()
	return c, ph
}

// originatePJSIP: POST /channels to a PJSIP endpoint. Caller holds s.mu.
func (s *Server) originatePJSIP(resource, id string, caller CallerID, originator *channel, app string, args []string, timeout time.Duration) *channel {
	c, ph := s.newPJSIPOut(resource, id, caller, originator)
	pc := &pjsipCall{c: c, phone: ph, args: args, app: app != ""}
	s.dialPJSIP(pc, timeout)
	return c
}

// createPJSIP: POST /channels/create: in Stasis at once, dialled later.
func (s *Server) createPJSIP(resource, id string, originator *channel, args []string) *channel {
	c, ph := s.newPJSIPOut(resource, id, CallerID{}, originator)
	s.dialplanApp(c, "Stasis", appName+","+strings.Join(args, ","))
	s.setVar(c, "STASISSTATUS", "")
	s.startStasis(c, args)
	s.pjsipCreated[c.id] = &pjsipCall{c: c, phone: ph, args: args}
	return c
}

// dialPJSIP rings the phone and runs its script. Caller holds s.mu.
func (s *Server) dialPJSIP(pc *pjsipCall, timeout time.Duration) {
	c := pc.c
	dialstring := strings.TrimPrefix(c.endpoint, "PJSIP/")
	s.emitDial(nil, c, "", dialstring)
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.runPJSIPPhone(pc, timeout)
	}()
}

// runPJSIPPhone plays the called phone's script for an ARI-originated call.
func (s *Server) runPJSIPPhone(pc *pjsipCall, timeout time.Duration) {
	c := pc.c
	ctx := context.Background()
	ph := pc.phone
	if ph.Busy {
		if s.clock.SleepOr(ctx, 200*time.Millisecond, c.hangup) != nil {
			return
		}
		s.locked(func() {
			s.emitDial(nil, c, "BUSY", "")
			if !c.inStasis {
				s.hangupRequest(c, 17, false)
				s.destroy(c, 17)
			}
		})
		return
	}
	s.locked(func() {
		s.setState(c, "Ringing")
		s.emitDevice(c.endpoint, "RINGING")
		s.emitDial(nil, c, "RINGING", "")
	})
	answer := ph.AnswerAfter
	if answer == 0 {
		answer = 2 * time.Second
	}
	if ph.NeverAnswer || answer >= timeout {
		if s.clock.SleepOr(ctx, timeout, c.hangup) != nil {
			return
		}
		s.locked(func() {
			if c.inStasis {
				s.hangupRequest(c, 32, true)
				s.endStasis(c)
			} else {
				s.hangupRequest(c, 19, false)
			}
			s.destroy(c, 19)
			s.idleState(c)
		})
		return
	}
	if s.clock.SleepOr(ctx, answer, c.hangup) != nil {
		return
	}
	s.locked(func() {
		s.setState(c, "Up")
		s.emitDial(nil, c, "ANSWER", "")
		s.emitDevice(c.endpoint, "INUSE")
		if pc.app && !c.inStasis {
			s.enterAppAfterAnswer(c, pc.args)
		}
	})
	if ph.HangupAfter > 0 && s.clock.SleepOr(ctx, ph.HangupAfter, c.hangup) == nil {
		s.locked(func() { s.remoteHangup(c) })
	}
}
