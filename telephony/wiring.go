package telephony

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"hotline/telephony/ari"
)

// EventTypes lists the ARI event types the tracker uses, for the ari
// client's EventFilter (add the types other consumers need, e.g. the
// survey's Playback* events).
func EventTypes() []string { return slices.Sorted(slices.Values(foldedTypes)) }

// ARIChannels reads channel state from the ari clients of every node.
type ARIChannels struct {
	Nodes interface {
		Get(node string) (*ari.Client, bool)
	}
}

var _ Channels = ARIChannels{}

func (a ARIChannels) client(node string) (*ari.Client, error) {
	c, ok := a.Nodes.Get(node)
	if !ok {
		return nil, fmt.Errorf("no ARI client for node %q", node)
	}
	return c, nil
}

// LinkedID reads CHANNEL(linkedid) of a channel over REST.
func (a ARIChannels) LinkedID(ctx context.Context, node, channelID string) (string, error) {
	c, err := a.client(node)
	if err != nil {
		return "", err
	}
	v, err := c.Channels().GetVar(ctx, channelID, LinkedIDVar)
	if err != nil {
		return "", fmt.Errorf("read linkedid of %s: %w", channelID, err)
	}
	return v, nil
}

// List returns the live channels of a node (GET /channels).
func (a ARIChannels) List(ctx context.Context, node string) ([]LiveChannel, error) {
	c, err := a.client(node)
	if err != nil {
		return nil, err
	}
	chans, err := c.Channels().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list channels of %s: %w", node, err)
	}
	out := make([]LiveChannel, 0, len(chans))
	for _, ch := range chans {
		out = append(out, LiveChannel{ID: ch.ID, Name: ch.Name, State: ch.State, CallerNumber: ch.Caller.Number,
			CallerName: ch.Caller.Name, Context: ch.Dialplan.Context, Exten: ch.Dialplan.Exten,
			LinkedID: ch.ChannelVars[LinkedIDVar], CreatedAt: ch.CreationTime.Time})
	}
	return out, nil
}

// EndpointRoster is a Roster loaded from the user directory (e.g.
// crm/postgres Store.ListAgentEndpoints) and refreshed on demand or on a
// timer; lookups never wait for a refresh.
type EndpointRoster struct {
	load func(context.Context) (map[string]string, error)
	mu   sync.RWMutex
	m    map[string]string
}

var _ Roster = (*EndpointRoster)(nil)

// NewEndpointRoster returns an empty roster that load fills on Refresh.
func NewEndpointRoster(load func(context.Context) (map[string]string, error)) *EndpointRoster {
	return &EndpointRoster{load: load, m: map[string]string{}}
}

// AgentByEndpoint returns the login of the agent using endpoint.
func (r *EndpointRoster) AgentByEndpoint(endpoint string) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	l, ok := r.m[endpoint]
	return l, ok
}

// Refresh reloads the endpoint map; on error the old one stays.
func (r *EndpointRoster) Refresh(ctx context.Context) error {
	m, err := r.load(ctx)
	if err != nil {
		return fmt.Errorf("load agent endpoints: %w", err)
	}
	r.mu.Lock()
	r.m = m
	r.mu.Unlock()
	return nil
}

// Run refreshes every interval until ctx ends; errors go to onErr.
func (r *EndpointRoster) Run(ctx context.Context, every time.Duration, onErr func(error)) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := r.Refresh(ctx); err != nil && onErr != nil {
				onErr(err)
			}
		}
	}
}

// Originate places a call through POST /channels on node.
func (a ARIChannels) Originate(ctx context.Context, node string, req OriginateRequest) (string, error) {
	c, err := a.client(node)
	if err != nil {
		return "", err
	}
	ch, err := c.Channels().Originate(ctx, ari.OriginateParams{Endpoint: req.Endpoint, Extension: req.Extension,
		Context: req.Context, Priority: 1, CallerID: req.CallerID, Timeout: int(req.Timeout / time.Second),
		Variables: req.Variables})
	if err != nil {
		return "", fmt.Errorf("originate %s: %w", req.Endpoint, err)
	}
	return ch.ID, nil
}
