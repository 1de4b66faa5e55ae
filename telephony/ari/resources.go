package ari

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// Bridges is the /bridges resource.
type Bridges struct{ c *Client }

// Bridges returns the /bridges resource.
func (c *Client) Bridges() Bridges { return Bridges{c} }

// BridgeParams are the arguments of Create.
type BridgeParams struct {
	// Type lists the bridge features, e.g. "mixing", "holding", "dtmf_events", "proxy_media".
	Type []string
	// BridgeID is our own id for the bridge; Name is a free-form label.
	BridgeID, Name string
}

// Create creates a bridge (POST /bridges).
func (s Bridges) Create(ctx context.Context, p BridgeParams) (Bridge, error) {
	q := url.Values{}
	set(q, "type", strings.Join(p.Type, ","))
	set(q, "bridgeId", p.BridgeID)
	set(q, "name", p.Name)
	var out Bridge
	err := s.c.do(ctx, call{op: "bridges.create", method: http.MethodPost, path: []string{"bridges"}, query: q}, &out)
	return out, err
}

// Get returns one bridge (GET /bridges/{id}).
func (s Bridges) Get(ctx context.Context, id string) (Bridge, error) {
	var out Bridge
	err := s.c.do(ctx, call{op: "bridges.get", method: http.MethodGet, path: []string{"bridges", id}}, &out)
	return out, err
}

// List returns every bridge of the node (GET /bridges).
func (s Bridges) List(ctx context.Context) ([]Bridge, error) {
	var out []Bridge
	err := s.c.do(ctx, call{op: "bridges.list", method: http.MethodGet, path: []string{"bridges"}}, &out)
	return out, err
}

// AddChannelParams are the options of AddChannel.
type AddChannelParams struct {
	// Role of the channels in the bridge, e.g. "announcer"; "" = participant.
	Role string
	// AbsorbDTMF keeps the channels' DTMF from passing through the bridge.
	AbsorbDTMF bool
	// Mute keeps the channels' audio out of the bridge.
	Mute bool
	// InhibitConnectedLineUpdates stops connected-line updates for the channels.
	InhibitConnectedLineUpdates bool
}

// AddChannel adds channels in Stasis to a bridge (POST /bridges/{id}/addChannel).
func (s Bridges) AddChannel(ctx context.Context, id string, channels []string, p AddChannelParams) error {
	q := url.Values{"channel": {strings.Join(channels, ",")}}
	set(q, "role", p.Role)
	if p.AbsorbDTMF {
		q.Set("absorbDTMF", "true")
	}
	if p.Mute {
		q.Set("mute", "true")
	}
	if p.InhibitConnectedLineUpdates {
		q.Set("inhibitConnectedLineUpdates", "true")
	}
	return s.c.do(ctx, call{op: "bridges.addChannel", method: http.MethodPost, path: []string{"bridges", id, "addChannel"}, query: q}, nil)
}

// RemoveChannel removes channels from a bridge (POST /bridges/{id}/removeChannel).
func (s Bridges) RemoveChannel(ctx context.Context, id string, channels ...string) error {
	q := url.Values{"channel": {strings.Join(channels, ",")}}
	return s.c.do(ctx, call{op: "bridges.removeChannel", method: http.MethodPost, path: []string{"bridges", id, "removeChannel"}, query: q}, nil)
}

// Destroy shuts a bridge down (DELETE /bridges/{id}); its channels stay.
func (s Bridges) Destroy(ctx context.Context, id string) error {
	return s.c.do(ctx, call{op: "bridges.destroy", method: http.MethodDelete, path: []string{"bridges", id}}, nil)
}

// Play starts media on a bridge (POST /bridges/{id}/play).
func (s Bridges) Play(ctx context.Context, id string, p PlayParams) (Playback, error) {
	var out Playback
	err := s.c.do(ctx, call{op: "bridges.play", method: http.MethodPost, path: []string{"bridges", id, "play"}, query: p.query()}, &out)
	return out, err
}

// Playbacks is the /playbacks resource.
type Playbacks struct{ c *Client }

// Playbacks returns the /playbacks resource.
func (c *Client) Playbacks() Playbacks { return Playbacks{c} }

// Get returns a playback (GET /playbacks/{id}); 404 once it has ended.
func (s Playbacks) Get(ctx context.Context, id string) (Playback, error) {
	var out Playback
	err := s.c.do(ctx, call{op: "playbacks.get", method: http.MethodGet, path: []string{"playbacks", id}}, &out)
	return out, err
}

// Stop stops a playback (DELETE /playbacks/{id}).
func (s Playbacks) Stop(ctx context.Context, id string) error {
	return s.c.do(ctx, call{op: "playbacks.stop", method: http.MethodDelete, path: []string{"playbacks", id}}, nil)
}

// Control pauses, unpauses, restarts, rewinds or fast-forwards a playback
// (POST /playbacks/{id}/control); operation is "pause", "unpause", "restart",
// "reverse" or "forward".
func (s Playbacks) Control(ctx context.Context, id, operation string) error {
	q := url.Values{"operation": {operation}}
	return s.c.do(ctx, call{op: "playbacks.control", method: http.MethodPost, path: []string{"playbacks", id, "control"}, query: q}, nil)
}

// Applications is the /applications resource.
type Applications struct{ c *Client }

// Applications returns the /applications resource.
func (c *Client) Applications() Applications { return Applications{c} }

// List returns the registered applications (GET /applications).
func (s Applications) List(ctx context.Context) ([]Application, error) {
	var out []Application
	err := s.c.do(ctx, call{op: "applications.list", method: http.MethodGet, path: []string{"applications"}}, &out)
	return out, err
}

// Get returns an application (GET /applications/{app}); 404 while no
// WebSocket has it registered.
func (s Applications) Get(ctx context.Context, app string) (Application, error) {
	var out Application
	err := s.c.do(ctx, call{op: "applications.get", method: http.MethodGet, path: []string{"applications", app}}, &out)
	return out, err
}

// Subscribe subscribes app to event sources such as "channel:{id}",
// "bridge:{id}", "endpoint:PJSIP/1001" or "deviceState:{name}"
// (POST /applications/{app}/subscription).
func (s Applications) Subscribe(ctx context.Context, app string, sources ...string) (Application, error) {
	return s.subscription(ctx, "applications.subscribe", http.MethodPost, app, sources)
}

// Unsubscribe removes event sources (DELETE /applications/{app}/subscription).
func (s Applications) Unsubscribe(ctx context.Context, app string, sources ...string) (Application, error) {
	return s.subscription(ctx, "applications.unsubscribe", http.MethodDelete, app, sources)
}

func (s Applications) subscription(ctx context.Context, op, method, app string, sources []string) (Application, error) {
	q := url.Values{"eventSource": {strings.Join(sources, ",")}}
	var out Application
	err := s.c.do(ctx, call{op: op, method: method, path: []string{"applications", app, "subscription"}, query: q}, &out)
	return out, err
}

// EventFilter says which event types an application receives: if Allowed is
// not empty only those, and never those in Disallowed.
type EventFilter struct {
	Allowed, Disallowed []string
}

type eventTypeRef struct {
	Type string `json:"type"`
}

type eventFilterBody struct {
	Allowed    []eventTypeRef `json:"allowed"`
	Disallowed []eventTypeRef `json:"disallowed"`
}

func refs(types []string) []eventTypeRef {
	out := make([]eventTypeRef, 0, len(types))
	for _, t := range types {
		out = append(out, eventTypeRef{Type: t})
	}
	return out
}

// SetEventFilter replaces the application's event filter
// (PUT /applications/{app}/eventFilter). The filter lives as long as the
// application registration: set it again after every reconnect.
func (s Applications) SetEventFilter(ctx context.Context, app string, f EventFilter) (Application, error) {
	body := eventFilterBody{Allowed: refs(f.Allowed), Disallowed: refs(f.Disallowed)}
	var out Application
	err := s.c.do(ctx, call{op: "applications.eventFilter", method: http.MethodPut,
		path: []string{"applications", app, "eventFilter"}, body: body}, &out)
	return out, err
}

// Endpoints is the /endpoints resource.
type Endpoints struct{ c *Client }

// Endpoints returns the /endpoints resource.
func (c *Client) Endpoints() Endpoints { return Endpoints{c} }

// List returns every endpoint of the node (GET /endpoints).
func (s Endpoints) List(ctx context.Context) ([]Endpoint, error) {
	var out []Endpoint
	err := s.c.do(ctx, call{op: "endpoints.list", method: http.MethodGet, path: []string{"endpoints"}}, &out)
	return out, err
}

// Get returns one endpoint, e.g. ("PJSIP", "1001") (GET /endpoints/{tech}/{resource}).
func (s Endpoints) Get(ctx context.Context, tech, resource string) (Endpoint, error) {
	var out Endpoint
	err := s.c.do(ctx, call{op: "endpoints.get", method: http.MethodGet, path: []string{"endpoints", tech, resource}}, &out)
	return out, err
}

// AsteriskSystem is the /asterisk resource.
type AsteriskSystem struct{ c *Client }

// Asterisk returns the /asterisk resource.
func (c *Client) Asterisk() AsteriskSystem { return AsteriskSystem{c} }

// Info returns build, system, config and status information (GET /asterisk/info).
func (s AsteriskSystem) Info(ctx context.Context) (AsteriskInfo, error) {
	var out AsteriskInfo
	err := s.c.do(ctx, call{op: "asterisk.info", method: http.MethodGet, path: []string{"asterisk", "info"}}, &out)
	return out, err
}

// Ping checks that Asterisk answers (GET /asterisk/ping).
func (s AsteriskSystem) Ping(ctx context.Context) (AsteriskPing, error) {
	var out AsteriskPing
	err := s.c.do(ctx, call{op: "asterisk.ping", method: http.MethodGet, path: []string{"asterisk", "ping"}}, &out)
	return out, err
}
