package main

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/metrics"
)

// TestAdminPageReloadsTheAgentRoster: in the service as `hotline serve`
// builds it, an agent added on the admin page is on the wallboard (the
// metrics' roster, reloaded with the tracker's) at once, not after the
// 30-second refresh.
func TestAdminPageReloadsTheAgentRoster(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDSN(t)
	st := pgtest.Open(t, dsn, postgres.Options{})
	if _, err := auth.CreateUser(ctx, st.Users, crm.User{Login: "root", Role: crm.RoleAdmin}, "root-password-1"); err != nil {
		t.Fatal(err)
	}
	cfg := Config{DatabaseURL: dsn, ARIApp: "hotline", PhoneRegion: "RU", SpoolDir: t.TempDir()}
	api, svc, err := buildService(ctx, cfg, slog.New(slog.DiscardHandler), st)
	defer svc.close()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values) *http.Response {
		t.Helper()
		resp, err := hc.PostForm(srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := post("/login", url.Values{"login": {"root"}, "password": {"root-password-1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	resp, err := hc.Get(srv.URL + "/admin/users/new")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("add-user page: %d", resp.StatusCode)
	}
	onBoard := func() bool {
		t.Helper()
		resp, err := hc.Get(srv.URL + "/api/v1/wallboard")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var snap metrics.Snapshot
		if err := json.NewDecoder(resp.Body).Decode(&snap); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("wallboard: %d %v", resp.StatusCode, err)
		}
		return slices.ContainsFunc(snap.Agents, func(a metrics.AgentStatus) bool { return a.Login == "newbie" })
	}
	if onBoard() {
		t.Fatal("newbie on the wallboard before being added")
	}
	resp = post("/admin/users", url.Values{"csrf_token": {html.UnescapeString(string(m[1]))}, "login": {"newbie"},
		"role": {"agent"}, "endpoints": {"PJSIP/1077"}, "password": {"newbie-password"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add agent: %d", resp.StatusCode)
	}
	if !onBoard() {
		t.Fatal("the agent added on the admin page is not on the wallboard at once")
	}
}
