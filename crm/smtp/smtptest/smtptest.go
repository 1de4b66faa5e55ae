// Package smtptest is a real SMTP server for tests (github.com/emersion/go-smtp
// as the receiving side): it keeps every message it accepts, can offer
// STARTTLS and require authentication, and can be stopped and started
// again on the same address to test outages.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/mail"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one accepted e-mail.
type Message struct {
	From   string
	To     []string
	Header mail.Header
	Body   string // decoded text
	Raw    []byte
	TLS    bool // the session ran over TLS
	User   string
}

// Options configure a Server.
type Options struct {
	STARTTLS bool   // offer STARTTLS with a self-signed certificate for 127.0.0.1
	User     string // require AUTH PLAIN with User/Password when set
	Password string
	// Implicit makes the listener TLS from the first byte (smtps).
	Implicit bool
	// OnLogout, when set, is called when a session ends (after its
	// message was accepted) with the count of messages so far: e.g. to
	// stop the server mid-batch.
	OnLogout func(n int)
}

// Server is a running SMTP server.
type Server struct {
	t    testing.TB
	o    Options
	addr string
	cert tls.Certificate
	pool *x509.CertPool

	mu   sync.Mutex
	srv  *smtp.Server
	ln   net.Listener
	msgs []Message
}

// New starts a server on 127.0.0.1 and stops it when the test ends.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{t: t, o: o}
	s.cert, s.pool = selfSigned(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	s.serve(l)
	t.Cleanup(s.Stop)
	return s
}

// Addr is host:port of the server.
func (s *Server) Addr() string { return s.addr }

// RootCAs trusts the server's certificate.
func (s *Server) RootCAs() *x509.CertPool { return s.pool }

// Messages returns a copy of the accepted messages, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Stop closes the listener and every connection: the server is down.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if ln != nil {
		_ = ln.Close() // Serve may not have taken it yet
	}
	if srv != nil {
		_ = srv.Close()
	}
}

// Start listens again on the same address after Stop.
func (s *Server) Start() {
	s.t.Helper()
	var l net.Listener
	var err error
	for range 50 { // the old socket may linger a moment
		if l, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("restart smtp server on %s: %v", s.addr, err)
	}
	s.serve(l)
}

func (s *Server) serve(l net.Listener) {
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.EnableSMTPUTF8 = true
	if s.o.STARTTLS || s.o.Implicit {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12}
	}
	if s.o.Implicit {
		l = tls.NewListener(l, srv.TLSConfig)
	}
	s.mu.Lock()
	s.srv, s.ln = srv, l
	s.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &session{s: b.s, tls: isTLS, conn: c}, nil
}

type session struct {
	s    *Server
	conn *smtp.Conn
	tls  bool
	user string
	from string
	to   []string
}

func (x *session) AuthMechanisms() []string {
	if x.s.o.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.s.o.User || pass != x.s.o.Password {
			return errors.New("invalid credentials")
		}
		x.user = user
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.o.User != "" && x.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	body, err := decodeBody(m)
	if err != nil {
		return err
	}
	_, isTLS := x.conn.TLSConnectionState()
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, Message{From: x.from, To: x.to, Header: m.Header, Body: body, Raw: raw, TLS: isTLS || x.tls, User: x.user})
	x.s.mu.Unlock()
	return nil
}

func (x *session) Reset() { x.from, x.to = "", nil }
func (x *session) Logout() error {
	if hook := x.s.o.OnLogout; hook != nil {
		x.s.mu.Lock()
		n := len(x.s.msgs)
		x.s.mu.Unlock()
		hook(n)
	}
	return nil
}

// selfSigned makes a certificate for 127.0.0.1 and localhost.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtptest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
