package httpapi

import (
	"net/netip"
	"testing"
)

func TestForwardedClient(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.168.1.1, 2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, remote string
		xff          []string
		want         string // "" = the peer's own address stands
	}{
		{"untrusted peer", "203.0.113.1:5000", []string{"198.51.100.1"}, ""},
		{"no header", "10.0.0.5:5000", nil, ""},
		{"one hop", "10.0.0.5:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"spoofed left part", "10.0.0.5:5000", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"chain of proxies", "10.0.0.5:5000", []string{"198.51.100.1, 10.1.1.1", "192.168.1.1"}, "198.51.100.1"},
		{"all trusted", "10.0.0.5:5000", []string{"10.2.2.2"}, "10.2.2.2"},
		{"garbage stops the walk", "10.0.0.5:5000", []string{"198.51.100.1, nonsense, 10.1.1.1"}, "10.1.1.1"},
		{"garbage rightmost", "10.0.0.5:5000", []string{"198.51.100.1, unknown"}, ""},
		{"with port", "10.0.0.5:5000", []string{"198.51.100.1:443"}, "198.51.100.1"},
		{"ipv6", "[2001:db8::1]:5000", []string{"2001:db9::7"}, "2001:db9::7"},
		{"mapped ipv4 peer", "[::ffff:10.0.0.5]:5000", []string{"198.51.100.1"}, "198.51.100.1"},
	}
	for _, tc := range cases {
		got, ok := forwardedClient(tc.remote, tc.xff, trusted)
		if (tc.want == "") != !ok || (ok && got != netip.MustParseAddr(tc.want)) {
			t.Errorf("%s: got %v %v, want %q", tc.name, got, ok, tc.want)
		}
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8,bogus"); err == nil {
		t.Error("a bad CIDR was accepted")
	}
}
