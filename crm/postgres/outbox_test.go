package postgres_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/notify"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
	"hotline/crm/sms"
	"hotline/crm/smtp"
	"hotline/crm/smtp/smtptest"
)

// testWording is the catalogue's wording stand-in: it names the key and
// language so tests see which template went out.
func testWording(s *postgres.Services) notify.Wording {
	return notify.Wording{Store: s.Notify, Default: func(key, lang string) notify.Template {
		return notify.Template{Subject: "[#{number}] " + key + " " + lang, Body: key + " " + lang + " {subject} {status} {link}"}
	}}
}

func mailerFor(t *testing.T, srv *smtptest.Server) *smtp.Mailer {
	t.Helper()
	m, err := smtp.New(smtp.Options{URL: "smtp://" + srv.Addr(), From: "Desk <desk@hotline.test>",
		TLS: &tls.Config{RootCAs: srv.RootCAs(), MinVersion: tls.VersionTLS12}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCustomerToldOnOpenAndStatus: a client with an e-mail address gets
// the opening notice and each status change, with the public status link,
// through a real SMTP server; the request's messages show them sent.
func TestCustomerToldOnOpenAndStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &deskClock{t: mskTime("2026-11-26 10:00")}
	s := openDesk(t, pgtest.NewDSN(t), clk)
	srv := smtptest.New(t, smtptest.Options{})
	d := notify.NewDispatcher(notify.DispatcherOptions{Outbox: s.Notify, Templates: testWording(s), Mailer: mailerFor(t, srv),
		PublicURL: "https://desk.example.ru/", Now: clk.Now})
	c := mustClient(t, s, crm.Client{Name: "Мария", Language: "en", Contacts: []crm.Contact{
		{Kind: crm.ContactEmail, Value: "maria@example.ru"}, {Kind: crm.ContactPhone, Value: "+79123456789"}}})
	tk := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "Не работает телефон"})
	st := service.StatusInProgress
	if _, err := s.Tickets.UpdateTicket(ctx, tk.ID, service.TicketUpdate{Status: &st}, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := d.Tick(ctx); err != nil || n != 2 {
		t.Fatalf("tick: %d %v", n, err)
	}
	got := srv.Messages()
	if len(got) != 2 {
		t.Fatalf("%d e-mails arrived, want 2", len(got))
	}
	link := "https://desk.example.ru/status/" + tk.PublicToken
	for i, want := range []string{"customer_opened", "customer_status"} {
		m := got[i]
		if len(m.To) != 1 || m.To[0] != "maria@example.ru" {
			t.Errorf("%s to %v", want, m.To)
		}
		if !strings.Contains(m.Subject(), fmt.Sprintf("[#%d] %s en", tk.ID, want)) || !strings.Contains(m.Body, link) ||
			!strings.Contains(m.Body, "Не работает телефон") {
			t.Errorf("%s: subject %q body %q", want, m.Subject(), m.Body)
		}
	}
	if !strings.Contains(got[1].Body, "in_progress") {
		t.Errorf("status notice %q lacks the status", got[1].Body)
	}
	msgs, err := s.Notify.TicketMessages(ctx, tk.ID)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("ticket messages %d %v", len(msgs), err)
	}
	for _, m := range msgs {
		if m.State != notify.StateSent || m.SentAt == nil || !strings.Contains(m.Body, link) {
			t.Errorf("message %+v", m)
		}
	}
	// Opted out: nothing more is queued.
	if err := s.Notify.SetClientNotify(ctx, c.ID, notify.PreferNone); err != nil {
		t.Fatal(err)
	}
	st = service.StatusResolved
	if _, err := s.Tickets.UpdateTicket(ctx, tk.ID, service.TicketUpdate{Status: &st}, nil); err != nil {
		t.Fatal(err)
	}
	if msgs, _ := s.Notify.TicketMessages(ctx, tk.ID); len(msgs) != 2 {
		t.Fatalf("an opted-out client was told: %d messages", len(msgs))
	}
	if err := s.Notify.SetClientNotify(ctx, c.ID, "pigeon"); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("unknown preference: %v", err)
	}
}

// TestCustomerToldBySMS: a client without e-mail, or who asked for SMS,
// gets the SMS template through the HTTP gateway.
func TestCustomerToldBySMS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &deskClock{t: mskTime("2026-11-26 10:00")}
	s := openDesk(t, pgtest.NewDSN(t), clk)
	var mu sync.Mutex
	var got []url.Values
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		q, _ := url.ParseQuery(string(b))
		mu.Lock()
		got = append(got, q)
		mu.Unlock()
	}))
	defer gw.Close()
	g, err := sms.New(sms.Options{URL: gw.URL + "/send?to={number}&text={text}", Method: "POST"})
	if err != nil {
		t.Fatal(err)
	}
	d := notify.NewDispatcher(notify.DispatcherOptions{Outbox: s.Notify, Templates: testWording(s), SMS: g,
		PublicURL: "https://desk.example.ru", Now: clk.Now})
	phoneOnly := mustClient(t, s, crm.Client{Name: "Phone only", Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+79123456789"}}})
	prefers := mustClient(t, s, crm.Client{Name: "Prefers SMS", Contacts: []crm.Contact{
		{Kind: crm.ContactEmail, Value: "sms@example.ru"}, {Kind: crm.ContactPhone, Value: "+79990001122"}}})
	if err := s.Notify.SetClientNotify(ctx, prefers.ID, notify.PreferSMS); err != nil {
		t.Fatal(err)
	}
	t1 := mustTicket(t, s, service.Ticket{ClientID: phoneOnly.ID, Subject: "A"})
	t2 := mustTicket(t, s, service.Ticket{ClientID: prefers.ID, Subject: "B"})
	if n, err := d.Tick(ctx); err != nil || n != 2 {
		t.Fatalf("tick %d %v", n, err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string]string{"79123456789": t1.PublicToken, "79990001122": t2.PublicToken}
	if len(got) != 2 {
		t.Fatalf("gateway called %d times", len(got))
	}
	for _, q := range got {
		tok, ok := want[q.Get("to")]
		if !ok || !strings.HasPrefix(q.Get("text"), "customer_opened_sms") || !strings.Contains(q.Get("text"), "https://desk.example.ru/status/"+tok) {
			t.Errorf("sms %v", q)
		}
	}
}

// TestOutboxOutageLosesNothing: the SMTP server goes down in the middle of
// a batch; the rest wait with backoff, and after it is back every message
// arrives exactly once, even with two dispatchers draining at once.
func TestOutboxOutageLosesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &deskClock{t: mskTime("2026-11-26 10:00")}
	dsn := pgtest.NewDSN(t)
	s := openDesk(t, dsn, clk)
	var srv *smtptest.Server
	var once sync.Once
	srv = smtptest.New(t, smtptest.Options{OnLogout: func(n int) {
		if n >= 4 {
			once.Do(func() { go srv.Stop() })
		}
	}})
	const total = 12
	for i := range total {
		if err := s.Notify.Enqueue(ctx, notify.Message{Channel: notify.ChannelEmail, To: fmt.Sprintf("c%d@example.ru", i),
			Subject: fmt.Sprintf("n%d", i), Body: "body"}); err != nil {
			t.Fatal(err)
		}
	}
	opts := notify.DispatcherOptions{Outbox: s.Notify, Templates: testWording(s), Mailer: mailerFor(t, srv), Now: clk.Now,
		MinBackoff: time.Minute, MaxBackoff: 10 * time.Minute}
	d := notify.NewDispatcher(opts)
	if n, err := d.Tick(ctx); err != nil || n != total {
		t.Fatalf("first round tried %d (%v), want all %d", n, err, total)
	}
	arrived := len(srv.Messages())
	if arrived < 4 || arrived == total {
		t.Fatalf("%d arrived before the outage; want at least 4 and not all", arrived)
	}
	counts, _ := s.Notify.OutboxCounts(ctx)
	if counts[notify.StateSent] != arrived || counts[notify.StatePending] != total-arrived || counts[notify.StateFailed] != 0 {
		t.Fatalf("after the outage %v, %d arrived", counts, arrived)
	}
	// Still down, and not yet due: nothing is tried.
	if n, _ := d.Tick(ctx); n != 0 {
		t.Fatalf("tried %d before the backoff passed", n)
	}
	srv.Start()
	clk.Set(clk.Now().Add(2 * time.Minute))
	second := openDesk(t, dsn, clk)
	o2 := opts
	o2.Outbox = second.Notify
	var wg sync.WaitGroup
	for _, x := range []*notify.Dispatcher{d, notify.NewDispatcher(o2)} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := x.Tick(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for _, m := range srv.Messages() {
		seen[m.To[0]]++
	}
	for i := range total {
		if n := seen[fmt.Sprintf("c%d@example.ru", i)]; n != 1 {
			t.Errorf("c%d got %d copies", i, n)
		}
	}
	if counts, _ := s.Notify.OutboxCounts(ctx); counts[notify.StateSent] != total {
		t.Fatalf("after recovery %v", counts)
	}
}

// TestStaffEmailedWhenTheyHaveAnAddress: a user with an e-mail address is
// told of an assignment by e-mail too, in their language, with the link to
// the request in Hotline; a user without one only in the app.
func TestStaffEmailedWhenTheyHaveAnAddress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &deskClock{t: mskTime("2026-11-26 10:00")}
	s := openDesk(t, pgtest.NewDSN(t), clk)
	srv := smtptest.New(t, smtptest.Options{})
	d := notify.NewDispatcher(notify.DispatcherOptions{Outbox: s.Notify, Templates: testWording(s), Mailer: mailerFor(t, srv),
		PublicURL: "https://desk.example.ru", Now: clk.Now})
	withMail := crm.User{Login: "staff.mail", Role: crm.RoleAgent, Email: "staff@example.ru", Language: "ru"}
	if err := s.Users.CreateUser(ctx, &withMail, "$argon2id$dummy"); err != nil {
		t.Fatal(err)
	}
	without := mustUser(t, s, "staff.app", crm.RoleAgent)
	boss := mustUser(t, s, "staff.boss", crm.RoleSupervisor)
	c := mustClient(t, s, crm.Client{Name: "No contacts"})
	for _, u := range []crm.User{withMail, without} {
		tk := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "For " + u.Login})
		if _, err := s.Tickets.UpdateTicket(ctx, tk.ID, service.TicketUpdate{AssigneeID: &u.ID}, &boss.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("%d e-mails, want 1 (the user with an address)", len(got))
	}
	m := got[0]
	if m.To[0] != "staff@example.ru" || !strings.Contains(m.Subject(), "staff_assigned ru") ||
		!regexp.MustCompile(`https://desk\.example\.ru/tickets/\d+`).MatchString(m.Body) {
		t.Fatalf("staff e-mail to %v: %q %q", m.To, m.Subject(), m.Body)
	}
	for _, u := range []crm.User{withMail, without} {
		if n, _ := s.Notify.UnreadNotifications(ctx, u.ID); n != 1 {
			t.Errorf("%s has %d unread notices, want 1", u.Login, n)
		}
	}
	if n, _ := s.Notify.UnreadNotifications(ctx, boss.ID); n != 0 {
		t.Errorf("whoever assigned was told too: %d", n)
	}
}
