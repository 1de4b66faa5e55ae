package httpapi_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/httpapi"
)

type clientJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Priority string `json:"priority"`
	Contacts []struct {
		ID    int64  `json:"id"`
		Kind  string `json:"kind"`
		Value string `json:"value"`
		Raw   string `json:"raw"`
	} `json:"contacts"`
}

func TestClientLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	agent := e.login(crm.RoleAgent)
	resp, body := agent.do("POST", "/api/v1/clients", map[string]any{
		"name": "Ivan Petrov", "company": "Romashka LLC", "priority": "VIP", "tags": []string{"wholesale"},
		"contacts": []map[string]string{{"kind": "phone", "value": "8 (916) 555-12-34", "label": "mobile"}, {"kind": "email", "value": "Ivan@Example.com"}},
	})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var c clientJSON
	mustJSON(t, body, &c)
	if len(c.Contacts) != 2 || c.Contacts[0].Value != "+79165551234" || c.Contacts[0].Raw != "8 (916) 555-12-34" {
		t.Fatalf("contacts not normalised: %s", body)
	}
	// Found by a part of the number, as typed in any format.
	for _, q := range []string{"555-12", "5551234", "Petrov", "romashka"} {
		_, body = agent.do("GET", "/api/v1/clients?q="+urlEscape(q), nil)
		var list struct{ Items []clientJSON }
		mustJSON(t, body, &list)
		if len(list.Items) != 1 || list.Items[0].ID != c.ID {
			t.Errorf("search %q: %s", q, body)
		}
	}
	resp, body = agent.do("PUT", fmt.Sprintf("/api/v1/clients/%d", c.ID), map[string]any{"name": "Ivan Petrov", "priority": "A"})
	mustJSON(t, body, &c)
	if resp.StatusCode != 200 || c.Priority != "A" || len(c.Contacts) != 2 {
		t.Fatalf("update: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("POST", fmt.Sprintf("/api/v1/clients/%d/contacts", c.ID), map[string]string{"kind": "phone", "value": "+44 20 7946 0958"})
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), "+442079460958") {
		t.Fatalf("add contact: %d %s", resp.StatusCode, body)
	}
	resp, _ = agent.do("DELETE", fmt.Sprintf("/api/v1/clients/%d", c.ID), nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("agent delete: %d", resp.StatusCode)
	}
	resp, _ = e.login(crm.RoleSupervisor).do("DELETE", fmt.Sprintf("/api/v1/clients/%d", c.ID), nil)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("supervisor delete: %d", resp.StatusCode)
	}
	resp, body = agent.do("GET", fmt.Sprintf("/api/v1/clients/%d", c.ID), nil)
	mustProblem(t, resp, body, http.StatusNotFound)
}

func TestPaginationAndTimeline(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	agent := e.login(crm.RoleAgent)
	for i := range 7 {
		e.newClient(fmt.Sprintf("Paged %02d", i), "")
	}
	seen := map[int64]bool{}
	cursor, pages := "", 0
	for {
		_, body := agent.do("GET", "/api/v1/clients?q=paged&limit=3&cursor="+urlEscape(cursor), nil)
		var list struct {
			Items      []clientJSON
			NextCursor string `json:"next_cursor"`
		}
		mustJSON(t, body, &list)
		for _, it := range list.Items {
			if seen[it.ID] {
				t.Fatalf("client %d on two pages", it.ID)
			}
			seen[it.ID] = true
		}
		pages++
		if cursor = list.NextCursor; cursor == "" || pages > 5 {
			break
		}
	}
	if len(seen) != 7 || pages != 3 {
		t.Fatalf("paged through %d clients in %d pages, want 7 in 3", len(seen), pages)
	}

	cl := e.newClient("Timeline Owner", "")
	for i := range 5 {
		e.clock.Add(time.Minute)
		resp, body := agent.do("POST", fmt.Sprintf("/api/v1/clients/%d/notes", cl.ID), map[string]string{"body": fmt.Sprintf("note %d", i)})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("note: %d %s", resp.StatusCode, body)
		}
	}
	var got []string
	cursor = ""
	for range 5 {
		_, body := agent.do("GET", fmt.Sprintf("/api/v1/clients/%d/timeline?limit=2&cursor=%s", cl.ID, urlEscape(cursor)), nil)
		var tl struct {
			Items []struct {
				Body   string
				UserID *int64 `json:"user_id"`
			}
			NextCursor string `json:"next_cursor"`
		}
		mustJSON(t, body, &tl)
		for _, it := range tl.Items {
			got = append(got, it.Body)
			if it.UserID == nil || *it.UserID != e.users[crm.RoleAgent].ID {
				t.Errorf("note without its author: %s", body)
			}
		}
		if cursor = tl.NextCursor; cursor == "" {
			break
		}
	}
	if strings.Join(got, ",") != "note 4,note 3,note 2,note 1,note 0" {
		t.Fatalf("timeline order: %v", got)
	}
}

func TestUsersAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.login(crm.RoleAdmin)
	resp, body := admin.do("POST", "/api/v1/users", map[string]any{"login": "olga", "name": "Olga", "role": "agent",
		"endpoints": []string{"PJSIP/1001"}, "password": "olga-password"})
	if resp.StatusCode != http.StatusCreated || strings.Contains(string(body), "olga-password") {
		t.Fatalf("create user: %d %s", resp.StatusCode, body)
	}
	resp, body = admin.do("POST", "/api/v1/users", map[string]any{"login": "olga", "role": "agent", "password": "olga-password"})
	mustProblem(t, resp, body, http.StatusConflict)
	resp, body = admin.do("POST", "/api/v1/users", map[string]any{"login": "bad", "role": "agent", "endpoints": []string{"1001"}, "password": "olga-password"})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = admin.do("POST", "/api/v1/users", map[string]any{"login": "short", "role": "agent", "password": "x"})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = admin.do("PATCH", fmt.Sprintf("/api/v1/users/%d", e.users[crm.RoleAdmin].ID), map[string]any{"disabled": true})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = admin.do("PATCH", fmt.Sprintf("/api/v1/users/%d", e.users[crm.RoleAdmin].ID), map[string]any{"role": "agent"})
	mustProblem(t, resp, body, http.StatusConflict) // the last enabled admin stays one
	olga, _, err := e.store.Users.GetUserByLogin(context.Background(), "olga")
	if err != nil {
		t.Fatal(err)
	}
	olgaSession := e.anon()
	if resp, body := olgaSession.do("POST", "/api/v1/auth/login", map[string]string{"login": "olga", "password": "olga-password"}); resp.StatusCode != 200 {
		t.Fatalf("olga login: %d %s", resp.StatusCode, body)
	}
	resp, _ = admin.do("PUT", fmt.Sprintf("/api/v1/users/%d/password", olga.ID), map[string]any{"password": "new-password-1"})
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("set password: %d", resp.StatusCode)
	}
	if resp, _ := olgaSession.do("GET", "/api/v1/me", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("session survived a password change: %d", resp.StatusCode)
	}
	resp, body = e.anon().do("POST", "/api/v1/auth/login", map[string]string{"login": "olga", "password": "new-password-1"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login with new password: %d %s", resp.StatusCode, body)
	}
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func TestHealthOpenAPIAndLogs(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	down := errors.New("redis is down")
	var redisErr error
	var mu sync.Mutex
	e := newEnv(t, func(o *httpapi.Options) {
		o.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
		o.Checks = []httpapi.Check{{Name: "redis", Func: func(context.Context) error { mu.Lock(); defer mu.Unlock(); return redisErr }}}
	})
	c := e.anon()
	if resp, body := c.do("GET", "/healthz", nil); resp.StatusCode != 200 {
		t.Fatalf("healthz: %d %s", resp.StatusCode, body)
	}
	if resp, body := c.do("GET", "/readyz", nil); resp.StatusCode != 200 || !strings.Contains(string(body), `"postgres"`) {
		t.Fatalf("readyz: %d %s", resp.StatusCode, body)
	}
	mu.Lock()
	redisErr = down
	mu.Unlock()
	// The failing check is named, its error text only logged (an
	// anonymous caller learns no host names, addresses or versions).
	if resp, body := c.do("GET", "/readyz", nil); resp.StatusCode != 503 || strings.Contains(string(body), "redis is down") ||
		!strings.Contains(string(body), `{"name":"redis","ok":false}`) {
		t.Fatalf("readyz with redis down: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "redis is down") {
		t.Fatalf("the failed check's error is not logged: %s", logs.String())
	}
	resp, body := c.do("GET", "/api/openapi.json", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"/api/v1/clients"`) || !strings.Contains(string(body), "bearer") {
		t.Fatalf("openapi: %d %.300s", resp.StatusCode, body)
	}
	if resp.Header.Get("X-Request-Id") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Fatalf("missing request id or secure headers: %v", resp.Header)
	}
	resp, body = c.do("GET", "/api/v1/nothing-here", nil)
	mustProblem(t, resp, body, http.StatusNotFound)

	agent := e.login(crm.RoleAgent)
	tok := e.tokenClient(crm.RoleAgent)
	tok.do("GET", "/api/v1/me", nil)
	agent.do("GET", "/api/v1/me", nil)
	out := logs.String()
	for _, secret := range []string{password(crm.RoleAgent), tok.bearer, agent.csrf, "Authorization", "Cookie", httpapi.SessionCookie} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q", secret)
		}
	}
	if !strings.Contains(out, `"msg":"http request"`) || !strings.Contains(out, `"request_id"`) || !strings.Contains(out, `"path":"/api/v1/me"`) {
		t.Errorf("access log lines missing: %.500s", out)
	}
}
