package screenpop

import (
	"context"
	"errors"
	"fmt"

	"hotline/telephony"
)

// ErrTrackerDropped is returned by FollowTracker when the tracker closed
// the subscription (the popper fell behind); subscribe again.
var ErrTrackerDropped = errors.New("screenpop: tracker subscription dropped")

// FollowTracker feeds the call tracker's domain events to the popper until
// ctx ends or the tracker closes the channel. Errors of single events are
// reported to onErr (may be nil) and do not stop the loop.
func (p *Popper) FollowTracker(ctx context.Context, events <-chan telephony.Event, onErr func(error)) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-events:
			if !ok {
				return ErrTrackerDropped
			}
			if err := p.HandleTrackerEvent(ctx, e); err != nil && onErr != nil {
				onErr(err)
			}
		}
	}
}

// HandleTrackerEvent turns one tracker event into popper calls. Agent
// answers and hang-ups are read from the call snapshot's legs, since the
// tracker reports the call's answer (which may be an IVR's) rather than each
// agent leg's; the popper ignores repeats. The first event of a call this
// popper has no state for (the tracker resumed or adopted it after a
// fail-over or a restart) first takes over the pops its agents have in the
// hub, so that they follow the call to its end.
func (p *Popper) HandleTrackerEvent(ctx context.Context, e telephony.Event) error {
	c := &e.Call
	id := e.LinkedID
	if id == "" {
		id = c.LinkedID
	}
	if c.MergedInto != "" {
		return nil // a consultation call folded into another: the other carries on
	}
	var errs []error
	if err := p.recoverCall(ctx, id, c); err != nil {
		errs = append(errs, err) // go on with what was recovered
	}
	if e.Kind == telephony.EventAgentRinging && e.Agent != "" {
		if err := p.Ringing(ctx, ringingFromTracker(id, e)); err != nil {
			errs = append(errs, err)
		}
	}
	for _, l := range c.Legs {
		if l.Agent == "" || l.AnsweredAt == nil {
			continue
		}
		if err := p.Answered(ctx, Answered{CallID: id, AgentLogin: l.Agent, Endpoint: l.Endpoint, At: *l.AnsweredAt}); err != nil {
			errs = append(errs, err)
		}
	}
	if e.Kind == telephony.EventCallEnded {
		at := e.At
		if c.EndedAt != nil {
			at = *c.EndedAt
		}
		end := Ended{CallID: id, Cause: c.HangupCauseText, At: at, Unseen: c.ClosedByReconciliation}
		if e.ClickToCall {
			end.Failure, end.Number = string(telephony.ClickToCallFailed(c)), c.Callee
		}
		if err := p.Ended(ctx, end); err != nil {
			errs = append(errs, err)
		}
		return joinErrs(errs)
	}
	for _, l := range c.Legs {
		if l.Agent == "" || l.EndedAt == nil || l.AnsweredAt != nil {
			continue
		}
		// This agent's phone stopped ringing (ring timeout, rotation, declined).
		if err := p.Ended(ctx, Ended{CallID: id, AgentLogin: l.Agent, Cause: l.CauseText, At: *l.EndedAt,
			Unseen: l.CauseText == telephony.CauseGone}); err != nil {
			errs = append(errs, err)
		}
	}
	if err := joinErrs(errs); err != nil {
		return fmt.Errorf("tracker event %s of call %s: %w", e.Kind, id, err)
	}
	return nil
}

// ringingFromTracker builds the Ringing of an agent-ringing event: the
// customer's number is the one to look up; a call already talked to by
// another agent, or with a transfer, is a transfer; an outbound call that
// rings the agent first is a click-to-call origination.
func ringingFromTracker(id string, e telephony.Event) Ringing {
	c := &e.Call
	r := Ringing{CallID: id, Linkedid: c.LinkedID, Node: e.Node, AgentLogin: e.Agent,
		Caller: c.Customer, CallerName: c.CallerName, Dialled: c.Callee, At: e.At}
	if r.Caller == "" {
		r.Caller = c.Caller
	}
	for _, l := range c.Legs {
		if l.ChannelID == e.Channel {
			r.Endpoint = l.Endpoint
		}
	}
	if n := len(c.Transfers); n > 0 {
		r.Transfer, r.FromAgent = true, c.Transfers[n-1].From
	} else if c.Agent != "" && c.Agent != e.Agent {
		r.Transfer, r.FromAgent = true, c.Agent
	}
	r.ClickToCall = c.Direction == telephony.Outbound
	return r
}

// TrackerEventKinds are the tracker events that can change a pop, the
// only ones RunTracker asks for (each costs the popper a wake-up). A pop
// opens on AgentRinging; an agent leg's answer is always told by
// AgentAnswered and its end by AgentLegEnded (also for a leg ended as gone
// at reconciliation) or by CallEnded; an attended transfer's merge shows
// in CallTransferred. The other kinds (the call's start and answer, holds,
// DTMF) change no agent leg: the snapshot they carry shows nothing the
// kinds above did not already show, or will before the call ends, so
// HandleTrackerEvent would do nothing new on them. A call the popper
// knows nothing of is recovered from the hub on the first of these
// events instead of the first of all: nothing happens to its pops before.
var TrackerEventKinds = []telephony.EventKind{
	telephony.EventAgentRinging, telephony.EventAgentAnswered, telephony.EventAgentLegEnded,
	telephony.EventCallTransferred, telephony.EventCallEnded,
}

// RunTracker follows the tracker's events (TrackerEventKinds) until ctx
// ends, subscribing again whenever the tracker drops the popper for
// falling behind. subscribe is (*telephony.Tracker).Subscribe. Per-event
// errors are logged.
func (p *Popper) RunTracker(ctx context.Context, subscribe func(buffer int, kinds ...telephony.EventKind) (<-chan telephony.Event, func())) error {
	onErr := func(err error) { p.log.Warn("screen pop from tracker event", "err", err) }
	for {
		events, cancel := subscribe(1024, TrackerEventKinds...)
		err := p.FollowTracker(ctx, events, onErr)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if !errors.Is(err, ErrTrackerDropped) {
			return err
		}
		p.log.Warn("tracker dropped the screen pop subscriber; subscribing again")
	}
}
