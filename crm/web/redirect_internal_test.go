package web

import "testing"

// TestSafeNext keeps post-login redirects on this site: every way of
// writing another site's address (or something a browser may read as one)
// falls back to the client list.
func TestSafeNext(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", "", "/clients"},
		{"plain path", "/clients/12", "/clients/12"},
		{"path with query", "/tickets?status=open&page=2", "/tickets?status=open&page=2"},
		{"escaped cyrillic", "/clients?q=%D0%98%D0%B2%D0%B0%D0%BD", "/clients?q=%D0%98%D0%B2%D0%B0%D0%BD"},
		{"tab after slash", "/\t/evil.example/x", "/clients"},
		{"encoded tab", "/%09/evil.example/x", "/clients"},
		{"newline", "/\n/evil.example", "/clients"},
		{"carriage return", "/\r/evil.example", "/clients"},
		{"encoded newline", "/%0a/evil.example", "/clients"},
		{"space", "/ /evil.example", "/clients"},
		{"nbsp", "/\u00a0/evil.example", "/clients"},
		{"protocol relative", "//evil.example/", "/clients"},
		{"triple slash", "///evil.example/", "/clients"},
		{"backslash", "/\\evil.example", "/clients"},
		{"backslash later", "/x/..\\..\\evil", "/clients"},
		{"encoded slash slash", "/%2F/evil.example", "/clients"},
		{"encoded backslash", "/%5Cevil.example", "/clients"},
		{"double encoded tab", "/%2509/evil.example", "/clients"},
		{"scheme", "https://evil.example/", "/clients"},
		{"javascript", "javascript:alert(1)", "/clients"},
		{"relative", "evil.example", "/clients"},
		{"nul", "/\x00/evil", "/clients"},
		{"bad escape", "/%zz", "/clients"},
		{"invalid utf8", "/\xff", "/clients"},
	}
	for _, tc := range cases {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("%s: safeNext(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}
