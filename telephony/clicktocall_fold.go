package telephony

import "strings"

// A click-to-call (clicktocall.go) begins with a channel Hotline originated
// to the agent's phone; once the agent answers, the dialplan dials the
// number from that channel, as if the agent had dialled it. Its record is
// kept like the agent's own outbound call: the callee and customer are the
// number dialled, the call is answered when the callee answers (the
// agent's ringing and answer stay on the agent's leg), the ring time is the
// callee's, and the outcome follows the callee (busy, no answer, failed).
//
// A channel the agent's phone creates by dialling is created in state Ring;
// one originated over ARI is created Down: that is how the tracker tells a
// click-to-call from the first event, on any replica, after any restart.
// Local channels are left out: a Local channel to an agent is how an app
// brings the agent into its own bridge (inbound-to-agent transcripts).

// originatedToAgent reports whether a call's first channel, seen by its
// ChannelCreated, was originated to an agent's phone.
func originatedToAgent(ch *wireChannel, leg *Leg) bool {
	return leg.Agent != "" && ch.State == "Down" && !strings.HasPrefix(ch.Name, "Local/")
}

// clickToCallCallee takes the number a click-to-call dials from what its
// channels show: the agent leg's connected line (Hotline sets it to the
// number, and the dialplan's Dial sets it again), or the caller id the
// outbound leg gets from the dialled number.
func (t *Tracker) clickToCallCallee(c *callState, l *Leg, ch *wireChannel) {
	if c.rec.Callee != "" {
		return
	}
	n := ""
	switch {
	case ch.ID == c.st.Origin:
		n = ch.Connected.Number
	case l.Agent == "":
		n = ch.Caller.Number
	}
	if n == "" {
		return
	}
	c.rec.Callee = t.opts.Normalize(n)
	t.setCustomer(c)
}

// answeredBy reports whether leg l going up answers the call: the first
// channel does, except in a click-to-call, where the agent's phone answers
// first and the call is answered by the callee.
func (c *callState) answeredBy(l *Leg) bool {
	if !c.st.ClickToCall {
		return l.ChannelID == c.st.Origin
	}
	return l.ChannelID != c.st.Origin && l.Agent == ""
}

// ClickToCallFailure says why a click-to-call did not connect the agent
// with the number.
type ClickToCallFailure string

// The reasons a click-to-call fails.
const (
	FailureAgentNoAnswer ClickToCallFailure = "agent_no_answer" // the agent's own phone did not answer
	// FailureNoRoute: the agent answered and the PBX hung up without
	// dialling: the dial context or an extension for the number is missing.
	FailureNoRoute     ClickToCallFailure = "no_route"
	FailureBusy        ClickToCallFailure = "busy"
	FailureNoAnswer    ClickToCallFailure = "no_answer"
	FailureUnreachable ClickToCallFailure = "unreachable" // the number or the trunk could not be reached
)

// ClickToCallFailed returns why an ended click-to-call failed, "" when the
// callee answered (or the call is not over).
func ClickToCallFailed(c *Call) ClickToCallFailure {
	if c.EndedAt == nil || c.Outcome == OutcomeAnswered {
		return ""
	}
	var agentLeg *Leg
	others := 0
	for i := range c.Legs {
		if c.Legs[i].ChannelID == c.LinkedID {
			agentLeg = &c.Legs[i]
		} else {
			others++
		}
	}
	switch {
	case agentLeg == nil || agentLeg.AnsweredAt == nil:
		return FailureAgentNoAnswer
	case others == 0:
		return FailureNoRoute
	case c.Outcome == OutcomeBusy:
		return FailureBusy
	case c.Outcome == OutcomeNoAnswer:
		return FailureNoAnswer
	default:
		return FailureUnreachable
	}
}
