package telephony

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// OriginateRequest asks the PBX to ring Endpoint and, when it answers, run
// the dialplan at Extension@Context.
type OriginateRequest struct {
	Endpoint, Extension, Context string
	CallerID                     string
	Timeout                      time.Duration
	Variables                    map[string]string
}

// Originator places calls on an Asterisk node (ARIChannels satisfies it).
type Originator interface {
	Originate(ctx context.Context, node string, req OriginateRequest) (channelID string, err error)
}

// ErrPBX wraps a failure of the PBX to place a click-to-call.
var ErrPBX = errors.New("the PBX did not place the call")

// ClickToCallOptions configure ClickToCall.
type ClickToCallOptions struct {
	Originator Originator
	Node       string        // the Asterisk node calls are placed on
	Context    string        // dialplan context that dials out (default "agents", whose _+X. goes to the trunk)
	RingAgent  time.Duration // how long the agent's phone rings (default 30 s)
	CallerID   string        // shown on the agent's phone, e.g. "Click-to-call"; default the number called
}

// ClickToCall rings an agent's endpoint first and, once the agent answers,
// dials the customer through the dialplan. Progress and the result arrive
// as tracker events and in the call log like any outbound call.
type ClickToCall struct{ opts ClickToCallOptions }

// NewClickToCall returns a click-to-call service.
func NewClickToCall(opts ClickToCallOptions) *ClickToCall {
	if opts.Context == "" {
		opts.Context = "agents"
	}
	if opts.RingAgent <= 0 {
		opts.RingAgent = 30 * time.Second
	}
	return &ClickToCall{opts: opts}
}

// Call rings endpoint (the agent's phone) and then number (already E.164);
// it returns the id of the agent's channel, the call's linkedid.
func (c *ClickToCall) Call(ctx context.Context, endpoint, number, agent string) (string, error) {
	if endpoint == "" || number == "" {
		return "", fmt.Errorf("click-to-call needs an endpoint and a number")
	}
	cid := c.opts.CallerID
	if cid == "" {
		cid = fmt.Sprintf("%q <%s>", "Call "+number, number)
	}
	id, err := c.opts.Originator.Originate(ctx, c.opts.Node, OriginateRequest{
		Endpoint: endpoint, Extension: number, Context: c.opts.Context, CallerID: cid,
		Timeout: c.opts.RingAgent, Variables: map[string]string{"HOTLINE_CLICK_TO_CALL": agent},
	})
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrPBX, err)
	}
	return id, nil
}
