package aritest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hotline/telephony/ari"
)

// Local channels and the simulation dialplan of the Local-channel
// transcripts: sim-customer (survey, answer, talk, noanswer, busy),
// sim-agent (agent, agent-slow) and inbound/<number> -> Stasis(hotline,inbound).

// localApp is one dialplan application call.
type localApp struct{ name, data string }

// localDialplan returns the apps for exten@context, or nil if there is no
// such extension.
func localDialplan(context, exten string, vars map[string]string) []localApp {
	hold := vars["HOLD"]
	if hold == "" {
		hold = "30"
	}
	switch context {
	case "sim-customer":
		switch exten {
		case "survey":
			return []localApp{{"Answer", ""}, {"Wait", "1"}, {"SendDTMF", vars["DIGITS"] + ",250"}, {"Wait", "3"}, {"Hangup", ""}}
		case "answer":
			return []localApp{{"Answer", ""}, {"Wait", "2"}, {"Hangup", ""}}
		case "talk":
			return []localApp{{"Answer", ""}, {"Wait", hold}, {"Hangup", ""}}
		case "noanswer":
			return []localApp{{"Ringing", ""}, {"Wait", "30"}, {"Hangup", ""}}
		case "busy":
			return []localApp{{"Busy", "10"}}
		}
	case "sim-agent":
		switch exten {
		case "agent":
			return []localApp{{"Answer", ""}, {"Wait", "3"}, {"Hangup", ""}}
		case "agent-slow":
			return []localApp{{"Ringing", ""}, {"Wait", "2"}, {"Answer", ""}, {"Wait", "3"}, {"Hangup", ""}}
		}
	case "inbound":
		return []localApp{{"NoOp", ""}, {"Stasis", appName + ",inbound"}, {"Hangup", ""}}
	}
	return nil
}

// localCall is a Local channel pair: one runs the dialplan at exten@context
// (half 2), the other (half 1) goes into the app or runs its own dialplan
// once answered.
type localCall struct {
	one, two    *channel
	dialstring  string
	viaDial     bool // dialled with POST /channels/{id}/dial: Dial events carry no dialstring after the first
	timeout     time.Duration
	oneContext  string // dialplan for half 1 after the answer (originate with context/extension)
	oneExten    string
	vars        map[string]string
	device      string
	answered    bool
	dialStarted bool
}

// newLocal creates both halves and emits their ChannelCreated; with an
// originator both halves take its linkedid. Caller holds s.mu.
func (s *Server) newLocal(resource, id, otherID string, caller CallerID, originator *channel) *localCall {
	exten, context, _ := strings.Cut(resource, "@")
	if id != "" && otherID == "" {
		otherID = id + ";2"
	}
	name := fmt.Sprintf("Local/%s-%08x", resource, s.localSeq)
	s.localSeq++
	dp := dialplanCEP{Context: context, Exten: exten, Priority: 1}
	one := s.newChannel("Local/"+resource, id, "Down", dp, CallerID{})
	one.name, one.half = name+";1", 1
	two := s.newChannel("Local/"+resource, otherID, "Ring", dp, CallerID{})
	two.name, two.half = name+";2", 2
	one.inheritLinked(originator)
	two.inheritLinked(one)
	one.peer, two.peer = two, one
	lc := &localCall{one: one, two: two, dialstring: resource, device: "Local/" + resource, vars: map[string]string{}}
	one.local, two.local = lc, lc
	s.emitChannel(ari.TypeChannelCreated, one, nil)
	s.emitChannel(ari.TypeChannelCreated, two, nil)
	return lc
}

// runLocal runs half 2's dialplan in a goroutine. Caller holds s.mu.
func (s *Server) runLocal(lc *localCall) {
	apps := localDialplan(lc.two.dp.Context, lc.two.dp.Exten, lc.vars)
	dialsOut := apps == nil && s.runLocalDialOut(lc)
	if apps == nil && !dialsOut {
		s.destroy(lc.two, 0)
		s.destroy(lc.one, 0)
		s.emitDevice(lc.device, "INVALID")
		s.emitDevice(lc.device, "INVALID")
		return
	}
	if lc.timeout > 0 {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if s.clock.SleepOr(context.Background(), lc.timeout, lc.one.hangup) != nil {
				return
			}
			s.locked(func() { s.localTimeout(lc) })
		}()
	}
	if dialsOut {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.runApps(lc, lc.two, apps)
	}()
}

// runApps interprets apps on ch (a half of lc).
func (s *Server) runApps(lc *localCall, ch *channel, apps []localApp) {
	ctx := context.Background()
	for _, a := range apps {
		stop := false
		s.locked(func() {
			if ch.destroyed || ch.hangupRequested() {
				stop = true
				return
			}
			if !lc.dialStarted && ch == lc.two {
				lc.dialStarted = true
				if !lc.viaDial {
					s.emitDial(nil, lc.one, "", lc.dialstring)
				}
			}
			s.dialplanApp(ch, a.name, a.data)
			stop = s.localAppEffect(lc, ch, a)
		})
		if stop {
			return
		}
		switch a.name {
		case "Wait":
			n, _ := strconv.ParseFloat(a.data, 64)
			if s.clock.SleepOr(ctx, time.Duration(n*float64(time.Second)), ch.hangup) != nil {
				return
			}
		case "SendDTMF":
			digits, _, _ := strings.Cut(a.data, ",")
			for _, d := range digits {
				if s.clock.SleepOr(ctx, 200*time.Millisecond, ch.hangup) != nil {
					return
				}
				s.locked(func() {
					if o := ch.peer; o != nil && o.inStasis && !o.destroyed {
						s.emitChannel(ari.TypeChannelDtmfReceived, o, fields{"digit": string(d), "duration_ms": 100})
					}
				})
				if s.clock.SleepOr(ctx, 250*time.Millisecond, ch.hangup) != nil {
					return
				}
			}
		case "Stasis", "Busy":
			if a.name == "Busy" || ch.inStasis {
				s.wait(ctx, ch.hangup)
				return
			}
		}
	}
}

// localAppEffect applies one app's effect; it reports whether the dialplan
// stops. Caller holds s.mu.
func (s *Server) localAppEffect(lc *localCall, ch *channel, a localApp) bool {
	switch a.name {
	case "Answer":
		if ch == lc.two {
			s.localAnswer(lc)
		}
	case "Ringing":
		if !lc.viaDial {
			s.emitDevice(lc.device, "INUSE")
		}
		s.setState(lc.one, "Ringing")
		s.emitDial(nil, lc.one, "RINGING", map[bool]string{true: "", false: lc.dialstring}[lc.viaDial])
	case "Busy":
		s.setState(ch, "Busy")
		if !lc.viaDial {
			s.emitDevice(lc.device, "INUSE")
		}
		s.emitDial(nil, lc.one, "BUSY", map[bool]string{true: "", false: lc.dialstring}[lc.viaDial])
		if !lc.one.inStasis {
			s.hangupRequest(ch, 0, false)
			s.emitDevice(lc.device, "NOT_INUSE")
			s.emitDevice(lc.device, "NOT_INUSE")
			s.destroy(lc.one, 0)
			s.hangupRequest(ch, 16, true)
			s.destroy(ch, 17)
			return true
		}
	case "Stasis":
		if !s.appRegistered(appName) {
			s.setVar(ch, "STASISSTATUS", "FAILED")
			return false
		}
		s.setVar(ch, "STASISSTATUS", "")
		ch.fromDialpl = true
		s.startStasis(ch, strings.Split(a.data, ",")[1:])
		return true
	case "Hangup":
		s.localHangup(ch, 16, true)
		return true
	}
	return false
}

// localAnswer: half 2 answered; half 1 goes Up and enters the app or runs
// its own dialplan.
func (s *Server) localAnswer(lc *localCall) {
	if lc.answered {
		return
	}
	lc.answered = true
	s.setState(lc.two, "Up")
	s.setState(lc.one, "Up")
	s.emitDial(nil, lc.one, "ANSWER", map[bool]string{true: "", false: lc.dialstring}[lc.viaDial])
	s.emitDevice(lc.device, "INUSE")
	s.emitDevice(lc.device, "INUSE")
	if lc.one.onAnswer != nil {
		f := lc.one.onAnswer
		lc.one.onAnswer = nil
		f()
	}
	if lc.oneContext != "" {
		apps := localDialplan(lc.oneContext, lc.oneExten, lc.vars)
		lc.one.dp = dialplanCEP{Context: lc.oneContext, Exten: lc.oneExten}
		if apps != nil {
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.runApps(lc, lc.one, apps)
			}()
		}
	}
}

// localTimeout: the originate or /dial timeout expired before the answer.
func (s *Server) localTimeout(lc *localCall) {
	if lc.answered || lc.one.destroyed {
		return
	}
	one, two := lc.one, lc.two
	if one.inStasis {
		s.hangupRequest(one, 32, true)
		s.endStasis(one)
		s.hangupRequest(two, 19, false)
		s.dropCallerDial(two, 19)
		s.destroy(one, 19)
		s.hangupRequest(two, 16, true)
		s.destroy(two, 19)
	} else {
		s.hangupRequest(two, 19, false)
		s.dropCallerDial(two, 19)
		s.hangupRequest(two, 16, true)
		s.destroy(two, 19)
		s.emitDevice(lc.device, "NOT_INUSE")
		s.emitDevice(lc.device, "NOT_INUSE")
		s.destroy(one, 19)
		return
	}
	s.emitDevice(lc.device, "NOT_INUSE")
	s.emitDevice(lc.device, "NOT_INUSE")
}

// localHangup ends half x: soft is the dialplan's Hangup() (soft 16) or an
// ARI DELETE (soft 32); the other half is hung up after it. Caller holds s.mu.
func (s *Server) localHangup(x *channel, cause int, soft bool) {
	if x.destroyed {
		return
	}
	o := x.peer
	s.hangupRequest(x, cause, soft)
	s.dropCallerDial(x, 16)
	if o != nil {
		s.dropCallerDial(o, 16)
	}
	leaveStasis := func(c *channel) {
		if c.bridge != nil {
			s.setVar(c, "BRIDGEPEER", "")
			s.leaveBridge(c.bridge, c)
		}
		if c.inStasis {
			s.endStasis(c)
			if c.fromDialpl {
				s.hangupRequest(c, 16, true)
			}
		}
	}
	if x.inStasis || x.bridge != nil {
		leaveStasis(x)
	} else if cause == 32 {
		s.hangupRequest(x, 16, true)
	}
	if o != nil && !o.destroyed {
		s.hangupRequest(o, 16, false)
	}
	xc := x.hangupCause
	if xc == 0 || xc == 32 {
		xc = 16
	}
	s.destroy(x, xc)
	if o == nil || o.destroyed {
		return
	}
	if o.inStasis || o.bridge != nil {
		leaveStasis(o)
	} else {
		s.hangupRequest(o, 16, true)
	}
	s.destroy(o, 16)
	s.emitDevice(x.endpoint, "NOT_INUSE")
	s.emitDevice(x.endpoint, "NOT_INUSE")
}
