package httpapi

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies parses a comma-separated list of CIDRs (or single
// addresses) of reverse proxies whose X-Forwarded-For is believed.
func ParseTrustedProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q: want a CIDR such as 10.0.0.0/8 or an address", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// clientAddress sets r.RemoteAddr to the client's address: the peer's,
// unless the peer is a trusted proxy, in which case X-Forwarded-For is
// walked from the right past trusted hops and the first untrusted address
// (or the leftmost one, when all are trusted) is the client. A malformed
// entry stops the walk at the last good hop, so a client cannot choose its
// own address by prepending to the header.
func clientAddress(trusted []netip.Prefix) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if len(trusted) == 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if client, ok := forwardedClient(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), trusted); ok {
				r.RemoteAddr = net.JoinHostPort(client.String(), "0")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// forwardedClient finds the client behind a trusted peer; ok is false when
// the peer's own address stands.
func forwardedClient(remote string, xff []string, trusted []netip.Prefix) (netip.Addr, bool) {
	peer, err := parseHop(hostOf(remote))
	if err != nil || !isTrusted(peer, trusted) {
		return netip.Addr{}, false
	}
	var hops []string
	for _, line := range xff {
		hops = append(hops, strings.Split(line, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := parseHop(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		client = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	return client, client != peer
}

// parseHop reads one X-Forwarded-For entry: an address, optionally with a
// port ("1.2.3.4:5678", "[2001:db8::1]:443").
func parseHop(s string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("bad hop %q", s)
	}
	return a.Unmap(), nil
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
