package smtp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"hotline/crm/notify"
	"hotline/crm/smtp"
	"hotline/crm/smtp/smtptest"
)

func send(t *testing.T, url string, srv *smtptest.Server) error {
	t.Helper()
	m, err := smtp.New(smtp.Options{URL: url, From: "Hotline <desk@example.ru>",
		TLS: &tls.Config{RootCAs: srv.RootCAs(), MinVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatal(err)
	}
	return m.Send(context.Background(), notify.Email{To: "Мария <maria@example.ru>", Subject: "[#42] Заявка открыта",
		Body: "Статус: https://desk.example.ru/status/abc", MessageID: "outbox-1@hotline.test", References: "ticket-42@hotline.test"})
}

func checkArrived(t *testing.T, srv *smtptest.Server, wantTLS bool, wantUser string) {
	t.Helper()
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server got %d messages, want 1", len(got))
	}
	m := got[0]
	if m.From != "desk@example.ru" || len(m.To) != 1 || m.To[0] != "maria@example.ru" {
		t.Errorf("envelope from %q to %v", m.From, m.To)
	}
	if m.Subject() != "[#42] Заявка открыта" {
		t.Errorf("subject %q", m.Subject())
	}
	if !strings.Contains(m.Body, "https://desk.example.ru/status/abc") {
		t.Errorf("body %q lacks the link", m.Body)
	}
	if m.Header.Get("Message-Id") != "<outbox-1@hotline.test>" || m.Header.Get("References") != "<ticket-42@hotline.test>" {
		t.Errorf("Message-ID %q, References %q", m.Header.Get("Message-Id"), m.Header.Get("References"))
	}
	if m.TLS != wantTLS || m.User != wantUser {
		t.Errorf("session TLS %v user %q, want %v %q", m.TLS, m.User, wantTLS, wantUser)
	}
}

// TestPlainRelay: smtp://host:port to a relay that offers neither STARTTLS
// nor authentication, as many centres' local relays.
func TestPlainRelay(t *testing.T) {
	t.Parallel()
	srv := smtptest.New(t, smtptest.Options{})
	if err := send(t, "smtp://"+srv.Addr(), srv); err != nil {
		t.Fatal(err)
	}
	checkArrived(t, srv, false, "")
}

// TestSTARTTLSWithAuth: smtp://user:pass@host upgrades with STARTTLS
// when offered, then authenticates.
func TestSTARTTLSWithAuth(t *testing.T) {
	t.Parallel()
	srv := smtptest.New(t, smtptest.Options{STARTTLS: true, User: "desk", Password: "s3cret-pass"})
	if err := send(t, "smtp://desk:s3cret-pass@"+srv.Addr(), srv); err != nil {
		t.Fatal(err)
	}
	checkArrived(t, srv, true, "desk")
}

// TestImplicitTLS: smtps:// speaks TLS from the first byte.
func TestImplicitTLS(t *testing.T) {
	t.Parallel()
	srv := smtptest.New(t, smtptest.Options{Implicit: true, User: "desk", Password: "s3cret-pass"})
	if err := send(t, "smtps://desk:s3cret-pass@"+srv.Addr(), srv); err != nil {
		t.Fatal(err)
	}
	checkArrived(t, srv, true, "desk")
}

// TestWrongPasswordNeverShown: a refused login is an error that does not
// contain the password, and nothing is delivered.
func TestWrongPasswordNeverShown(t *testing.T) {
	t.Parallel()
	srv := smtptest.New(t, smtptest.Options{STARTTLS: true, User: "desk", Password: "right-pass"})
	err := send(t, "smtp://desk:wrong-pass-123@"+srv.Addr(), srv)
	if err == nil {
		t.Fatal("a wrong password was accepted")
	}
	if strings.Contains(err.Error(), "wrong-pass-123") {
		t.Fatalf("the error shows the password: %v", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}

// TestServerDownIsTemporary: a refused connection is worth retrying.
func TestServerDownIsTemporary(t *testing.T) {
	t.Parallel()
	srv := smtptest.New(t, smtptest.Options{})
	srv.Stop()
	err := send(t, "smtp://"+srv.Addr(), srv)
	if err == nil || errors.Is(err, notify.ErrPermanent) {
		t.Fatalf("send to a stopped server: %v; want a temporary error", err)
	}
}

func TestNewRefusesBadURLs(t *testing.T) {
	t.Parallel()
	for name, url := range map[string]string{
		"scheme": "http://mail.example.ru", "no host": "smtp://", "port": "smtp://mail.example.ru:99999",
		"path": "smtp://mail.example.ru/x",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := smtp.New(smtp.Options{URL: url, From: "desk@example.ru"})
			if err == nil {
				t.Fatalf("%s accepted", url)
			}
		})
	}
	if _, err := smtp.New(smtp.Options{URL: "smtp://u:topsecret@mail.example.ru:99999", From: "desk@example.ru"}); err == nil ||
		strings.Contains(err.Error(), "topsecret") {
		t.Fatalf("error %v", err)
	}
	if _, err := smtp.New(smtp.Options{URL: "smtp://mail.example.ru", From: "not an address"}); err == nil {
		t.Fatal("a bad sender was accepted")
	}
}
