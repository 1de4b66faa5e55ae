package service

import (
	"context"
	"fmt"
	"mime"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// Mail is an outbound email about a ticket.
type Mail struct {
	From     string
	To       string
	Subject  string
	Body     string
	TicketID int64
}

// Validate checks the addresses and header fields.
func (m Mail) Validate() error {
	if _, err := mail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("to: not an email address: %w", err)
	}
	if strings.ContainsAny(m.Subject+m.To+m.From, "\r\n") {
		return fmt.Errorf("header fields must be one line")
	}
	return nil
}

// Mailer sends outbound email. The service desk records every message on
// the ticket whatever the sender; NoMailer only records.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// NoMailer sends nothing: messages are only recorded on the ticket.
type NoMailer struct{}

// Send does nothing.
func (NoMailer) Send(context.Context, Mail) error { return nil }

// SMTPMailer sends through an SMTP relay (STARTTLS when offered, PLAIN auth
// when a user is set).
type SMTPMailer struct {
	Addr     string // host:port
	From     string // envelope and header sender
	User     string
	Password string
	Now      func() time.Time
}

// Send delivers the message.
func (s SMTPMailer) Send(_ context.Context, m Mail) error {
	if err := m.Validate(); err != nil {
		return err
	}
	from := s.From
	if m.From != "" {
		from = m.From
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	var auth smtp.Auth
	if s.User != "" {
		host, _, _ := strings.Cut(s.Addr, ":")
		auth = smtp.PlainAuth("", s.User, s.Password, host)
	}
	to, _ := mail.ParseAddress(m.To)
	msg := "From: " + from + "\r\nTo: " + to.String() + "\r\nSubject: " + mime.QEncoding.Encode("utf-8", m.Subject) +
		"\r\nDate: " + now().Format(time.RFC1123Z) + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" + strings.ReplaceAll(m.Body, "\n", "\r\n")
	envFrom := from
	if a, err := mail.ParseAddress(from); err == nil {
		envFrom = a.Address
	}
	if err := smtp.SendMail(s.Addr, auth, envFrom, []string{to.Address}, []byte(msg)); err != nil {
		return fmt.Errorf("smtp send to %s: %w", s.Addr, err)
	}
	return nil
}
