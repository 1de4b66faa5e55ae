package telephony

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// DefaultDialContext is the dialplan context of deploy/asterisk whose
// extensions dial out (an agent's number, or _+X. through the trunk).
const DefaultDialContext = "agents"

// ClickToCallOptions configure ClickToCall.
type ClickToCallOptions struct {
	Originator Originator
	Node       string        // the Asterisk node calls are placed on
	Context    string        // dialplan context that dials out (default DefaultDialContext)
	RingAgent  time.Duration // how long the agent's phone rings (default 30 s)
	// CallerID is what the callee sees, e.g. `"Hotline" <+74950000000>`;
	// empty: the agent's own extension, so that the dialplan applies the
	// agent's outbound caller id as when the agent dials.
	CallerID string
	// Display is the name the agent's phone shows while it rings, given
	// the number about to be called; default "Call <number>".
	Display func(number string) string
}

// ClickToCall rings an agent's endpoint first and, once the agent answers,
// dials the customer through the dialplan. Progress and the result arrive
// as tracker events and in the call log like the agent's own outbound call.
type ClickToCall struct{ opts ClickToCallOptions }

// NewClickToCall returns a click-to-call service.
func NewClickToCall(opts ClickToCallOptions) *ClickToCall {
	if opts.Context == "" {
		opts.Context = DefaultDialContext
	}
	if opts.RingAgent <= 0 {
		opts.RingAgent = 30 * time.Second
	}
	if opts.Display == nil {
		opts.Display = func(n string) string { return "Call " + n }
	}
	return &ClickToCall{opts: opts}
}

// Call rings endpoint (the agent's phone) and then number (already E.164);
// it returns the id of the agent's channel, the call's linkedid.
func (c *ClickToCall) Call(ctx context.Context, endpoint, number, agent string) (string, error) {
	if endpoint == "" || number == "" {
		return "", fmt.Errorf("click-to-call needs an endpoint and a number")
	}
	id, err := c.opts.Originator.Originate(ctx, c.opts.Node, c.request(endpoint, number, agent))
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrPBX, err)
	}
	return id, nil
}

// request is the originate of a click-to-call. Asterisk's originate
// callerId would set both the caller id (what the callee sees once the
// dialplan dials out) and the connected line (what the agent's phone
// shows), so it is left empty: CALLERID() carries the centre's caller id
// and CONNECTEDLINE() the text for the agent (option i: set, not sent as
// an update).
func (c *ClickToCall) request(endpoint, number, agent string) OriginateRequest {
	vars := map[string]string{
		"HOTLINE_CLICK_TO_CALL": agent,
		"CONNECTEDLINE(name,i)": c.opts.Display(number),
		"CONNECTEDLINE(num,i)":  number,
	}
	if c.opts.CallerID != "" {
		vars["CALLERID(all)"] = c.opts.CallerID
	} else {
		vars["CALLERID(num)"] = extensionOf(endpoint)
	}
	return OriginateRequest{
		Endpoint: endpoint, Extension: number, Context: c.opts.Context,
		Timeout: c.opts.RingAgent, Variables: vars,
	}
}

// extensionOf is the extension of an agent's endpoint: "PJSIP/1001" ->
// "1001", "SIP/1001@pbx" -> "1001".
func extensionOf(endpoint string) string {
	_, r, ok := strings.Cut(endpoint, "/")
	if !ok {
		r = endpoint
	}
	r, _, _ = strings.Cut(r, "@")
	return r
}
