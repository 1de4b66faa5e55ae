package pgtest

import (
	"net/url"
	"testing"

	"hotline/internal/cutproxy"
)

// Proxy is a TCP proxy in front of the test PostgreSQL that a fault test
// cuts to make an outage (or a restart) without touching the shared
// server: Cut closes every connection and refuses new ones until Restore.
type Proxy struct {
	*cutproxy.Proxy
}

// NewProxy starts a proxy, on a free local port, to the server of dsn (a
// postgres:// URL such as NewDSN returns); connect through it with
// p.Via(dsn). The proxy is closed when tb's test ends.
func NewProxy(tb testing.TB, dsn string) *Proxy {
	tb.Helper()
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		tb.Fatalf("pgtest: the proxy needs a postgres:// URL with a host, not %q", dsn)
	}
	return &Proxy{cutproxy.New(tb, u.Host)}
}

// Via returns dsn with its host replaced by the proxy's.
func (p *Proxy) Via(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Host = p.Addr()
	return u.String()
}
