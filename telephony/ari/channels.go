package ari

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Channels is the /channels resource.
type Channels struct{ c *Client }

// Channels returns the /channels resource.
func (c *Client) Channels() Channels { return Channels{c} }

// List returns every channel of the node (GET /channels).
func (s Channels) List(ctx context.Context) ([]Channel, error) {
	var out []Channel
	err := s.c.do(ctx, call{op: "channels.list", method: http.MethodGet, path: []string{"channels"}}, &out)
	return out, err
}

// Get returns one channel (GET /channels/{id}).
func (s Channels) Get(ctx context.Context, id string) (Channel, error) {
	var out Channel
	err := s.c.do(ctx, call{op: "channels.get", method: http.MethodGet, path: []string{"channels", id}}, &out)
	return out, err
}

// OriginateParams are the arguments of POST /channels. Either App or
// Extension (with Context) must be set.
type OriginateParams struct {
	// Endpoint to call, e.g. "PJSIP/1001" or "Local/7001@from-trunk".
	Endpoint string
	// Extension, Context, Priority and Label place the answered channel in the dialplan.
	Extension, Context string
	Priority           int64
	Label              string
	// App and AppArgs place the answered channel into Stasis instead.
	App, AppArgs string
	// CallerID for the new channel, e.g. `"Hotline" <+74950000000>`.
	CallerID string
	// Timeout in seconds to wait for an answer; 0 = Asterisk's default (30).
	Timeout int
	// ChannelID is our own id for the new channel, so its events can be matched
	// before the REST answer arrives; OtherChannelID names a Local channel's ;2 half.
	ChannelID, OtherChannelID string
	// Originator is the id of the channel that causes this one (for linkedid).
	Originator string
	// Formats is a comma-separated codec list, e.g. "ulaw,alaw".
	Formats string
	// Variables are channel variables to set on the new channel.
	Variables map[string]string
}

func (p OriginateParams) query() url.Values {
	q := url.Values{}
	set(q, "endpoint", p.Endpoint)
	set(q, "extension", p.Extension)
	set(q, "context", p.Context)
	if p.Priority != 0 {
		q.Set("priority", strconv.FormatInt(p.Priority, 10))
	}
	set(q, "label", p.Label)
	set(q, "app", p.App)
	set(q, "appArgs", p.AppArgs)
	set(q, "callerId", p.CallerID)
	setInt(q, "timeout", p.Timeout)
	set(q, "channelId", p.ChannelID)
	set(q, "otherChannelId", p.OtherChannelID)
	set(q, "originator", p.Originator)
	set(q, "formats", p.Formats)
	return q
}

// variablesBody is the JSON body carrying channel variables.
type variablesBody struct {
	Variables map[string]string `json:"variables"`
}

func varsBody(v map[string]string) any {
	if len(v) == 0 {
		return nil
	}
	return variablesBody{Variables: v}
}

// Originate creates a channel and dials it (POST /channels). A 200 answer
// does not prove the call exists: a bad dialplan target is destroyed at once
// (ChannelDestroyed cause 0).
func (s Channels) Originate(ctx context.Context, p OriginateParams) (Channel, error) {
	var out Channel
	err := s.c.do(ctx, call{op: "channels.originate", method: http.MethodPost, path: []string{"channels"},
		query: p.query(), body: varsBody(p.Variables)}, &out)
	return out, err
}

// CreateParams are the arguments of POST /channels/create.
type CreateParams struct {
	// Endpoint to call, e.g. "PJSIP/1001".
	Endpoint string
	// App (required) and AppArgs: the Stasis application the channel is placed in.
	App, AppArgs string
	// ChannelID is our own id for the new channel; OtherChannelID names a Local channel's ;2 half.
	ChannelID, OtherChannelID string
	// Originator is the id of the channel that causes this one (for linkedid).
	Originator string
	// Formats is a comma-separated codec list.
	Formats string
	// Variables are channel variables to set on the new channel.
	Variables map[string]string
}

// Create creates a channel in Stasis without dialling it (POST /channels/create);
// Dial starts the call.
func (s Channels) Create(ctx context.Context, p CreateParams) (Channel, error) {
	q := url.Values{}
	set(q, "endpoint", p.Endpoint)
	set(q, "app", p.App)
	set(q, "appArgs", p.AppArgs)
	set(q, "channelId", p.ChannelID)
	set(q, "otherChannelId", p.OtherChannelID)
	set(q, "originator", p.Originator)
	set(q, "formats", p.Formats)
	var out Channel
	err := s.c.do(ctx, call{op: "channels.create", method: http.MethodPost, path: []string{"channels", "create"},
		query: q, body: varsBody(p.Variables)}, &out)
	return out, err
}

// Dial dials a created channel (POST /channels/{id}/dial). caller is the
// channel to take caller id and linkedid from (may be ""); timeout is in
// seconds (0 = none).
func (s Channels) Dial(ctx context.Context, id, caller string, timeout int) error {
	q := url.Values{}
	set(q, "caller", caller)
	setInt(q, "timeout", timeout)
	return s.c.do(ctx, call{op: "channels.dial", method: http.MethodPost, path: []string{"channels", id, "dial"}, query: q}, nil)
}

// Answer answers a channel in Stasis (POST /channels/{id}/answer).
func (s Channels) Answer(ctx context.Context, id string) error {
	return s.simple(ctx, "channels.answer", http.MethodPost, id, "answer")
}

// Ring indicates ringing to a channel in Stasis (POST /channels/{id}/ring).
func (s Channels) Ring(ctx context.Context, id string) error {
	return s.simple(ctx, "channels.ring", http.MethodPost, id, "ring")
}

// RingStop stops ringing indication (DELETE /channels/{id}/ring).
func (s Channels) RingStop(ctx context.Context, id string) error {
	return s.simple(ctx, "channels.ringStop", http.MethodDelete, id, "ring")
}

// Hangup hangs a channel up (DELETE /channels/{id}). reason is one of
// Asterisk's names ("normal", "busy", "congestion", "no_answer", "timeout",
// "rejected", "unallocated", "normal_unspecified", "number_incomplete",
// "codec_mismatch", "interworking", "failure", "answered_elsewhere") or "".
func (s Channels) Hangup(ctx context.Context, id, reason string) error {
	q := url.Values{}
	set(q, "reason", reason)
	return s.c.do(ctx, call{op: "channels.hangup", method: http.MethodDelete, path: []string{"channels", id}, query: q}, nil)
}

// PlayParams are the arguments of a play request on a channel or bridge.
type PlayParams struct {
	// Media are the URIs to play in order, e.g. "sound:hello-world", "digits:123".
	Media []string
	// Lang is the sound language, e.g. "en".
	Lang string
	// OffsetMs skips into the first media; SkipMs is the skip for control operations.
	OffsetMs, SkipMs int
	// PlaybackID is our own id for the playback, so its events can be matched
	// before the REST answer arrives.
	PlaybackID string
}

func (p PlayParams) query() url.Values {
	q := url.Values{}
	set(q, "media", strings.Join(p.Media, ","))
	set(q, "lang", p.Lang)
	setInt(q, "offsetms", p.OffsetMs)
	setInt(q, "skipms", p.SkipMs)
	set(q, "playbackId", p.PlaybackID)
	return q
}

// Play starts media on a channel in Stasis (POST /channels/{id}/play).
func (s Channels) Play(ctx context.Context, id string, p PlayParams) (Playback, error) {
	var out Playback
	err := s.c.do(ctx, call{op: "channels.play", method: http.MethodPost, path: []string{"channels", id, "play"}, query: p.query()}, &out)
	return out, err
}

// ContinueParams say where a channel leaving Stasis continues; empty fields
// keep the channel's current place (the priority after Stasis).
type ContinueParams struct {
	Context, Extension string
	Priority           int
	Label              string
}

// Continue makes a channel leave Stasis and continue in the dialplan
// (POST /channels/{id}/continue).
func (s Channels) Continue(ctx context.Context, id string, p ContinueParams) error {
	q := url.Values{}
	set(q, "context", p.Context)
	set(q, "extension", p.Extension)
	setInt(q, "priority", p.Priority)
	set(q, "label", p.Label)
	return s.c.do(ctx, call{op: "channels.continue", method: http.MethodPost, path: []string{"channels", id, "continue"}, query: q}, nil)
}

// Redirect sends a channel to another endpoint (POST /channels/{id}/redirect).
func (s Channels) Redirect(ctx context.Context, id, endpoint string) error {
	q := url.Values{"endpoint": {endpoint}}
	return s.c.do(ctx, call{op: "channels.redirect", method: http.MethodPost, path: []string{"channels", id, "redirect"}, query: q}, nil)
}

// GetVar reads a channel variable or function, e.g. "CHANNEL(linkedid)"
// (GET /channels/{id}/variable). Works for channels outside Stasis too; an
// unset variable is a 404 *Error.
func (s Channels) GetVar(ctx context.Context, id, name string) (string, error) {
	var out Variable
	err := s.c.do(ctx, call{op: "channels.getVar", method: http.MethodGet, path: []string{"channels", id, "variable"},
		query: url.Values{"variable": {name}}}, &out)
	return out.Value, err
}

// SetVar sets a channel variable (POST /channels/{id}/variable).
func (s Channels) SetVar(ctx context.Context, id, name, value string) error {
	q := url.Values{"variable": {name}, "value": {value}}
	return s.c.do(ctx, call{op: "channels.setVar", method: http.MethodPost, path: []string{"channels", id, "variable"}, query: q}, nil)
}

// DTMFParams are the arguments of SendDTMF; durations are in milliseconds, 0 = Asterisk's default.
type DTMFParams struct {
	// DTMF is the digit string, e.g. "123#".
	DTMF string
	// Before, Between, Duration and After time the digits.
	Before, Between, Duration, After int
}

// SendDTMF sends digits to a channel in Stasis (POST /channels/{id}/dtmf).
func (s Channels) SendDTMF(ctx context.Context, id string, p DTMFParams) error {
	q := url.Values{"dtmf": {p.DTMF}}
	setInt(q, "before", p.Before)
	setInt(q, "between", p.Between)
	setInt(q, "duration", p.Duration)
	setInt(q, "after", p.After)
	return s.c.do(ctx, call{op: "channels.sendDTMF", method: http.MethodPost, path: []string{"channels", id, "dtmf"}, query: q}, nil)
}

func (s Channels) simple(ctx context.Context, op, method, id, verb string) error {
	return s.c.do(ctx, call{op: op, method: method, path: []string{"channels", id, verb}}, nil)
}

func set(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}

func setInt(q url.Values, k string, v int) {
	if v != 0 {
		q.Set(k, strconv.Itoa(v))
	}
}
