package statusline_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
	"hotline/crm/service/statusline"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
)

// rig is the emulated PBX, a real ARI client and the status line on a fresh
// database. The emulator's extension 7009 runs Stasis(hotline,inbound) as in
// the recorded dialplan, so the line's trigger is "inbound" here; production
// dialplans use Stasis(hotline,status).
type rig struct {
	t     *testing.T
	srv   *aritest.Server
	store *postgres.Store
	line  *statusline.Line

	cli   *ari.Client
	mu    sync.Mutex
	media []string // media of every PlaybackStarted, in order
	// onPlay runs (in its own goroutine) for each PlaybackStarted.
	onPlay func(channel string)
}

func newRig(t *testing.T) *rig {
	t.Helper()
	srv := aritest.New(aritest.Options{Speed: 20, ChannelVarsLinkedID: true})
	t.Cleanup(srv.Close)
	st := pgtest.NewStore(t)
	cli, err := ari.NewClient(ari.Config{URL: srv.URL(), User: "hotline", Password: "hotline-secret", App: "hotline"})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, srv: srv, store: st, cli: cli}
	r.line = statusline.New(statusline.Options{Store: st, ARI: func(string) statusline.ARI { return cli }, Trigger: "inbound", Region: "RU"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = cli.Run(ctx, func(m ari.Message) {
			if m.Type == "PlaybackStarted" {
				if ev, err := m.Decode(); err == nil {
					r.mu.Lock()
					pb := ev.(*ari.PlaybackStarted).Playback
					r.media = append(r.media, pb.MediaURI)
					f := r.onPlay
					r.mu.Unlock()
					if f != nil {
						go f(strings.TrimPrefix(pb.TargetURI, "channel:"))
					}
				}
			}
			r.line.Handle(m)
		})
	}()
	lineDone := make(chan error, 1)
	go func() { lineDone <- r.line.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		<-lineDone
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

func (r *rig) played() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.media)
}

func (r *rig) call(in aritest.Inbound) string {
	r.t.Helper()
	in.Exten = "7009"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	id, err := r.srv.InboundCall(ctx, in)
	if err != nil {
		r.t.Fatalf("call: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for r.line.Active() > 0 {
		if time.Now().After(deadline) {
			r.t.Fatal("status call still active")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return id
}

func TestKnownCallerHearsLatestOpenRequest(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	c := crm.Client{Name: "Ivan Petrov", Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74951234567"}}}
	if err := r.store.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	old := service.Ticket{ClientID: c.ID, Subject: "Older request"}
	latest := service.Ticket{ClientID: c.ID, Subject: "Latest request"}
	for _, tk := range []*service.Ticket{&old, &latest} {
		if err := r.store.CreateTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	st := service.StatusWaiting
	if _, err := r.store.UpdateTicket(ctx, latest.ID, service.TicketUpdate{Status: &st}, nil); err != nil {
		t.Fatal(err)
	}
	id := r.call(aritest.Inbound{From: "+7 (495) 123-45-67", Name: "Ivan"})

	want := []string{"sound:hello-world", fmt.Sprintf("digits:%d", latest.ID),
		"sound:letters/w", "sound:letters/a", "sound:letters/i", "sound:letters/t", "sound:letters/i", "sound:letters/n", "sound:letters/g",
		"sound:vm-goodbye"}
	if got := r.played(); !slices.Equal(got, want) {
		t.Fatalf("played %v\nwant %v", got, want)
	}
	thread, err := r.store.Thread(ctx, latest.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	linked := false
	for _, e := range thread {
		linked = linked || (e.Kind == service.EventCall && e.New == id)
	}
	if !linked {
		t.Fatalf("status call %s not in the request's thread: %+v", id, thread)
	}
}

func TestUnknownCallerHearsNoRequest(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.call(aritest.Inbound{From: "+74959999999", Name: "Stranger"})
	want := []string{"sound:hello-world", "sound:letters/n", "sound:letters/o", "sound:vm-goodbye"}
	if got := r.played(); !slices.Equal(got, want) {
		t.Fatalf("played %v, want %v", got, want)
	}
}

// TestCallEndsMidPrompt hangs the channel up (an ARI DELETE from another
// client: the emulator's 7009 caller only leaves when hung up) while the
// greeting plays: the line stops queuing and forgets the call.
func TestCallEndsMidPrompt(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	var once sync.Once
	r.mu.Lock()
	r.onPlay = func(ch string) {
		once.Do(func() { _ = r.cli.Channels().Hangup(context.Background(), ch, "normal") })
	}
	r.mu.Unlock()
	ctx := context.Background()
	c := crm.Client{Name: "Impatient", Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74951234567"}}}
	if err := r.store.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	tk := service.Ticket{ClientID: c.ID, Subject: "Long number"}
	if err := r.store.CreateTicket(ctx, &tk); err != nil {
		t.Fatal(err)
	}
	r.call(aritest.Inbound{})
	got := r.played()
	if len(got) == 0 || got[0] != "sound:hello-world" || slices.Contains(got, "sound:vm-goodbye") {
		t.Fatalf("played after hang-up: %v", got)
	}
	if r.srv.ChannelCount() != 0 {
		t.Fatalf("%d channels left", r.srv.ChannelCount())
	}
}

func TestPromptSpellsStatusesAndUsesRecordings(t *testing.T) {
	p := statusline.Prompts{Greeting: []string{"sound:custom/hi"}, Goodbye: []string{"sound:custom/bye"},
		Status: map[service.Status][]string{service.StatusResolved: {"sound:custom/resolved"}}}
	got := strings.Join(p.Prompt(&service.Ticket{ID: 42, Status: service.StatusInProgress}), " ")
	if got != "sound:custom/hi digits:42 sound:letters/i sound:letters/n sound:silence/1 sound:letters/p sound:letters/r sound:letters/o sound:letters/g sound:letters/r sound:letters/e sound:letters/s sound:letters/s sound:custom/bye" {
		t.Fatalf("in progress: %s", got)
	}
	if got := p.Prompt(&service.Ticket{ID: 7, Status: service.StatusResolved}); !slices.Equal(got, []string{"sound:custom/hi", "digits:7", "sound:custom/resolved", "sound:custom/bye"}) {
		t.Fatalf("recorded status: %v", got)
	}
}
