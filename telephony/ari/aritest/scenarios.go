package aritest

import (
	"context"
	"fmt"
	"time"

	"hotline/telephony/ari"
)

// Inbound is a customer's call from the `customers` trunk into the
// recording dialplan ([from-trunk]):
//
//	7001  Dial(PJSIP/1001,20,g), then Stasis(hotline,survey) if answered
//	7000  Queue(support): ring-all 1001 and 1002
//	7002  Dial(PJSIP/1001,10)
//	7009  Stasis(hotline,inbound)
//	7010  Stasis(hotline,status) (the self-service status line; not recorded)
//
// Durations are virtual time; zero values mean "not at all".
type Inbound struct {
	From, Name string // caller id; default "+74951234567", "Ivan Petrov"
	Exten      string // default 7001
	// Agent is the phone 7001/7002 dial (default 1001); QueueMembers the
	// phones 7000 rings (default 1002, 1001), as in the recording's config.
	Agent        string
	QueueMembers []string
	// AbandonAfter: the customer hangs up (CANCEL) if nobody answered
	// within this long.
	AbandonAfter time.Duration
	// HangupAfter: the customer hangs up this long after being answered.
	HangupAfter time.Duration
	Digits      string        // RFC 4733 digits sent after the answer...
	DigitsAfter time.Duration // ...this long after it
	// In the post-call survey (7001 after the agent hung up): a digit
	// SurveyDigitAfter after StasisStart, hang up SurveyHangupAfter after it
	// (default 30 s, unless the app hangs up first).
	SurveyDigit       string
	SurveyDigitAfter  time.Duration
	SurveyHangupAfter time.Duration
	Phones            map[string]Phone // per-call agent phone scripts ("1001": ...)
}

// Outbound is an agent's call to a number through the `pstn` trunk
// ([agents] _+X. Dial(PJSIP/${EXTEN}@pstn,60)).
type Outbound struct {
	Agent       string        // default 1001
	To          string        // default +74957654321
	HangupAfter time.Duration // the agent hangs up this long after the answer
	Callee      Phone         // the PSTN party (AnswerAfter, Busy, NeverAnswer, HangupAfter)
}

// Internal is an agent calling another agent ([agents] 100X Dial(PJSIP/100X,30)).
type Internal struct {
	From, To    string        // default 1001 -> 1003
	HangupAfter time.Duration // the calling agent hangs up this long after the answer
	Phones      map[string]Phone
}

// InboundCall places a customer call and blocks until every channel of it is
// gone (or ctx ends). It returns the customer channel's id.
func (s *Server) InboundCall(ctx context.Context, in Inbound) (string, error) {
	if in.From == "" {
		in.From, in.Name = "+74951234567", "Ivan Petrov"
	}
	if in.Exten == "" {
		in.Exten = "7001"
	}
	if in.Agent == "" {
		in.Agent = "1001"
	}
	var c *channel
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return "", fmt.Errorf("aritest: server closed")
	}
	c = s.sipChannel("customers", "Ring", "from-trunk", in.Exten, CallerID{Name: in.Name, Number: in.From}, nil)
	s.setVar(c, "SIPDOMAIN", "127.0.0.1")
	who := fmt.Sprintf("customer %q <%s>", in.Name, in.From)
	switch in.Exten {
	case "7000":
		s.dialplanApp(c, "NoOp", who+" -> queue support")
		d := s.startDial(c, "support", true)
		members := in.QueueMembers
		if len(members) == 0 {
			members = []string{"1002", "1001"}
		}
		for _, r := range members {
			p := d.addAgentPeer(r)
			s.startPhone(ctx, d, p, s.phoneFor(r, in.Phones), in.Phones)
		}
		s.emitDevice("Queue:support_avail", "INUSE")
		s.dialTimer(ctx, d, 15*time.Second)
	case "7009":
		s.dialplanApp(c, "NoOp", who+" -> app")
		s.stasisFromDialplan(c, "inbound")
	case "7010": // not recorded: the self-service status line of deploy/asterisk/extensions.conf
		s.dialplanApp(c, "NoOp", who+" -> status line")
		s.stasisFromDialplan(c, "status")
	case "7002":
		s.dialplanApp(c, "NoOp", who+" -> agent "+in.Agent+", 10 s")
		s.dialAgent(ctx, c, in.Agent, "PJSIP/"+in.Agent+",10", 10*time.Second, in.Phones, nil)
	default:
		s.dialplanApp(c, "NoOp", who+" -> agent "+in.Agent)
		s.dialAgent(ctx, c, in.Agent, "PJSIP/"+in.Agent+",20,g", 20*time.Second, in.Phones, s.surveyAfter(c))
	}
	s.mu.Unlock()
	s.runCustomer(ctx, c, in)
	return c.id, s.waitCallEnd(ctx, c)
}

// dialAgent runs Dial(PJSIP/<resource>,...) from c. Caller holds s.mu.
func (s *Server) dialAgent(ctx context.Context, c *channel, resource, data string, timeout time.Duration, phones map[string]Phone, after func(string)) *dialOp {
	d := s.startDial(c, data, false)
	d.after = after
	p := d.addAgentPeer(resource)
	s.startPhone(ctx, d, p, s.phoneFor(resource, phones), phones)
	s.dialTimer(ctx, d, timeout)
	return d
}

// dialTimer ends the Dial with NOANSWER after timeout.
func (s *Server) dialTimer(ctx context.Context, d *dialOp, timeout time.Duration) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if s.clock.SleepOr(ctx, timeout, d.caller.hangup) != nil {
			return
		}
		s.locked(func() {
			if d.answered == nil {
				d.noAnswer()
			}
		})
	}()
}

// surveyAfter is 7001's continuation: with DIALSTATUS=ANSWER (option g)
// the customer enters Stasis(hotline,survey); otherwise Hangup().
func (s *Server) surveyAfter(c *channel) func(string) {
	return func(status string) {
		s.dialplanApp(c, "NoOp", "DIALSTATUS="+status)
		if status != "ANSWER" {
			s.dialplanApp(c, "GotoIf", "0?survey")
			s.dialplanApp(c, "Hangup", "")
			s.dialplanHangup(c, nil)
			return
		}
		s.dialplanApp(c, "GotoIf", "1?survey")
		s.stasisFromDialplan(c, "survey")
	}
}

// runCustomer plays the customer's side: abandon, digits, hang-up, survey.
func (s *Server) runCustomer(ctx context.Context, c *channel, in Inbound) {
	up := c.signal("up")
	if in.AbandonAfter > 0 {
		t := time.NewTimer(s.clock.Real(in.AbandonAfter))
		select {
		case <-up:
		case <-c.hangup:
		case <-ctx.Done():
		case <-t.C:
			s.locked(func() { s.remoteHangup(c) })
		}
		t.Stop()
	}
	if !s.wait(ctx, anyOf(up, c.hangup)) || c.hangupRequested() {
		return
	}
	start := time.Now()
	if in.Digits != "" {
		if s.clock.SleepOr(ctx, in.DigitsAfter, c.hangup) != nil {
			return
		}
		s.sendDigits(ctx, c, in.Digits)
	}
	var hang <-chan time.Time
	if in.HangupAfter > 0 {
		rest := s.clock.Real(in.HangupAfter) - time.Since(start)
		t := time.NewTimer(max(rest, 0))
		defer t.Stop()
		hang = t.C
	}
	select {
	case <-hang:
		s.locked(func() { s.remoteHangup(c) })
	case <-c.signal("stasis"):
		if in.Exten == "7009" || in.Exten == "7010" {
			s.wait(ctx, c.hangup)
			return
		}
		s.runSurvey(ctx, c, in)
	case <-c.hangup:
	case <-ctx.Done():
	}
}

// runSurvey: the customer in the post-call survey.
func (s *Server) runSurvey(ctx context.Context, c *channel, in Inbound) {
	if in.SurveyDigit != "" {
		if s.clock.SleepOr(ctx, in.SurveyDigitAfter, c.hangup) != nil {
			return
		}
		s.sendDigits(ctx, c, in.SurveyDigit)
	}
	if in.SurveyHangupAfter <= 0 {
		in.SurveyHangupAfter = 30 * time.Second
	}
	if in.SurveyHangupAfter > 0 {
		if s.clock.SleepOr(ctx, in.SurveyHangupAfter-in.SurveyDigitAfter, c.hangup) != nil {
			return
		}
		s.locked(func() { s.remoteHangup(c) })
	}
	s.wait(ctx, c.hangup)
}

// sendDigits sends RFC 4733 digits from the party behind c; only a channel
// in Stasis reports them (ChannelDtmfReceived): c itself, or the Local
// half 1 whose half 2 dialled c (see dtmfTarget); a native RTP bridge
// relays them silently.
func (s *Server) sendDigits(ctx context.Context, c *channel, digits string) {
	for i, d := range digits {
		if i > 0 && s.clock.SleepOr(ctx, 500*time.Millisecond, c.hangup) != nil {
			return
		}
		s.locked(func() {
			if to := s.dtmfTarget(c); to != nil {
				s.emitChannel(ari.TypeChannelDtmfReceived, to, fields{"digit": string(d), "duration_ms": 100})
			}
		})
	}
}

// OutboundCall makes an agent call a number through the pstn trunk and
// blocks until the call is over; it returns the agent channel's id.
func (s *Server) OutboundCall(ctx context.Context, o Outbound) (string, error) {
	if o.Agent == "" {
		o.Agent = "1001"
	}
	if o.To == "" {
		o.To = "+74957654321"
	}
	s.mu.Lock()
	c := s.sipChannel(o.Agent, "Ring", "agents", o.To, agentCallerID(o.Agent), nil)
	s.setVar(c, "SIPDOMAIN", "127.0.0.1")
	s.dialplanApp(c, "NoOp", fmt.Sprintf("outbound %q <%s> -> %s", "Agent "+o.Agent, o.Agent, o.To))
	d := s.startDial(c, "PJSIP/"+o.To+"@pstn,60", false)
	p := d.addPSTNPeer(o.To)
	s.startPhone(ctx, d, p, o.Callee, nil)
	s.dialTimer(ctx, d, 60*time.Second)
	s.mu.Unlock()
	s.runCaller(ctx, c, o.HangupAfter)
	return c.id, s.waitCallEnd(ctx, c)
}

// InternalCall makes agent From call agent To and blocks until it is over.
func (s *Server) InternalCall(ctx context.Context, in Internal) (string, error) {
	if in.From == "" {
		in.From = "1001"
	}
	if in.To == "" {
		in.To = "1003"
	}
	s.mu.Lock()
	c := s.internalCaller(in.From, in.To)
	s.dialAgent(ctx, c, in.To, "PJSIP/"+in.To+",30", 30*time.Second, in.Phones, nil)
	s.mu.Unlock()
	s.runCaller(ctx, c, in.HangupAfter)
	return c.id, s.waitCallEnd(ctx, c)
}

// internalCaller creates the calling agent's channel for agents/<to>.
func (s *Server) internalCaller(from, to string) *channel {
	c := s.sipChannel(from, "Ring", "agents", to, agentCallerID(from), nil)
	s.setVar(c, "SIPDOMAIN", "127.0.0.1")
	s.dialplanApp(c, "NoOp", fmt.Sprintf("internal %q <%s> -> %s", "Agent "+from, from, to))
	return c
}

// runCaller: the calling agent hangs up hangupAfter after the answer.
func (s *Server) runCaller(ctx context.Context, c *channel, hangupAfter time.Duration) {
	if !s.wait(ctx, anyOf(c.signal("up"), c.hangup)) || c.hangupRequested() || hangupAfter <= 0 {
		s.wait(ctx, c.hangup)
		return
	}
	if s.clock.SleepOr(ctx, hangupAfter, c.hangup) == nil {
		s.locked(func() { s.remoteHangup(c) })
	}
}

// waitCallEnd waits until c and every channel sharing its linkedid are gone.
func (s *Server) waitCallEnd(ctx context.Context, c *channel) error {
	for {
		s.mu.Lock()
		busy := !c.destroyed
		for _, o := range s.channels {
			if o.linkedID == c.linkedID {
				busy = true
			}
		}
		closed := s.closed
		s.mu.Unlock()
		if !busy || closed {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// anyOf returns a channel closed when any of chans is closed.
func anyOf(chans ...<-chan struct{}) <-chan struct{} {
	out := make(chan struct{})
	go func() {
		switch len(chans) {
		case 2:
			select {
			case <-chans[0]:
			case <-chans[1]:
			}
		default:
			<-chans[0]
		}
		close(out)
	}()
	return out
}
