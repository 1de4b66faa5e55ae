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
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
	"hotline/telephony/statusline"
	"hotline/telephony/voice"
	"hotline/telephony/voice/voicetest"
)

// rig is the emulated PBX (its 7010 runs Stasis(hotline,status) as
// deploy/asterisk does), a real ARI client, the status line on a fresh
// database and prompts synthesized with espeak-ng and served over HTTP.
type rig struct {
	t     *testing.T
	srv   *aritest.Server
	store *postgres.Services
	line  *statusline.Line
	voice *voice.Voice
	words statusline.Words

	mu     sync.Mutex
	events []string // "lang:<value>", "play:<media>" (each media started), "continue"
}

func newRig(t *testing.T) *rig {
	t.Helper()
	srv := aritest.New(aritest.Options{Speed: 5, ChannelVarsLinkedID: true})
	t.Cleanup(srv.Close)
	st := pgtest.NewStore(t)
	v, _ := voicetest.Serve(t, st.Voice)
	cli, err := ari.NewClient(ari.Config{URL: srv.URL(), User: "hotline", Password: "hotline-secret", App: "hotline"})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, srv: srv, store: st, voice: v, words: testWords(t)}
	r.line = statusline.New(statusline.Options{Clients: st.Clients, Tickets: st.Tickets, Users: st.Users, ARI: func(string) statusline.ARI { return cli },
		Words: r.words, Speech: v, Language: "ru", Region: "RU", MenuWait: 300 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = cli.Run(ctx, func(m ari.Message) {
			r.record(m)
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

func (r *rig) record(m ari.Message) {
	ev, err := m.Decode()
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e := ev.(type) {
	case *ari.ChannelVarset:
		if e.Variable == "CHANNEL(language)" {
			r.events = append(r.events, "lang:"+e.Value)
		}
	case *ari.PlaybackStarted:
		r.events = append(r.events, "play:"+e.Playback.MediaURI)
	case *ari.StasisEnd:
		r.events = append(r.events, "stasis-end")
	}
}

func (r *rig) heard() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// say is the media URI of a phrase in Russian.
func (r *rig) say(text string) string {
	r.t.Helper()
	uri, err := r.voice.Media(context.Background(), "ru", text)
	if err != nil {
		r.t.Fatal(err)
	}
	return "play:" + uri
}

func (r *rig) call(in aritest.Inbound) string {
	r.t.Helper()
	in.Exten = "7010"
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	id, err := r.srv.InboundCall(ctx, in)
	if err != nil {
		r.t.Fatalf("call: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for r.line.Active() > 0 {
		if time.Now().After(deadline) {
			r.t.Fatal("status call still active")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return id
}

// twoOpenRequests creates Ivan Petrov with two open requests (one assigned
// to Анна Смирнова, due 15:00 on 9 December, Moscow) and a resolved one.
func (r *rig) twoOpenRequests() (older, newer service.Ticket) {
	r.t.Helper()
	ctx := context.Background()
	c := crm.Client{Name: "Ivan Petrov", Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74951234567"}}}
	if err := r.store.Clients.CreateClient(ctx, &c); err != nil {
		r.t.Fatal(err)
	}
	anna := crm.User{Login: "anna", Name: "Анна Смирнова", Role: crm.RoleAgent}
	if err := r.store.Users.CreateUser(ctx, &anna, "a-long-password-1"); err != nil {
		r.t.Fatal(err)
	}
	older = service.Ticket{ClientID: c.ID, Subject: "Не работает телефон"}
	newer = service.Ticket{ClientID: c.ID, Subject: "Счёт"}
	done := service.Ticket{ClientID: c.ID, Subject: "Решено"}
	for _, tk := range []*service.Ticket{&older, &newer, &done} {
		if err := r.store.Tickets.CreateTicket(ctx, tk); err != nil {
			r.t.Fatal(err)
		}
	}
	inWork, resolved := service.StatusInProgress, service.StatusResolved
	var err error
	if older, err = r.store.Tickets.UpdateTicket(ctx, older.ID, service.TicketUpdate{Status: &inWork, AssigneeID: &anna.ID}, nil); err != nil {
		r.t.Fatal(err)
	}
	if _, err = r.store.Tickets.UpdateTicket(ctx, done.ID, service.TicketUpdate{Status: &resolved}, nil); err != nil {
		r.t.Fatal(err)
	}
	if newer, err = r.store.Tickets.GetTicket(ctx, newer.ID); err != nil {
		r.t.Fatal(err)
	}
	return older, newer
}

func TestCallerHearsEveryOpenRequestInWords(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	older, newer := r.twoOpenRequests()
	id := r.call(aritest.Inbound{From: "+7 (495) 123-45-67", Name: "Ivan"})

	w := r.words
	script := statusline.Script(w, "ru", []statusline.Request{{Ticket: newer}, {Ticket: older, Assignee: "Анна Смирнова"}})
	var want []string
	for _, p := range script {
		if p.Media != "" {
			want = append(want, "play:"+p.Media)
		} else {
			want = append(want, r.say(p.Text))
		}
	}
	want = append([]string{"lang:ru"}, want...)
	want = append(want, r.say(w.T("ru", "voice.status.menu", nil)), r.say(w.T("ru", "voice.status.goodbye", nil)), "stasis-end")
	if got := r.heard(); !slices.Equal(got, want) {
		t.Fatalf("heard\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !slices.Contains(want, fmt.Sprintf("play:number:%d", older.ID)) || !slices.Contains(want, fmt.Sprintf("play:number:%d", newer.ID)) {
		t.Fatalf("request numbers missing from %v", want)
	}
	fetched := r.srv.MediaFetched()
	for _, e := range want {
		if u, ok := strings.CutPrefix(e, "play:sound:"); ok && !slices.Contains(fetched, u) {
			t.Errorf("%s not fetched", u)
		}
	}
	for _, tk := range []service.Ticket{older, newer} {
		thread, err := r.store.Tickets.Thread(context.Background(), tk.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(thread, func(e service.Event) bool { return e.Kind == service.EventCall && e.New == id }) {
			t.Errorf("status call %s not in request %d's thread", id, tk.ID)
		}
	}
}

// TestScriptReadsEachRequest: the words of two requests, the first
// assigned with a response due, in the centre's zone.
func TestScriptReadsEachRequest(t *testing.T) {
	w := testWords(t)
	due := time.Date(2026, 12, 9, 12, 0, 0, 0, time.UTC) // 15:00 in Moscow
	reqs := []statusline.Request{
		{Ticket: service.Ticket{ID: 1234, Status: service.StatusInProgress, SLA: service.Clocks{ResponseDue: &due}}, Assignee: "Анна Смирнова"},
		{Ticket: service.Ticket{ID: 77, Status: service.StatusWaiting}},
	}
	got := statusline.Script(w, "ru", reqs)
	want := []statusline.Piece{
		{Text: w.T("ru", "voice.status.greeting", nil)},
		{Text: "У вас 2 открытые заявки."},
		{Text: "Ваша заявка номер"}, {Media: "number:1234"},
		{Text: "в работе, ответственный Анна Смирнова, срок ответа до 15:00 9 декабря"},
		{Text: "Ваша заявка номер"}, {Media: "number:77"},
		{Text: "ждёт вашего ответа, ответственный ещё не назначен"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("script\n%q\nwant\n%q", got, want)
	}
	if got := statusline.Script(w, "ru", reqs[:1]); len(got) != 4 || got[1].Text != "Ваша заявка номер" {
		t.Fatalf("one request: %q", got)
	}
	en := statusline.Script(w, "en", reqs)
	if en[1].Text != "You have 2 open requests." || en[4].Text != "is in progress, handled by Анна Смирнова, answer due by 15:00 on December 9" {
		t.Fatalf("English: %q", en)
	}
	if none := statusline.Script(w, "ru", nil); len(none) != 2 || none[1].Text != w.T("ru", "voice.status.none", nil) {
		t.Fatalf("no requests: %q", none)
	}
}

// TestEnglishClientHearsEnglish: the client's language picks the phrases
// and the channel's language, before anything plays.
func TestEnglishClientHearsEnglish(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c := crm.Client{Name: "John Smith", Language: "en", Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74951234567"}}}
	if err := r.store.Clients.CreateClient(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	r.call(aritest.Inbound{})
	say := func(key string) string {
		uri, err := r.voice.Media(context.Background(), "en", r.words.T("en", key, nil))
		if err != nil {
			t.Fatal(err)
		}
		return "play:" + uri
	}
	want := []string{"lang:en", say("voice.status.greeting"), say("voice.status.none"), say("voice.status.menu"), say("voice.status.goodbye"), "stasis-end"}
	if got := r.heard(); !slices.Equal(got, want) {
		t.Fatalf("heard\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestZeroReachesAnAgent: 0 during the message stops it and leaves Stasis
// for the dialplan's queue, without a goodbye.
func TestZeroReachesAnAgent(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.twoOpenRequests()
	r.call(aritest.Inbound{Digits: "0", DigitsAfter: 3 * time.Second})
	got := r.heard()
	agent := r.say(r.words.T("ru", "voice.status.agent", nil))
	goodbye := r.say(r.words.T("ru", "voice.status.goodbye", nil))
	if len(got) < 3 || got[len(got)-2] != agent || got[len(got)-1] != "stasis-end" || slices.Contains(got, goodbye) {
		t.Fatalf("heard %s", strings.Join(got, "\n"))
	}
}
