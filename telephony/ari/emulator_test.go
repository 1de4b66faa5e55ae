package ari_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
)

// These tests run the client against the simulated PBX of package aritest,
// which follows the recorded Asterisk behaviour.

type received struct {
	mu     sync.Mutex
	byType map[string]int
	errs   []error
}

func (r *received) handle(m ari.Message) {
	ev, err := m.Decode()
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.errs = append(r.errs, err)
		return
	}
	if _, unknown := ev.(*ari.UnknownEvent); unknown {
		r.errs = append(r.errs, errors.New("unknown event "+m.Type))
	}
	r.byType[m.Type]++
}

func (r *received) count(typ string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byType[typ]
}

func newEmulatorClient(t *testing.T, srv *aritest.Server, mod func(*ari.Config)) *ari.Client {
	t.Helper()
	cfg := ari.Config{Node: "sim", URL: srv.URL(), User: "hotline", Password: "hotline-secret", App: "hotline",
		ReconnectMin: 10 * time.Millisecond, ReconnectMax: 100 * time.Millisecond, RequestTimeout: 2 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := ari.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func runClient(t *testing.T, c *ari.Client, handle func(ari.Message)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, handle) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestEmulatorCallWithFilterAndDrop: the event filter keeps the dialplan
// noise away, a call's events all decode, and after the emulator drops the
// socket the client reconnects, reconciles (OnConnect) and gets the next call.
func TestEmulatorCallWithFilterAndDrop(t *testing.T) {
	srv := aritest.New(aritest.Options{Speed: 50, Seed: 1, ChannelVarsLinkedID: true})
	t.Cleanup(srv.Close)
	var connects atomic.Int32
	got := &received{byType: map[string]int{}}
	var c *ari.Client
	c = newEmulatorClient(t, srv, func(cfg *ari.Config) {
		cfg.EventFilter = ari.CallEventTypes
		cfg.OnConnect = func(ctx context.Context) {
			connects.Add(1)
			if _, err := c.Channels().List(ctx); err != nil {
				t.Errorf("reconcile list: %v", err)
			}
		}
	})
	runClient(t, c, got.handle)
	waitFor(t, "registration", func() bool { return srv.Connected("hotline") && connects.Load() == 1 })

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	call := aritest.Inbound{Exten: "7002", AbandonAfter: 3 * time.Second}
	if _, err := srv.InboundCall(ctx, call); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the call's ChannelDestroyed events", func() bool { return got.count(ari.TypeChannelDestroyed) >= 2 })
	if n := got.count(ari.TypeChannelVarset) + got.count(ari.TypeChannelDialplan) + got.count(ari.TypeDeviceStateChanged); n != 0 {
		t.Errorf("%d filtered-out events arrived", n)
	}
	if got.count(ari.TypeDial) == 0 || got.count(ari.TypeChannelCreated) < 2 {
		t.Errorf("call events missing: %v", got.byType)
	}

	srv.DropSockets()
	waitFor(t, "reconnect", func() bool { return connects.Load() == 2 && c.Connected() })
	before := got.count(ari.TypeChannelDestroyed)
	if _, err := srv.InboundCall(ctx, call); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "second call after reconnect", func() bool { return got.count(ari.TypeChannelDestroyed) >= before+2 })
	if n := got.count(ari.TypeChannelVarset); n != 0 {
		t.Errorf("filter not set again after reconnect: %d ChannelVarset", n)
	}
	got.mu.Lock()
	if len(got.errs) > 0 {
		t.Errorf("decode errors: %v", got.errs)
	}
	got.mu.Unlock()
	st := c.Stats()
	if st.Reconnects != 1 || st.Malformed != 0 || st.Unknown != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestEmulatorRefusedSockets: while the PBX refuses the WebSocket the
// client retries with backoff, then connects.
func TestEmulatorRefusedSockets(t *testing.T) {
	srv := aritest.New(aritest.Options{Seed: 2})
	t.Cleanup(srv.Close)
	srv.RefuseSockets(300 * time.Millisecond)
	c := newEmulatorClient(t, srv, nil)
	start := time.Now()
	runClient(t, c, func(ari.Message) {})
	waitFor(t, "connect after refusals", c.Connected)
	if time.Since(start) < 250*time.Millisecond {
		t.Errorf("connected after %v although sockets were refused for 300ms", time.Since(start))
	}
	if st := c.Stats(); st.Connects != 1 || st.LastError == "" {
		t.Errorf("stats %+v", st)
	}
}

// TestEmulatorRESTFaults: 5xx answers become *ari.Error, a hanging answer a timeout.
func TestEmulatorRESTFaults(t *testing.T) {
	srv := aritest.New(aritest.Options{Seed: 3})
	t.Cleanup(srv.Close)
	c := newEmulatorClient(t, srv, func(cfg *ari.Config) { cfg.RequestTimeout = 200 * time.Millisecond })
	ctx := context.Background()

	if _, err := c.Channels().Get(ctx, "no-such-channel"); !ari.IsNotFound(err) {
		t.Errorf("unknown channel: %v", err)
	}
	srv.InjectREST(aritest.RESTFault{PathPrefix: "/ari/channels", Status: 503, Times: 1})
	_, err := c.Channels().List(ctx)
	var e *ari.Error
	if !errors.As(err, &e) || e.Status != 503 || e.Op != "channels.list" {
		t.Errorf("injected 503: %v", err)
	}
	if _, err := c.Channels().List(ctx); err != nil {
		t.Errorf("after the fault: %v", err)
	}
	srv.InjectREST(aritest.RESTFault{PathPrefix: "/ari/asterisk", Hang: 2 * time.Second, Times: 1})
	if _, err := c.Asterisk().Info(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hanging answer: %v", err)
	}
	info, err := c.Asterisk().Info(ctx)
	if err != nil || info.System == nil || info.System.Version == "" {
		t.Errorf("info %+v, %v", info, err)
	}
}
