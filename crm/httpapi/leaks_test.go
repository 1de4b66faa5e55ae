package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"hotline/crm"
)

// TestProblemsNeverEchoInput: a refused body, however it is refused,
// never comes back in the answer (a password least of all).
func TestProblemsNeverEchoInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	secret := "Sup3rSecretPW-" + strings.Repeat("x", 300)
	cases := []struct {
		name, body string
		status     int
	}{
		{"too long", `{"login":"agent1","password":"` + secret + `"}`, http.StatusUnprocessableEntity},
		{"wrong type", `{"login":17,"password":"` + secret + `"}`, http.StatusUnprocessableEntity},
		{"unknown field", `{"login":"agent1","password":"Sup3rSecretPW","extra":"Sup3rSecretPW"}`, http.StatusUnprocessableEntity},
		{"not JSON", `{"login":"agent1","password":"Sup3rSecretPW"`, http.StatusBadRequest},
	}
	for _, tc := range cases {
		resp, body := e.anon().do("POST", "/api/v1/auth/login", tc.body)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, resp.StatusCode, tc.status, body)
		}
		if strings.Contains(string(body), "Sup3rSecretPW") {
			t.Errorf("%s: the answer echoes the password: %s", tc.name, body)
		}
	}
}

// TestTokenAnswersAreNotCached: login and /me carry the CSRF token and the
// user; no cache may keep them.
func TestTokenAnswersAreNotCached(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.anon()
	resp, body := c.do("POST", "/api/v1/auth/login", map[string]string{"login": "agent1", "password": password(crm.RoleAgent)})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("login: %d Cache-Control %q: %s", resp.StatusCode, resp.Header.Get("Cache-Control"), body)
	}
	resp, body = c.do("GET", "/api/v1/me", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(string(body), "csrf_token") {
		t.Fatalf("me: %d Cache-Control %q: %s", resp.StatusCode, resp.Header.Get("Cache-Control"), body)
	}
	resp, _ = e.anon().do("POST", "/api/v1/auth/login", map[string]string{"login": "agent1", "password": "wrong"})
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("failed login: Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
}
