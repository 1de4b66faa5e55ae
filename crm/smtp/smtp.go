// Package smtp sends Hotline's e-mail through an SMTP server with
// github.com/wneessen/go-mail: smtp://host:25 to a local relay (plain, no
// authentication), smtp://user:pass@host:587 (STARTTLS when the server
// offers it, then authentication), or smtps://user:pass@host:465 (implicit
// TLS). It is the adapter behind notify.Mailer.
package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"hotline/crm/notify"
)

// Options configure a Mailer. URL and From are required.
type Options struct {
	// URL is the server: smtp://[user:pass@]host[:port] or smtps://…
	URL string
	// From is the sender of every message ("Hotline <desk@example.ru>").
	From string
	// TLS, when set, is used for STARTTLS and smtps (tests give their CA).
	TLS *tls.Config
	// Timeout bounds one connection; 30s when zero.
	Timeout time.Duration
	// HELO is the name given in EHLO (the host name when empty).
	HELO string
}

// Mailer sends e-mail through one SMTP server.
type Mailer struct {
	o        Options
	host     string
	port     int
	implicit bool
	user     string
	password string
}

var _ notify.Mailer = (*Mailer)(nil)

// New checks the options and returns a Mailer. Errors never contain the
// password.
func New(o Options) (*Mailer, error) {
	u, err := url.Parse(o.URL)
	if err != nil {
		return nil, errors.New("want a URL such as smtp://user:pass@mail.example.ru:587")
	}
	m := &Mailer{o: o, host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		m.port = 25
	case "smtps":
		m.port, m.implicit = 465, true
	default:
		return nil, errors.New("scheme must be smtp or smtps")
	}
	if m.host == "" {
		return nil, errors.New("a host is required, e.g. smtp://mail.example.ru:587")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, errors.New("port must be 1-65535")
		}
		m.port = n
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.password, _ = u.User.Password()
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return nil, errors.New("no path or query: only smtp[s]://[user:pass@]host[:port]")
	}
	if err := gomail.NewMsg().From(o.From); err != nil {
		return nil, fmt.Errorf("sender %q is not an e-mail address", o.From)
	}
	if m.o.Timeout <= 0 {
		m.o.Timeout = 30 * time.Second
	}
	return m, nil
}

// Addr is host:port of the server (for logs; no credentials).
func (m *Mailer) Addr() string { return net.JoinHostPort(m.host, strconv.Itoa(m.port)) }

// client makes a go-mail client for one delivery.
func (m *Mailer) client() (*gomail.Client, error) {
	tlsConf := m.o.TLS
	if tlsConf == nil {
		tlsConf = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tlsConf = tlsConf.Clone()
	if tlsConf.ServerName == "" {
		tlsConf.ServerName = m.host
	}
	opts := []gomail.Option{gomail.WithPort(m.port), gomail.WithTimeout(m.o.Timeout), gomail.WithTLSConfig(tlsConf)}
	if m.implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if m.o.HELO != "" {
		opts = append(opts, gomail.WithHELO(m.o.HELO))
	}
	if m.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(m.user), gomail.WithPassword(m.password))
	}
	return gomail.NewClient(m.host, opts...)
}

// Send delivers one e-mail. A refusal the server calls permanent (5xx)
// wraps notify.ErrPermanent; anything else is worth retrying.
func (m *Mailer) Send(ctx context.Context, e notify.Email) error {
	if err := e.Validate(); err != nil {
		return notify.Permanent(err)
	}
	msg := gomail.NewMsg()
	if err := msg.From(m.o.From); err != nil {
		return notify.Permanent(fmt.Errorf("sender: %w", err))
	}
	if err := msg.To(e.To); err != nil {
		return notify.Permanent(fmt.Errorf("recipient: %w", err))
	}
	msg.Subject(e.Subject)
	msg.SetDate()
	if e.MessageID != "" {
		msg.SetMessageIDWithValue(e.MessageID)
	}
	if e.References != "" {
		msg.SetGenHeader(gomail.HeaderReferences, "<"+e.References+">")
		msg.SetGenHeader(gomail.HeaderInReplyTo, "<"+e.References+">")
	}
	msg.SetBodyString(gomail.TypeTextPlain, e.Body)
	c, err := m.client()
	if err != nil {
		return fmt.Errorf("smtp %s: %w", m.Addr(), err)
	}
	conn, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", m.Addr(), err)
	}
	// Once the server has accepted the message (250 after DATA), a failed
	// QUIT changes nothing: reporting it would send the message twice.
	defer func() { _ = c.CloseWithSMTPClient(conn) }()
	if err := c.SendWithSMTPClient(conn, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return notify.Permanent(fmt.Errorf("smtp %s: %w", m.Addr(), err))
		}
		return fmt.Errorf("smtp %s: %w", m.Addr(), err)
	}
	return nil
}
