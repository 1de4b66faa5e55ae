package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// /metrics of the service wired as serve wires it: open without
// HOTLINE_METRICS_TOKEN; with it, only the scrape token opens it (not a
// user's API token), and the token never reaches the logs.
func TestMetricsToken(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDSN(t)
	st, err := postgres.Open(ctx, dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	boss, err := httpapi.CreateUser(ctx, st, crm.User{Login: "boss", Role: crm.RoleAdmin}, "password-boss")
	if err != nil {
		t.Fatal(err)
	}
	apiToken, hash := auth.NewToken()
	if _, err := st.CreateAPIToken(ctx, boss.ID, "scripts", hash); err != nil {
		t.Fatal(err)
	}
	const scrape = "scrape-token-0123456789abcdef"
	serve := func(token string, logs io.Writer) *httptest.Server {
		t.Helper()
		cfg := Config{DatabaseURL: dsn, ARIApp: "hotline", PhoneRegion: "RU", SpoolDir: t.TempDir(), MetricsToken: token}
		api, svc, err := buildService(ctx, cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), st)
		t.Cleanup(svc.close)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(api.Handler())
		t.Cleanup(srv.Close)
		return srv
	}
	scrapeWith := func(srv *httptest.Server, authz string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	open := serve("", io.Discard)
	if code, body := scrapeWith(open, ""); code != http.StatusOK || !strings.Contains(body, "hotline_") {
		t.Errorf("no token configured: /metrics %d", code)
	}

	logs := &syncBuffer{}
	closed := serve(scrape, logs)
	for name, authz := range map[string]string{"no credentials": "", "wrong token": "Bearer not-the-scrape-token",
		"a user's API token": "Bearer " + apiToken} {
		if code, body := scrapeWith(closed, authz); code != http.StatusUnauthorized || strings.Contains(body, "hotline_") {
			t.Errorf("%s: /metrics %d", name, code)
		}
	}
	code, body := scrapeWith(closed, "Bearer "+scrape)
	if code != http.StatusOK || !strings.Contains(body, "hotline_") {
		t.Errorf("scrape token: /metrics %d", code)
	}
	// the token opens nothing else: it is not a user's credential
	req, _ := http.NewRequest(http.MethodGet, closed.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+scrape)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the scrape token on /api/v1/me: %v %v", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
	if strings.Contains(logs.String(), scrape) {
		t.Error("the scrape token is in the logs")
	}
	if !strings.Contains(logs.String(), `"path":"/metrics"`) {
		t.Error("no access log line for /metrics (is the check above looking at the right logs?)")
	}
}
