package aritest

import (
	"context"
	"strings"
	"time"

	"hotline/telephony/ari"
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
	// context and exten are where the dialplan starts once the phone
	// answers (an originate with an extension instead of an app).
	context, exten string
}

// originateSpec is what POST /channels asks of a PJSIP channel.
type originateSpec struct {
	caller         CallerID          // callerId: sets caller and connected line
	vars           map[string]string // variables, CALLERID(...) and CONNECTEDLINE(...) included
	originator     *channel
	app            string
	args           []string
	context, exten string
	timeout        time.Duration
}

// newPJSIPOut allocates the outgoing channel for resource (1001 or
// +7...@pstn), with the originator's linkedid if there is one. Caller
// holds s.mu.
func (s *Server) newPJSIPOut(resource, id string, caller CallerID, originator *channel) (*channel, Phone) {
	endpoint, ph := resource, s.phoneFor(resource, nil)
	if number, trunk, ok := strings.Cut(resource, "@"); ok {
		endpoint, ph = trunk, s.calleeFor(number)
	}
	c := s.newChannel("PJSIP/"+endpoint, id, "Down", dialplanCEP{Context: "default", Exten: "s", Priority: 1}, caller)
	c.connected = caller
	c.inheritLinked(originator)
	s.emitChannel(ari.TypeChannelCreated, c, nil)
	c.protocolID = s.newUUID()
	return c, ph
}

// originatePJSIP: POST /channels to a PJSIP endpoint. As Asterisk's
// pbx_outgoing_attempt does, the variables are set first (CALLERID() and
// CONNECTEDLINE() among them), then a callerId sets both the caller and
// the connected line, overriding them. The phone sees the connected line
// (PJSIP's From of an outgoing INVITE); whoever the channel dials later
// sees its caller. Caller holds s.mu.
func (s *Server) originatePJSIP(resource, id string, o originateSpec) *channel {
	c, ph := s.newPJSIPOut(resource, id, CallerID{}, o.originator)
	caller, connected := CallerID{}, CallerID{}
	for k, v := range o.vars {
		if !partyVar(&caller, &connected, k, v) {
			s.setVar(c, k, v)
		}
	}
	if o.caller != (CallerID{}) {
		caller, connected = o.caller, o.caller
	}
	if caller != c.caller {
		c.caller = caller
		s.emitCallerID(c)
	}
	if connected != c.connected {
		c.connected = connected
		s.emitChannel(ari.TypeChannelConnectedLine, c, nil)
	}
	pc := &pjsipCall{c: c, phone: ph, args: o.args, app: o.app != "", context: o.context, exten: o.exten}
	if pc.context == "" && !pc.app {
		pc.context = "default"
	}
	s.dialPJSIP(pc, o.timeout)
	return c
}

// partyVar applies a CALLERID(name|num|all) or CONNECTEDLINE(name|num|all[,i])
// variable to caller or connected; it reports whether name was one.
func partyVar(caller, connected *CallerID, name, value string) bool {
	fn, args, ok := strings.Cut(name, "(")
	if !ok || !strings.HasSuffix(args, ")") {
		return false
	}
	field, _, _ := strings.Cut(strings.TrimSuffix(args, ")"), ",")
	var p *CallerID
	switch strings.ToUpper(fn) {
	case "CALLERID":
		p = caller
	case "CONNECTEDLINE":
		p = connected
	default:
		return false
	}
	switch strings.ToLower(field) {
	case "name":
		p.Name = value
	case "num", "number":
		p.Number = value
	case "all":
		*p = parseCallerID(value)
	default:
		return false
	}
	return true
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
	var calleeUp <-chan struct{}
	s.locked(func() {
		s.setState(c, "Up")
		s.emitDial(nil, c, "ANSWER", "")
		s.emitDevice(c.endpoint, "INUSE")
		if pc.app && !c.inStasis {
			s.enterAppAfterAnswer(c, pc.args)
		} else if pc.context != "" {
			s.pbxStart(ctx, c, pc.context, pc.exten)
			if c.dial != nil && len(c.dial.peers) > 0 {
				calleeUp = c.dial.peers[0].signal("up")
			}
		}
	})
	if calleeUp != nil {
		// the dialplan dials out: the agent talks HangupAfter once the callee answers
		if !s.wait(ctx, anyOf(calleeUp, c.hangup)) || c.hangupRequested() {
			return
		}
	}
	if ph.HangupAfter > 0 && s.clock.SleepOr(ctx, ph.HangupAfter, c.hangup) == nil {
		s.locked(func() { s.remoteHangup(c) })
	}
}

// pbxStart runs the dialplan of an answered channel that was originated to
// an extension. The simulated dialplan knows one context that dials out
// (Options.DialContext, "agents" like the recording's): an agent's
// extension rings that agent, a number (_+X., _8X.) goes to the pstn trunk.
// Anything else is what Asterisk does with a context or extension that
// does not exist: "sent to invalid extension but no invalid handler", the
// PBX ends at once and hangs the channel up (soft hangup 16, cause 0).
// Not recorded; modelled on pbx.c. Caller holds s.mu.
func (s *Server) pbxStart(ctx context.Context, c *channel, context, exten string) {
	c.dp = dialplanCEP{Context: context, Exten: exten}
	_, agent := s.agents[exten]
	switch {
	case context == s.opts.DialContext && agent:
		s.dialAgent(ctx, c, exten, "PJSIP/"+exten+",30", 30*time.Second, nil, nil)
	case context == s.opts.DialContext && dialsOut(exten):
		d := s.startDial(c, "PJSIP/"+exten+"@pstn,60", false)
		p := d.addPSTNPeer(exten)
		s.startPhone(ctx, d, p, s.calleeFor(exten), nil)
		s.dialTimer(ctx, d, 60*time.Second)
	default:
		s.hangupRequest(c, 16, true)
		s.destroy(c, 0)
		s.idleState(c)
	}
}

// dialsOut reports whether the dial context's outbound patterns (_+X.,
// _8X.) match exten.
func dialsOut(exten string) bool {
	digits, plus := strings.CutPrefix(exten, "+")
	if !plus && !strings.HasPrefix(exten, "8") {
		return false
	}
	if len(digits) < 2 {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
