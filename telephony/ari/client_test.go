package ari

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

const channelJSON = `{"id":"dup-id-1","name":"Local/talk@sim-customer-00000010;1","state":"Down","protocol_id":"","caller":{"name":"","number":""},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"sim-customer","exten":"talk","priority":1,"app_name":"AppDial2","app_data":"(Outgoing Line)"},"creationtime":"2026-11-27T02:51:37.853+0000","language":"en"}`

func TestRESTRequests(t *testing.T) {
	f := newFakeARI(t)
	c := newTestClient(t, f, nil)
	ctx := context.Background()
	pbJSON := `{"id":"pb-1","media_uri":"sound:beep","target_uri":"channel:dup-id-1","language":"en","state":"queued"}`
	bridgeJSON := `{"id":"br-1","technology":"simple_bridge","bridge_type":"mixing","bridge_class":"stasis","creator":"Stasis","name":"","channels":[],"creationtime":"2026-11-27T02:51:39.662+0000","video_mode":"talker"}`
	appJSON := `{"name":"hotline","channel_ids":[],"bridge_ids":[],"endpoint_ids":[],"device_names":[],"events_allowed":[{"type":"Dial"}],"events_disallowed":[]}`
	f.answer("POST /channels", 200, channelJSON)
	f.answer("POST /channels/create", 200, channelJSON)
	f.answer("GET /channels", 200, "["+channelJSON+"]")
	f.answer("GET /channels/dup-id-1;2", 200, channelJSON)
	f.answer("POST /channels/dup-id-1/play", 201, pbJSON)
	f.answer("GET /channels/dup-id-1/variable", 200, `{"value":"1795748972.0"}`)
	f.answer("POST /bridges", 200, bridgeJSON)
	f.answer("POST /bridges/br-1/play", 201, pbJSON)
	f.answer("GET /playbacks/pb-1", 200, pbJSON)
	f.answer("PUT /applications/hotline/eventFilter", 200, appJSON)
	f.answer("POST /applications/hotline/subscription", 200, appJSON)
	f.answer("GET /endpoints", 200, `[{"technology":"PJSIP","resource":"1001","state":"online","channel_ids":[]}]`)
	f.answer("GET /asterisk/info", 200, `{"system":{"version":"22.10.1","entity_id":"02:fc:00:00:00:01"},"status":{"startup_time":"2026-11-27T02:40:00.000+0000","last_reload_time":"2026-11-27T02:40:00.000+0000"}}`)
	for _, p := range []string{"POST /channels/c1/answer", "POST /channels/c1/ring", "DELETE /channels/c1", "POST /channels/c1/dial",
		"POST /channels/c1/continue", "POST /channels/c1/redirect", "POST /channels/c1/variable", "POST /channels/c1/dtmf",
		"POST /bridges/br-1/addChannel", "POST /bridges/br-1/removeChannel", "DELETE /bridges/br-1", "DELETE /playbacks/pb-1"} {
		f.answer(p, 204, "")
	}

	type want struct {
		method, path string
		query        map[string][]string
		body         string
	}
	cases := []struct {
		name string
		run  func() error
		want want
	}{
		{"originate with our channel id", func() error {
			ch, err := c.Channels().Originate(ctx, OriginateParams{Endpoint: "PJSIP/1001", App: "hotline", AppArgs: "c2c,42",
				CallerID: `"Hotline" <+74950000000>`, Timeout: 5, ChannelID: "c2c-42", Variables: map[string]string{"HOLD": "6"}})
			if err == nil && (ch.ID != "dup-id-1" || ch.Dialplan.AppName != "AppDial2") {
				err = fmt.Errorf("channel decoded as %+v", ch)
			}
			return err
		}, want{"POST", "/channels", map[string][]string{"endpoint": {"PJSIP/1001"}, "app": {"hotline"}, "appArgs": {"c2c,42"},
			"callerId": {`"Hotline" <+74950000000>`}, "timeout": {"5"}, "channelId": {"c2c-42"}}, `{"variables":{"HOLD":"6"}}`}},
		{"create", func() error {
			_, err := c.Channels().Create(ctx, CreateParams{Endpoint: "Local/agent@sim-agent", App: "hotline", ChannelID: "agent-1"})
			return err
		}, want{"POST", "/channels/create", map[string][]string{"endpoint": {"Local/agent@sim-agent"}, "app": {"hotline"}, "channelId": {"agent-1"}}, ""}},
		{"list", func() error {
			l, err := c.Channels().List(ctx)
			if err == nil && len(l) != 1 {
				err = fmt.Errorf("%d channels", len(l))
			}
			return err
		}, want{"GET", "/channels", map[string][]string{}, ""}},
		{"get keeps ; in the path", func() error { _, err := c.Channels().Get(ctx, "dup-id-1;2"); return err },
			want{"GET", "/channels/dup-id-1;2", map[string][]string{}, ""}},
		{"dial", func() error { return c.Channels().Dial(ctx, "c1", "cust-1", 20) },
			want{"POST", "/channels/c1/dial", map[string][]string{"caller": {"cust-1"}, "timeout": {"20"}}, ""}},
		{"answer", func() error { return c.Channels().Answer(ctx, "c1") }, want{"POST", "/channels/c1/answer", map[string][]string{}, ""}},
		{"ring", func() error { return c.Channels().Ring(ctx, "c1") }, want{"POST", "/channels/c1/ring", map[string][]string{}, ""}},
		{"hangup with reason", func() error { return c.Channels().Hangup(ctx, "c1", "busy") },
			want{"DELETE", "/channels/c1", map[string][]string{"reason": {"busy"}}, ""}},
		{"play with our playback id", func() error {
			pb, err := c.Channels().Play(ctx, "dup-id-1", PlayParams{Media: []string{"sound:hello-world", "sound:beep"}, PlaybackID: "pb-1", Lang: "en"})
			if err == nil && (pb.ID != "pb-1" || pb.State != "queued") {
				err = fmt.Errorf("playback %+v", pb)
			}
			return err
		}, want{"POST", "/channels/dup-id-1/play", map[string][]string{"media": {"sound:hello-world,sound:beep"}, "playbackId": {"pb-1"}, "lang": {"en"}}, ""}},
		{"continue", func() error {
			return c.Channels().Continue(ctx, "c1", ContinueParams{Context: "from-trunk", Extension: "7001", Priority: 3})
		}, want{"POST", "/channels/c1/continue", map[string][]string{"context": {"from-trunk"}, "extension": {"7001"}, "priority": {"3"}}, ""}},
		{"redirect", func() error { return c.Channels().Redirect(ctx, "c1", "PJSIP/1002") },
			want{"POST", "/channels/c1/redirect", map[string][]string{"endpoint": {"PJSIP/1002"}}, ""}},
		{"get variable", func() error {
			v, err := c.Channels().GetVar(ctx, "dup-id-1", "CHANNEL(linkedid)")
			if err == nil && v != "1795748972.0" {
				err = fmt.Errorf("value %q", v)
			}
			return err
		}, want{"GET", "/channels/dup-id-1/variable", map[string][]string{"variable": {"CHANNEL(linkedid)"}}, ""}},
		{"set variable", func() error { return c.Channels().SetVar(ctx, "c1", "SURVEY", "done") },
			want{"POST", "/channels/c1/variable", map[string][]string{"variable": {"SURVEY"}, "value": {"done"}}, ""}},
		{"send dtmf", func() error { return c.Channels().SendDTMF(ctx, "c1", DTMFParams{DTMF: "12#", Duration: 100}) },
			want{"POST", "/channels/c1/dtmf", map[string][]string{"dtmf": {"12#"}, "duration": {"100"}}, ""}},
		{"bridge create", func() error {
			b, err := c.Bridges().Create(ctx, BridgeParams{Type: []string{"mixing", "dtmf_events"}, BridgeID: "br-1"})
			if err == nil && (b.ID != "br-1" || b.CreationTime.IsZero()) {
				err = fmt.Errorf("bridge %+v", b)
			}
			return err
		}, want{"POST", "/bridges", map[string][]string{"type": {"mixing,dtmf_events"}, "bridgeId": {"br-1"}}, ""}},
		{"add channel", func() error {
			return c.Bridges().AddChannel(ctx, "br-1", []string{"a", "b"}, AddChannelParams{AbsorbDTMF: true})
		}, want{"POST", "/bridges/br-1/addChannel", map[string][]string{"channel": {"a,b"}, "absorbDTMF": {"true"}}, ""}},
		{"remove channel", func() error { return c.Bridges().RemoveChannel(ctx, "br-1", "a") },
			want{"POST", "/bridges/br-1/removeChannel", map[string][]string{"channel": {"a"}}, ""}},
		{"bridge play", func() error {
			_, err := c.Bridges().Play(ctx, "br-1", PlayParams{Media: []string{"sound:beep"}})
			return err
		}, want{"POST", "/bridges/br-1/play", map[string][]string{"media": {"sound:beep"}}, ""}},
		{"bridge destroy", func() error { return c.Bridges().Destroy(ctx, "br-1") }, want{"DELETE", "/bridges/br-1", map[string][]string{}, ""}},
		{"playback get", func() error { _, err := c.Playbacks().Get(ctx, "pb-1"); return err }, want{"GET", "/playbacks/pb-1", map[string][]string{}, ""}},
		{"playback stop", func() error { return c.Playbacks().Stop(ctx, "pb-1") }, want{"DELETE", "/playbacks/pb-1", map[string][]string{}, ""}},
		{"subscribe", func() error {
			_, err := c.Applications().Subscribe(ctx, "hotline", "endpoint:PJSIP/1001", "deviceState:Queue:support")
			return err
		}, want{"POST", "/applications/hotline/subscription", map[string][]string{"eventSource": {"endpoint:PJSIP/1001,deviceState:Queue:support"}}, ""}},
		{"event filter", func() error {
			a, err := c.Applications().SetEventFilter(ctx, "hotline", EventFilter{Disallowed: []string{TypeChannelVarset, TypeChannelDialplan}})
			if err == nil && (a.Name != "hotline" || len(a.EventsAllowed) != 1) {
				err = fmt.Errorf("application %+v", a)
			}
			return err
		}, want{"PUT", "/applications/hotline/eventFilter", map[string][]string{}, `{"allowed":[],"disallowed":[{"type":"ChannelVarset"},{"type":"ChannelDialplan"}]}`}},
		{"endpoints", func() error {
			l, err := c.Endpoints().List(ctx)
			if err == nil && (len(l) != 1 || l[0].Resource != "1001") {
				err = fmt.Errorf("endpoints %+v", l)
			}
			return err
		}, want{"GET", "/endpoints", map[string][]string{}, ""}},
		{"asterisk info", func() error {
			info, err := c.Asterisk().Info(ctx)
			if err == nil && (info.System == nil || info.System.Version != "22.10.1" || info.Status.StartupTime.IsZero()) {
				err = fmt.Errorf("info %+v", info)
			}
			return err
		}, want{"GET", "/asterisk/info", map[string][]string{}, ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); err != nil {
				t.Fatal(err)
			}
			got := f.lastRequest()
			if got.Method != tc.want.method || got.Path != tc.want.path {
				t.Errorf("sent %s %s, want %s %s", got.Method, got.Path, tc.want.method, tc.want.path)
			}
			if !reflect.DeepEqual(got.Query, tc.want.query) {
				t.Errorf("query %v, want %v", got.Query, tc.want.query)
			}
			if got.Body != tc.want.body {
				t.Errorf("body %s, want %s", got.Body, tc.want.body)
			}
		})
	}
}

func TestRESTErrors(t *testing.T) {
	f := newFakeARI(t)
	c := newTestClient(t, f, nil)
	ctx := context.Background()
	f.answer("POST /channels/no-such-channel/answer", 404, `{"message":"Channel not found"}`)
	f.answer("POST /channels", 500, `{"error":"Allocation failed"}`)
	f.answer("POST /channels/c1/answer", 409, `{"message":"Channel not in Stasis application"}`)
	f.answer("POST /bridges/b/addChannel", 422, `{"message":"Channel not in Stasis application"}`)
	f.answer("GET /channels", 503, `<html>busy</html>`)

	cases := []struct {
		name   string
		err    error
		op     string
		status int
		msg    string
	}{
		{"not found", c.Channels().Answer(ctx, "no-such-channel"), "channels.answer", 404, "Channel not found"},
		{"error key", func() error {
			_, err := c.Channels().Originate(ctx, OriginateParams{Endpoint: "Bogus/123", App: "hotline"})
			return err
		}(),
			"channels.originate", 500, "Allocation failed"},
		{"conflict", c.Channels().Answer(ctx, "c1"), "channels.answer", 409, "Channel not in Stasis application"},
		{"unprocessable", c.Bridges().AddChannel(ctx, "b", []string{"x"}, AddChannelParams{}), "bridges.addChannel", 422, "Channel not in Stasis application"},
		{"html body", func() error { _, err := c.Channels().List(ctx); return err }(), "channels.list", 503, "Service Unavailable"},
		{"unknown path", c.Playbacks().Stop(ctx, "nope"), "playbacks.stop", 404, "Resource not found"},
	}
	for _, tc := range cases {
		var e *Error
		if !errors.As(tc.err, &e) {
			t.Errorf("%s: error %v (%T) is not *ari.Error", tc.name, tc.err, tc.err)
			continue
		}
		if e.Op != tc.op || e.Status != tc.status || e.Message != tc.msg {
			t.Errorf("%s: got %+v, want op %s status %d message %q", tc.name, *e, tc.op, tc.status, tc.msg)
		}
		if StatusOf(tc.err) != tc.status || IsNotFound(tc.err) != (tc.status == 404) {
			t.Errorf("%s: StatusOf/IsNotFound disagree with %d", tc.name, tc.status)
		}
	}

	bad := newTestClient(t, f, func(cfg *Config) { cfg.Password = "wrong-" + testPass })
	_, err := bad.Channels().List(ctx)
	if StatusOf(err) != http.StatusUnauthorized || strings.Contains(err.Error(), testPass) {
		t.Errorf("wrong password: %v", err)
	}
}

func TestRESTTimeout(t *testing.T) {
	f := newFakeARI(t)
	f.answer("GET /channels", 200, "[]")
	f.setDelay(2 * time.Second)
	c := newTestClient(t, f, func(cfg *Config) { cfg.RequestTimeout = 50 * time.Millisecond })
	start := time.Now()
	_, err := c.Channels().List(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want a deadline exceeded", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("call took %v despite a 50ms timeout", time.Since(start))
	}
	// The caller's own, shorter deadline wins too.
	c2 := newTestClient(t, f, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := c2.Channels().List(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("caller deadline: %v", err)
	}
}

// TestCredentialsNeverLeak drives every failure path with a logger at debug
// level and checks that the password shows up in no error and no log line.
func TestCredentialsNeverLeak(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFakeARI(t)
	f.answer("GET /channels", 500, `{"message":"failed for hotline:`+testPass+`"}`)

	var errs []error
	// Credentials given inside the URL, against a port nobody listens on.
	dead, err := NewClient(Config{URL: "http://" + testUser + ":" + testPass + "@127.0.0.1:1/ari", App: "hotline",
		Logger: logger, ReconnectMin: time.Millisecond, ReconnectMax: 5 * time.Millisecond, RequestTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = dead.Channels().List(context.Background())
	errs = append(errs, err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	if err := dead.Run(ctx, func(Message) {}); err != nil {
		t.Errorf("Run: %v", err)
	}
	cancel()
	errs = append(errs, errors.New(dead.Stats().LastError))

	live := newTestClient(t, f, func(cfg *Config) { cfg.Logger = logger })
	_, err = live.Channels().List(context.Background())
	errs = append(errs, err)
	wrong := newTestClient(t, f, func(cfg *Config) { cfg.Logger = logger; cfg.Password = testPass + "x" })
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	wrong.Run(ctx, func(Message) {})
	cancel()
	errs = append(errs, errors.New(wrong.Stats().LastError))
	_, err = NewClient(Config{URL: "ftp://u:" + testPass + "@h", App: "x"})
	errs = append(errs, err)
	_, err = ParseNodes("a=http://u:"+testPass+"@h:1,a=http://h:2", "", "", "hotline")
	errs = append(errs, err)

	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
			continue
		}
		if strings.Contains(err.Error(), testPass) {
			t.Errorf("case %d: password in error %q", i, err)
		}
	}
	if logs.Len() == 0 {
		t.Error("nothing was logged; the test proves nothing")
	}
	if strings.Contains(logs.String(), testPass) {
		t.Errorf("password in logs:\n%s", logs.String())
	}
	cfg := live.cfg
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg)} {
		if strings.Contains(s, testPass) {
			t.Errorf("Config prints its password: %s", s)
		}
	}
	logs.Reset()
	logger.Info("config", "cfg", cfg)
	if strings.Contains(logs.String(), testPass) || !strings.Contains(logs.String(), "hotline") {
		t.Errorf("Config.LogValue: %s", logs.String())
	}
}

func TestNewClientValidation(t *testing.T) {
	for _, tc := range []struct{ url, app, wantErr string }{
		{"", "hotline", "URL is required"},
		{"http://h:8088", "", "App is required"},
		{"ftp://h", "hotline", "scheme"},
		{"http:///ari", "hotline", "no host"},
		{"http://h:8088/ari?api_key=x", "hotline", "query"},
	} {
		_, err := NewClient(Config{URL: tc.url, App: tc.app})
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("NewClient(%q, %q) = %v, want error with %q", tc.url, tc.app, err, tc.wantErr)
		}
	}
	for in, want := range map[string]string{
		"http://h:8088":          "http://h:8088/ari",
		"http://h:8088/ari/":     "http://h:8088/ari",
		"ws://h:8088/ari/events": "http://h:8088/ari",
		"wss://u:p@h:8089":       "https://h:8089/ari",
		"https://h/asterisk/ari": "https://h/asterisk/ari",
		"https://h/prefix":       "https://h/prefix/ari",
	} {
		c, err := NewClient(Config{URL: in, App: "hotline"})
		if err != nil {
			t.Errorf("NewClient(%q): %v", in, err)
		} else if c.base != want {
			t.Errorf("NewClient(%q): base %q, want %q", in, c.base, want)
		}
	}
	c, _ := NewClient(Config{URL: "http://alice:pw@h:8088", App: "hotline"})
	if c.cfg.User != "alice" || c.cfg.Password != "pw" || c.cfg.Node != "h:8088" || strings.Contains(c.ws, "pw") {
		t.Errorf("URL credentials: %+v ws %s", c.cfg, c.ws)
	}
}
