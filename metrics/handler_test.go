package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"hotline/metrics"
)

// RequireBearer: with a token, /metrics answers only requests that carry
// it; without one, everyone.
func TestRequireBearer(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "hotline_probe_total", Help: "A probe."})
	reg.MustRegister(c)
	const token = "0123456789abcdef-scrape"
	get := func(h http.Handler, auth string) (int, string, string) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body, _ := io.ReadAll(rec.Body)
		return rec.Code, rec.Header().Get("WWW-Authenticate"), string(body)
	}
	protected := metrics.RequireBearer(token, metrics.Handler(reg))
	for _, auth := range []string{"", "Bearer wrong-token-of-some-length", "Basic " + token, token, "Bearer " + token + "x", "Bearer"} {
		code, challenge, body := get(protected, auth)
		if code != http.StatusUnauthorized || !strings.HasPrefix(challenge, "Bearer ") || strings.Contains(body, "hotline_probe_total") {
			t.Errorf("Authorization %q: %d %q", auth, code, challenge)
		}
		if strings.Contains(body, token) {
			t.Errorf("the 401 body repeats the token: %s", body)
		}
	}
	for _, auth := range []string{"Bearer " + token, "bearer  " + token} {
		if code, _, body := get(protected, auth); code != http.StatusOK || !strings.Contains(body, "hotline_probe_total 0") {
			t.Errorf("Authorization %q: %d\n%s", auth, code, body)
		}
	}
	if code, _, body := get(metrics.RequireBearer("", metrics.Handler(reg)), ""); code != http.StatusOK || !strings.Contains(body, "hotline_probe_total") {
		t.Errorf("no token configured: %d", code)
	}
}
