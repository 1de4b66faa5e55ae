package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// /metrics names every agent and their state: it is served on a listener of
// its own (HOTLINE_METRICS_ADDR, loopback by default), and start-up refuses
// a listener other hosts can reach unless HOTLINE_METRICS_TOKEN is set.
func TestMetricsAddrNeedsATokenBeyondLoopback(t *testing.T) {
	const token = "scrape-s3cret-0123456789abcdef"
	for _, addr := range []string{":9464", "0.0.0.0:9464", "[::]:9464", "10.0.0.5:9464", "metrics.internal:9464"} {
		_, err := loadConfig(map[string]string{"HOTLINE_METRICS_ADDR": addr})
		if err == nil || !strings.HasPrefix(err.Error(), "invalid HOTLINE_METRICS_ADDR") || !strings.Contains(err.Error(), "HOTLINE_METRICS_TOKEN") ||
			strings.Contains(err.Error(), "\n") {
			t.Errorf("%s without a token: %v, want one line refusing it", addr, err)
		}
		c, err := loadConfig(map[string]string{"HOTLINE_METRICS_ADDR": addr, "HOTLINE_METRICS_TOKEN": token})
		if err != nil || c.MetricsAddr != addr || c.MetricsToken != token {
			t.Errorf("%s with a token: %+v %v", addr, c.MetricsAddr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:9464", "127.0.0.2:9100", "[::1]:9464", "localhost:9464", "127.0.0.1:0"} {
		if c, err := loadConfig(map[string]string{"HOTLINE_METRICS_ADDR": addr}); err != nil || c.MetricsAddr != addr {
			t.Errorf("%s (loopback) without a token: %+v %v", addr, c.MetricsAddr, err)
		}
	}
	if c, err := loadConfig(nil); err != nil || c.MetricsAddr != "127.0.0.1:9464" {
		t.Errorf("default: %q %v, want 127.0.0.1:9464", c.MetricsAddr, err)
	}
	for _, bad := range []string{"9464", "127.0.0.1:http", "127.0.0.1:8080"} {
		if _, err := loadConfig(map[string]string{"HOTLINE_METRICS_ADDR": bad}); err == nil || !strings.HasPrefix(err.Error(), "invalid HOTLINE_METRICS_ADDR") {
			t.Errorf("%q: %v, want invalid HOTLINE_METRICS_ADDR", bad, err)
		}
	}
}

// loadConfig reads the configuration of `hotline serve` from vars.
func loadConfig(vars map[string]string) (Config, error) {
	e, _, _ := testEnv(vars, "")
	cfg, _, err := parse("serve", nil, e, nil)
	return cfg, err
}

// `hotline serve` answers /metrics on HOTLINE_METRICS_ADDR only, with the
// scrape token only (not a user's API token), and nothing else there; the
// HTTP listener of agents and the API has no /metrics.
func TestServeMetricsListener(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDSN(t)
	st := pgtest.Open(t, dsn, postgres.Options{})
	boss, err := auth.CreateUser(ctx, st.Users, crm.User{Login: "boss", Role: crm.RoleAdmin}, "password-boss")
	if err != nil {
		t.Fatal(err)
	}
	apiToken, hash := auth.NewToken()
	if _, err := st.Users.CreateAPIToken(ctx, boss.ID, "scripts", hash); err != nil {
		t.Fatal(err)
	}

	const scrape = "scrape-token-0123456789abcdef"
	vars := map[string]string{"HOTLINE_DATABASE_URL": dsn, "HOTLINE_HTTP_ADDR": "127.0.0.1:0", "HOTLINE_METRICS_ADDR": "127.0.0.1:0",
		"HOTLINE_METRICS_TOKEN": scrape, "HOTLINE_SPOOL_DIR": t.TempDir(), "HOTLINE_LOG_LEVEL": "debug"}
	e, out, logs := testEnv(vars, "")
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- run(sctx, []string{"serve"}, e) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var web, mon string
	deadline := time.Now().Add(60 * time.Second)
	for (web == "" || mon == "") && time.Now().Before(deadline) {
		web, mon = listenURLs(logs.String())
		time.Sleep(50 * time.Millisecond)
	}
	if web == "" || mon == "" {
		t.Fatalf("serve printed no listeners: %s %s", out, logs)
	}

	get := func(url, authz string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
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
	if code, body := get(mon, "Bearer "+scrape); code != http.StatusOK || !strings.Contains(body, "hotline_build_info{") {
		t.Errorf("metrics listener with the scrape token: %d", code)
	}
	for name, authz := range map[string]string{"no credentials": "", "wrong token": "Bearer not-the-scrape-token",
		"a user's API token": "Bearer " + apiToken} {
		if code, body := get(mon, authz); code != http.StatusUnauthorized || strings.Contains(body, "hotline_") {
			t.Errorf("metrics listener, %s: %d", name, code)
		}
	}
	for _, authz := range []string{"", "Bearer " + scrape, "Bearer " + apiToken} {
		if code, body := get(web+"/metrics", authz); code == http.StatusOK || strings.Contains(body, "hotline_agent") {
			t.Errorf("the HTTP listener answers /metrics (%q): %d", authz, code)
		}
	}
	if code, _ := get(strings.TrimSuffix(mon, "/metrics")+"/readyz", ""); code != http.StatusNotFound {
		t.Errorf("the metrics listener answers /readyz: %d", code)
	}
	if code, _ := get(web+"/api/v1/me", "Bearer "+scrape); code != http.StatusUnauthorized {
		t.Errorf("the scrape token on /api/v1/me: %d", code)
	}
	if strings.Contains(logs.String(), scrape) {
		t.Error("the scrape token is in the logs")
	}
	// the container's health command, against the real service
	he, hout, _ := testEnv(map[string]string{"HOTLINE_HTTP_ADDR": strings.TrimPrefix(web, "http://")}, "")
	if err := run(ctx, []string{"healthcheck"}, he); err != nil || !strings.HasPrefix(hout.String(), "ok: ") {
		t.Errorf("healthcheck of the running service: %v %q", err, hout)
	}
}

// listenURLs finds the HTTP and metrics URLs in serve's JSON log.
func listenURLs(logs string) (web, metrics string) {
	for _, line := range regexp.MustCompile(`(?m)^.*"hotline serving".*$`).FindAllString(logs, 1) {
		var v struct{ URL, Metrics string }
		if json.Unmarshal([]byte(line), &v) == nil {
			return v.URL, v.Metrics
		}
	}
	return "", ""
}

// buildService hands /metrics to serve apart from the API handler, behind
// the scrape token when one is set and open without one.
func TestBuildServiceMetricsHandler(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDSN(t)
	st := pgtest.Open(t, dsn, postgres.Options{})
	cfg := Config{DatabaseURL: dsn, ARIApp: "hotline", PhoneRegion: "RU", SpoolDir: t.TempDir()}
	api, svc, err := buildService(ctx, cfg, slog.New(slog.DiscardHandler), st)
	t.Cleanup(svc.close)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	svc.metrics.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `hotline_build_info{goversion="go`) {
		t.Errorf("no token configured: /metrics %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	api.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code == http.StatusOK || strings.Contains(rec.Body.String(), "hotline_") {
		t.Errorf("the API handler serves /metrics: %d", rec.Code)
	}
}
