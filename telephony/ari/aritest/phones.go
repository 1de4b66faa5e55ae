package aritest

import (
	"context"
	"time"

	"hotline/telephony/ari"
)

// Phone scripts how an agent phone (or the PSTN callee) handles a call it
// receives. Durations are virtual time.
type Phone struct {
	AnswerAfter time.Duration // ring time before 200 OK; default 2 s
	Busy        bool          // answer 486 Busy Here (after 200 ms)
	NeverAnswer bool          // ring until cancelled or the Dial times out
	// HangupAfter: the phone hangs up this long after answering; 0 waits
	// for the other side.
	HangupAfter time.Duration
	HoldAfter   time.Duration // re-INVITE sendonly this long after answering (0 = no hold)
	HoldFor     time.Duration // then resume after this long
	// BlindTransferTo REFERs the caller to this extension (e.g. "1002")
	// TransferAfter after answering.
	BlindTransferTo string
	// AttendedTransferTo holds the caller TransferAfter after answering,
	// calls this agent, talks ConsultFor after its answer, then REFERs with
	// Replaces.
	AttendedTransferTo string
	TransferAfter      time.Duration
	ConsultFor         time.Duration
	// Digits are pressed (RFC 4733) DigitsAfter after answering; like real
	// Asterisk, only a channel in Stasis reports them.
	Digits      string
	DigitsAfter time.Duration
}

type agentEndpoint struct {
	resource string
	phone    *Phone
}

// DefaultPhone answers after 2 s and talks 5 s.
var DefaultPhone = Phone{AnswerAfter: 2 * time.Second, HangupAfter: 5 * time.Second}

// SetPhone sets how the agent phone (resource "1001") handles calls from now
// on; scenario options can override it per call.
func (s *Server) SetPhone(resource string, p Phone) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.agents[resource]
	if a == nil {
		a = &agentEndpoint{resource: resource}
		s.agents[resource] = a
	}
	a.phone = &p
}

// SetCallee sets how the phone of an outside number ("+74957654321"),
// reached through the pstn trunk, handles calls from now on; by default it
// is DefaultPhone.
func (s *Server) SetCallee(number string, p Phone) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callees[number] = p
}

// calleeFor returns the script of an outside number. Caller holds s.mu.
func (s *Server) calleeFor(number string) Phone {
	if p, ok := s.callees[number]; ok {
		return p
	}
	if s.opts.Callees != nil {
		return s.opts.Callees(number)
	}
	return DefaultPhone
}

// phoneFor returns the script for resource: per-call override, configured,
// or DefaultPhone. Caller holds s.mu.
func (s *Server) phoneFor(resource string, override map[string]Phone) Phone {
	if p, ok := override[resource]; ok {
		return p
	}
	if a := s.agents[resource]; a != nil && a.phone != nil {
		return *a.phone
	}
	return DefaultPhone
}

// startPhone rings p (unless it is busy) and runs its script in a goroutine.
// Caller holds s.mu.
func (s *Server) startPhone(ctx context.Context, d *dialOp, p *channel, ph Phone, overrides map[string]Phone) {
	if !ph.Busy {
		d.ringing(p)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.runPhone(ctx, p, ph, overrides)
	}()
}

func (s *Server) runPhone(ctx context.Context, p *channel, ph Phone, overrides map[string]Phone) {
	if ph.Busy {
		if s.clock.SleepOr(ctx, 200*time.Millisecond, p.hangup) != nil {
			return
		}
		s.locked(func() {
			if p.dial != nil {
				p.dial.busy(p)
			}
		})
		return
	}
	if ph.NeverAnswer {
		s.wait(ctx, p.hangup)
		return
	}
	if ph.AnswerAfter == 0 {
		ph.AnswerAfter = 2 * time.Second
	}
	if s.clock.SleepOr(ctx, ph.AnswerAfter, p.hangup) != nil {
		return
	}
	s.locked(func() {
		if p.dial != nil {
			p.dial.answer(p)
		}
	})
	s.runTalk(ctx, p, ph, overrides)
}

// runTalk plays the agent's actions after the answer: hold, transfers, hang-up.
func (s *Server) runTalk(ctx context.Context, p *channel, ph Phone, overrides map[string]Phone) {
	if ph.Digits != "" {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if s.clock.SleepOr(ctx, ph.DigitsAfter, p.hangup) == nil {
				s.sendDigits(ctx, p, ph.Digits)
			}
		}()
	}
	elapsed := time.Duration(0)
	sleepTo := func(at time.Duration) bool {
		if at > elapsed {
			if s.clock.SleepOr(ctx, at-elapsed, p.hangup) != nil {
				return false
			}
			elapsed = at
		}
		return true
	}
	if ph.HoldAfter > 0 && ph.AttendedTransferTo == "" {
		if !sleepTo(ph.HoldAfter) {
			return
		}
		s.locked(func() { s.hold(p, true) })
		if !sleepTo(ph.HoldAfter + ph.HoldFor) {
			return
		}
		s.locked(func() { s.hold(p, false) })
	}
	switch {
	case ph.BlindTransferTo != "":
		if !sleepTo(ph.TransferAfter) {
			return
		}
		s.locked(func() { s.blindTransfer(ctx, p, ph.BlindTransferTo, overrides) })
		return
	case ph.AttendedTransferTo != "":
		if !sleepTo(ph.TransferAfter) {
			return
		}
		s.attendedTransfer(ctx, p, ph, overrides)
		return
	}
	if ph.HangupAfter > 0 {
		if !sleepTo(ph.HangupAfter) {
			return
		}
		s.locked(func() { s.remoteHangup(p) })
		return
	}
	s.wait(ctx, p.hangup)
}

// hold emits ChannelHold/ChannelUnhold for the holder, as a SIP re-INVITE
// sendonly/sendrecv does: no bridge change, the held endpoint shows ONHOLD.
func (s *Server) hold(p *channel, on bool) {
	if p.destroyed || p.bridge == nil {
		return
	}
	other := p.bridge.otherMember(p)
	if on {
		s.emitChannel(ari.TypeChannelHold, p, fields{"musicclass": "default"})
	} else {
		s.emitChannel(ari.TypeChannelUnhold, p, nil)
	}
	if other != nil {
		s.bridgePeerVars(other, p, 1)
		s.emitDevice(other.endpoint, map[bool]string{true: "ONHOLD", false: "INUSE"}[on])
	}
}

// remoteHangup: the party behind c hangs up (SIP BYE/CANCEL). Caller holds
// s.mu.
func (s *Server) remoteHangup(c *channel) {
	if c.destroyed {
		return
	}
	if c.inStasis {
		s.stasisHangup(c, false)
		return
	}
	if d := c.dial; d != nil {
		switch {
		case d.caller == c && d.answered != nil:
			d.callerHangup()
		case d.caller == c:
			d.cancel()
		case d.answered == c:
			d.peerHangup(c)
		default:
			d.busy(c)
		}
		return
	}
	if c.half != 0 {
		s.localHangup(c, 16, false)
		return
	}
	s.hangupRequest(c, 16, false)
	if c.bridge != nil {
		s.leaveBridge(c.bridge, c)
	}
	s.destroy(c, 16)
	s.idleState(c)
}

// locked runs f with s.mu held.
func (s *Server) locked(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	f()
}

// wait blocks until ch is closed or ctx ends.
func (s *Server) wait(ctx context.Context, ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}
