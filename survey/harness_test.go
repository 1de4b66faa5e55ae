package survey_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/survey"
	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
)

// roster maps the emulator's agent endpoints to logins.
type roster map[string]string

func (r roster) AgentByEndpoint(ep string) (string, bool) { l, ok := r[ep]; return l, ok }

// rig is the emulated PBX, a real ARI client, the call tracker and the
// survey runner on a fresh database.
type rig struct {
	t       *testing.T
	srv     *aritest.Server
	store   *postgres.Services
	cli     *ari.Client
	runner  *survey.Runner
	tracker *telephony.Tracker
	ctx     context.Context
	extra   []func(ari.Message)
}

func newRig(t *testing.T, speed float64, extra ...func(ari.Message)) *rig {
	t.Helper()
	return newRigReg(t, speed, nil, extra...)
}

// newRigReg is newRig with the runner's metrics registered on reg.
func newRigReg(t *testing.T, speed float64, reg prometheus.Registerer, extra ...func(ari.Message)) *rig {
	t.Helper()
	return newRigOpts(t, aritest.Options{Speed: speed, ChannelVarsLinkedID: true}, reg, extra...)
}

// restChannels gives the tracker linkedids by REST reads, for an Asterisk
// without channelvars = CHANNEL(linkedid).
type restChannels struct{ cli *ari.Client }

func (c restChannels) LinkedID(ctx context.Context, _, id string) (string, error) {
	return c.cli.Channels().GetVar(ctx, id, "CHANNEL(linkedid)")
}

func (c restChannels) List(ctx context.Context, _ string) ([]telephony.LiveChannel, error) {
	list, err := c.cli.Channels().List(ctx)
	out := make([]telephony.LiveChannel, 0, len(list))
	for _, ch := range list {
		out = append(out, telephony.LiveChannel{ID: ch.ID, Name: ch.Name, State: ch.State, CallerNumber: ch.Caller.Number})
	}
	return out, err
}

// newRigOpts is newRig on an emulator with the given options.
func newRigOpts(t *testing.T, opts aritest.Options, reg prometheus.Registerer, extra ...func(ari.Message)) *rig {
	t.Helper()
	return startRig(t, opts, newStore(t), survey.Options{Registerer: reg}, extra...)
}

// startRig runs the emulator, the tracker on st and a runner with ro (its
// Clock and ARI filled in, its Store and Timeline too when it has none).
func startRig(t *testing.T, opts aritest.Options, st *postgres.Services, ro survey.Options, extra ...func(ari.Message)) *rig {
	t.Helper()
	srv := aritest.New(opts)
	t.Cleanup(srv.Close)
	cli, err := ari.NewClient(ari.Config{URL: srv.URL(), User: "hotline", Password: "hotline-secret", App: "hotline"})
	if err != nil {
		t.Fatal(err)
	}
	var chans telephony.Channels
	if !opts.ChannelVarsLinkedID {
		chans = restChannels{cli}
	}
	tr := telephony.NewTracker(telephony.TrackerOptions{Store: st.Calls, Channels: chans,
		Roster: roster{"PJSIP/1001": "anna", "PJSIP/1002": "boris"},
		Rules:  telephony.DirectionRules{InboundContexts: []string{"from-trunk"}, TrunkEndpoints: []string{"PJSIP/customers"}}})
	r := &rig{t: t, srv: srv, store: st, cli: cli, tracker: tr, extra: extra}
	if ro.Store == nil { // else a store of its own, on the same database
		ro.Store, ro.Timeline = st.Surveys, st.Clients
	}
	ro.Clock = srv.Clock()
	ro.ARI = func(string) survey.ARI { return cli }
	r.runner = survey.NewRunner(ro)
	ctx, cancel := context.WithCancel(context.Background())
	r.ctx = ctx
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = cli.Run(ctx, r.handle)
	}()
	go func() { _ = tr.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		r.runner.Close()
	})
	deadline := time.Now().Add(5 * time.Second)
	for !srv.Connected("hotline") {
		if time.Now().After(deadline) {
			t.Fatal("ARI client did not connect to the emulator")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return r
}

func (r *rig) handle(m ari.Message) {
	r.tracker.Handle(m)
	r.runner.Handle(m)
	for _, f := range r.extra {
		f(m)
	}
}

// client creates the client Ivan Petrov with the emulator's caller number.
func (r *rig) client() crm.Client {
	r.t.Helper()
	c := crm.Client{Name: "Ivan Petrov", Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74951234567"}}}
	if err := r.store.Clients.CreateClient(context.Background(), &c); err != nil {
		r.t.Fatal(err)
	}
	return c
}

// waitIdle waits until no survey is running.
func (r *rig) waitIdle() {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for r.runner.Active() > 0 {
		if time.Now().After(deadline) {
			r.t.Fatal("surveys still running")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// responses returns every response.
func (r *rig) responses() []survey.Response {
	r.t.Helper()
	list, err := r.store.Surveys.ListResponses(context.Background(), survey.ResultFilter{}, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	return list
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// newBenchRig is newRig for benchmarks (no tracker).
func newBenchRig(b *testing.B) *rig {
	b.Helper()
	srv := aritest.New(aritest.Options{Speed: 2, ChannelVarsLinkedID: true})
	b.Cleanup(srv.Close)
	st := newStore(b)
	cli, err := ari.NewClient(ari.Config{URL: srv.URL(), User: "hotline", Password: "hotline-secret", App: "hotline"})
	if err != nil {
		b.Fatal(err)
	}
	r := &rig{srv: srv, store: st, cli: cli}
	r.runner = survey.NewRunner(survey.Options{Store: st.Surveys, Clock: srv.Clock(), ARI: func(string) survey.ARI { return cli }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = cli.Run(ctx, r.runner.Handle) }()
	b.Cleanup(func() { cancel(); <-done; r.runner.Close() })
	for !srv.Connected("hotline") {
		time.Sleep(5 * time.Millisecond)
	}
	return r
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// newStore is pgtest.NewStore with migratedDSN.
func newStore(tb testing.TB) *postgres.Services {
	tb.Helper()
	return openStore(tb, migratedDSN(tb))
}

// migratedDSN is pgtest.NewDSN, retrying a migration that lost a race on
// cluster-wide role settings with another test database being migrated at
// the same time ("tuple concurrently updated", migration 00030).
func migratedDSN(tb testing.TB) string {
	tb.Helper()
	dsn := pgtest.NewEmptyDSN(tb)
	ctx := context.Background()
	var err error
	for try := range 5 {
		if err = postgres.MigrateUp(ctx, dsn); err == nil || !strings.Contains(err.Error(), "concurrently") {
			break
		}
		time.Sleep(time.Duration(50*(try+1)) * time.Millisecond)
	}
	if err != nil {
		tb.Fatalf("migrate test database: %v", err)
	}
	return dsn
}

// openStore opens a store on dsn, closed when tb ends.
func openStore(tb testing.TB, dsn string) *postgres.Services {
	tb.Helper()
	st := pgtest.Open(tb, dsn, postgres.Options{})
	return st
}
