package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// TestEveryOperationOfTheWiredServiceEnforcesItsRoles builds the service
// exactly as `hotline serve` does (every feature mounted, the simulated PBX
// in place of Asterisk) and calls every operation of its OpenAPI document
// anonymously and as each role: anonymous callers get 401 unless the
// operation is public, roles it does not allow get 403, allowed roles are
// let through, and no request, however empty, makes the server fail (5xx).
func TestEveryOperationOfTheWiredServiceEnforcesItsRoles(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDSN(t)
	st := pgtest.Open(t, dsn, postgres.Options{})
	tokens := map[crm.Role]string{}
	for i, role := range crm.Roles {
		u := crm.User{Login: "matrix-" + string(role), Role: role}
		if role == crm.RoleAgent {
			u.Endpoints = []string{"PJSIP/1001"}
		}
		created, err := auth.CreateUser(ctx, st.Users, u, fmt.Sprintf("password-%d-long", i))
		if err != nil {
			t.Fatal(err)
		}
		plain, hash := auth.NewToken()
		if _, err := st.Users.CreateAPIToken(ctx, created.ID, "matrix", hash); err != nil {
			t.Fatal(err)
		}
		tokens[role] = plain
	}
	cfg := Config{DatabaseURL: dsn, ARIApp: "hotline", PhoneRegion: "RU", SpoolDir: t.TempDir()}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	api, svc, err := buildService(ctx, cfg, log, st)
	defer svc.close()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()

	param := regexp.MustCompile(`\{[^}]+\}`)
	ops := 0
	for path, item := range api.API().OpenAPI().Paths {
		for method, op := range map[string]*huma.Operation{http.MethodGet: item.Get, http.MethodPost: item.Post,
			http.MethodPut: item.Put, http.MethodPatch: item.Patch, http.MethodDelete: item.Delete} {
			if op == nil {
				continue
			}
			ops++
			access, ok := httpapi.AccessOf(op)
			if !ok {
				t.Errorf("%s %s (%s) declares no roles", method, path, op.OperationID)
				continue
			}
			url := srv.URL + param.ReplaceAllString(path, "1")
			check := func(who string, token string, want func(int) bool, wantText string) {
				t.Helper()
				code := call(t, method, url, token)
				if !want(code) || code >= 500 {
					t.Errorf("%s %s (%s) as %s: status %d, want %s", method, path, op.OperationID, who, code, wantText)
				}
			}
			if !access.Public {
				check("anonymous", "", func(c int) bool { return c == http.StatusUnauthorized }, "401")
			}
			for _, role := range crm.Roles {
				if access.Public || slices.Contains(access.Roles, role) {
					check(string(role), tokens[role], func(c int) bool {
						return c != http.StatusUnauthorized && c != http.StatusForbidden
					}, "allowed (not 401/403) and not 5xx")
				} else {
					check(string(role), tokens[role], func(c int) bool { return c == http.StatusForbidden }, "403")
				}
			}
		}
	}
	if ops < 50 {
		t.Fatalf("only %d operations are mounted; the wiring lost some features", ops)
	}
	t.Logf("%d operations checked with 4 callers each", ops)
}

func call(t *testing.T, method, url, token string) int {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
		body = strings.NewReader("{}")
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
