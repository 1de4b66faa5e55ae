package httpapi_test

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/httpapi"
)

// loginFrom posts a login through the test server as a client at xff
// (sent as X-Forwarded-For; "" sends none).
func (e *env) loginFrom(xff, login, pass string) *http.Response {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/auth/login",
		strings.NewReader(`{"login":`+strconv.Quote(login)+`,"password":`+strconv.Quote(pass)+`}`))
	req.Header.Set("Content-Type", "application/json")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestGuessingElsewhereDoesNotLockTheUserOut: behind a trusted proxy, an
// attacker's failures block the attacker's address (429 with Retry-After)
// but not the real user signing in from another address.
func TestGuessingElsewhereDoesNotLockTheUserOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *httpapi.Options) {
		o.LoginAttempts, o.LoginAttemptsPerIP = 3, 6
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	const attacker, user = "203.0.113.9", "198.51.100.20"
	for range 3 {
		if r := e.loginFrom(attacker+", 127.0.0.1", "agent1", "guess"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess: %d", r.StatusCode)
		}
	}
	r := e.loginFrom(attacker, "agent1", password(crm.RoleAgent))
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("attacker after 3 failures: %d, want 429", r.StatusCode)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Fatalf("Retry-After %q, want 1-60 seconds", r.Header.Get("Retry-After"))
	}
	if r := e.loginFrom(user, "agent1", password(crm.RoleAgent)); r.StatusCode != http.StatusOK {
		t.Fatalf("the real user from elsewhere: %d, want 200", r.StatusCode)
	}
	// The looser per-address limit: other logins from the attacker's address.
	for _, who := range []string{"nobody1", "nobody2", "nobody3"} {
		if r := e.loginFrom(attacker, who, "guess"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %s: %d", who, r.StatusCode)
		}
	}
	if r := e.loginFrom(attacker, "admin1", password(crm.RoleAdmin)); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("attacker's address after 6 failures: %d, want 429", r.StatusCode)
	}
	if r := e.loginFrom(user, "admin1", password(crm.RoleAdmin)); r.StatusCode != http.StatusOK {
		t.Fatalf("admin from elsewhere: %d", r.StatusCode)
	}
	// A spoofed header prepended by the client does not move it: the
	// rightmost untrusted hop is the one the proxy saw.
	if r := e.loginFrom(user+", "+attacker, "supervisor1", password(crm.RoleSupervisor)); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("attacker claiming the user's address: %d, want 429", r.StatusCode)
	}
	e.clock.Add(61 * time.Second)
	if r := e.loginFrom(attacker, "agent1", password(crm.RoleAgent)); r.StatusCode != http.StatusOK {
		t.Fatalf("after the window: %d", r.StatusCode)
	}
}

// TestForwardedForIgnoredFromUntrustedPeers: without trusted proxies a
// client cannot dodge its limit by sending X-Forwarded-For.
func TestForwardedForIgnoredFromUntrustedPeers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *httpapi.Options) { o.LoginAttempts = 2 })
	for i := range 2 {
		if r := e.loginFrom("10.9.9."+strconv.Itoa(i), "agent1", "guess"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess: %d", r.StatusCode)
		}
	}
	if r := e.loginFrom("10.9.9.99", "agent1", password(crm.RoleAgent)); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("forged X-Forwarded-For from an untrusted peer: %d, want 429", r.StatusCode)
	}
}
