package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// TestLoginFormTooManyAttempts: the login form answers 429 with
// Retry-After once the login has failed too often from this address.
func TestLoginFormTooManyAttempts(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser()
	for range 10 {
		if resp, _ := b.post("/login", url.Values{"login": {"agent"}, "password": {"wrong"}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", resp.StatusCode)
		}
	}
	resp, _ := b.post("/login", url.Values{"login": {"agent"}, "password": {adminPassword}})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 10 failures: %d, want 429", resp.StatusCode)
	}
	if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || n < 1 || n > 15*60 {
		t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
}
