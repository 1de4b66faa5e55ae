package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/smtp/smtptest"
)

// TestServeMailsTheStatusLink is the "done when", through the
// service as `hotline serve` builds it: with HOTLINE_SMTP_URL set (a plain
// relay) a request opened through the API reaches the customer's mailbox,
// in their language, with the link to its status page under
// HOTLINE_PUBLIC_URL, and the request's thread shows the message sent.
func TestServeMailsTheStatusLink(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dsn := pgtest.NewDSN(t)
	st := pgtest.Open(t, dsn, postgres.Options{})
	mailbox := smtptest.New(t, smtptest.Options{})
	agent, err := auth.CreateUser(ctx, st.Users, crm.User{Login: "mail-agent", Role: crm.RoleSupervisor}, "password-long-1")
	if err != nil {
		t.Fatal(err)
	}
	plain, hash := auth.NewToken()
	if _, err := st.Users.CreateAPIToken(ctx, agent.ID, "t", hash); err != nil {
		t.Fatal(err)
	}
	c := crm.Client{Name: "Mary Customer", Language: "en", Contacts: []crm.Contact{{Kind: crm.ContactEmail, Value: "mary@example.com"}}}
	if err := st.Clients.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	e, _, _ := testEnv(map[string]string{"HOTLINE_DATABASE_URL": dsn, "HOTLINE_SMTP_URL": "smtp://" + mailbox.Addr(),
		"HOTLINE_MAIL_FROM": "Support <desk@example.ru>", "HOTLINE_PUBLIC_URL": "https://desk.example.ru",
		"HOTLINE_SPOOL_DIR": t.TempDir()}, "")
	cfg, _, err := parse("serve", nil, e, nil)
	if err != nil {
		t.Fatal(err)
	}
	api, svc, err := buildService(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), st)
	defer svc.close()
	if err != nil {
		t.Fatal(err)
	}
	for _, comp := range svc.components {
		if comp.Name == "outbox" || comp.Name == "notification listener" { // the listener wakes the outbox
			go func() { _ = comp.Run(ctx) }()
		}
	}
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()

	body := fmt.Sprintf(`{"client_id": %d, "subject": "Invoice is wrong"}`, c.ID)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/tickets", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+plain)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tk httpapi.TicketJSON
	_ = json.NewDecoder(resp.Body).Decode(&tk)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create ticket: %d", resp.StatusCode)
	}
	deadline := time.Now().Add(15 * time.Second)
	for len(mailbox.Messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := mailbox.Messages()
	if len(got) != 1 {
		t.Fatalf("%d e-mails arrived, want 1", len(got))
	}
	m := got[0]
	link := "https://desk.example.ru" + tk.StatusURL
	if m.To[0] != "mary@example.com" || m.From != "desk@example.ru" || !strings.Contains(m.Body, link) ||
		m.Subject() != fmt.Sprintf("[#%d] Request received: Invoice is wrong", tk.ID) {
		t.Fatalf("e-mail to %v from %s, subject %q, body %q; want the link %s", m.To, m.From, m.Subject(), m.Body, link)
	}
	msgs, err := st.Notify.TicketMessages(ctx, tk.ID)
	for range 100 { // the state is recorded just after the server accepted it
		if err != nil || (len(msgs) == 1 && msgs[0].State == "sent") {
			break
		}
		time.Sleep(20 * time.Millisecond)
		msgs, err = st.Notify.TicketMessages(ctx, tk.ID)
	}
	if err != nil || len(msgs) != 1 || msgs[0].State != "sent" {
		t.Fatalf("the request's messages: %+v %v", msgs, err)
	}
}
