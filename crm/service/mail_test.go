package service

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// smtpSink is a minimal SMTP server (RFC 5321 happy path) that records one
// message's envelope and data.
type smtpSink struct {
	ln   net.Listener
	got  chan string
	rcpt chan string
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln, got: make(chan string, 1), rcpt: make(chan string, 1)}
	t.Cleanup(func() { ln.Close() })
	go s.serve()
	return s
}

func (s *smtpSink) serve() {
	c, err := s.ln.Accept()
	if err != nil {
		return
	}
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { _, _ = c.Write([]byte(line + "\r\n")) }
	say("220 sink ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 sink")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			s.rcpt <- strings.TrimSpace(line)
			say("250 ok")
		case cmd == "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.got <- b.String()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

func TestSMTPMailerSends(t *testing.T) {
	sink := newSMTPSink(t)
	m := SMTPMailer{Addr: sink.ln.Addr().String(), From: "Support <support@example.com>",
		Now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) }}
	err := m.Send(context.Background(), Mail{To: "Ivan <ivan@example.com>", Subject: "[#7] Нет связи", Body: "Line one\nLine two"})
	if err != nil {
		t.Fatal(err)
	}
	if rcpt := <-sink.rcpt; !strings.Contains(rcpt, "<ivan@example.com>") {
		t.Fatalf("RCPT %q", rcpt)
	}
	data := <-sink.got
	for _, want := range []string{"From: Support <support@example.com>\r\n", "Subject: =?utf-8?q?", "Line one\r\nLine two",
		"Content-Type: text/plain; charset=utf-8"} {
		if !strings.Contains(data, want) {
			t.Fatalf("message lacks %q:\n%s", want, data)
		}
	}
}

func TestMailRejectsHeaderInjection(t *testing.T) {
	for _, m := range []Mail{{To: "not an address"}, {To: "a@example.com", Subject: "hi\r\nBcc: x@example.com"}} {
		if err := m.Validate(); err == nil {
			t.Errorf("accepted %+v", m)
		}
	}
	if err := (SMTPMailer{Addr: "127.0.0.1:1"}).Send(context.Background(), Mail{To: "a@example.com"}); err == nil {
		t.Error("send to a closed port succeeded")
	}
}
