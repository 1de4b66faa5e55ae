package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/httpapi"
)

func TestLoginLogoutAndCookie(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *httpapi.Options) { o.CookieSecure = true })
	c := e.anon()
	resp, body := c.do("POST", "/api/v1/auth/login", map[string]string{"login": "ADMIN1", "password": password(crm.RoleAdmin)})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	var ck *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == httpapi.SessionCookie {
			ck = k
		}
	}
	if ck == nil || !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode || len(ck.Value) < 40 {
		t.Fatalf("session cookie %+v", ck)
	}
	if strings.Contains(string(body), ck.Value) {
		t.Fatal("the session token is in the body")
	}
	// The cookie jar will not send a Secure cookie over http; send it by hand.
	get := func() int {
		req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/me", nil)
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	if s := get(); s != http.StatusOK {
		t.Fatalf("me with cookie: %d", s)
	}
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/auth/logout", nil)
	req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without CSRF: %d, want 403", r.StatusCode)
	}
	var out struct {
		CSRFToken string `json:"csrf_token"`
	}
	mustJSON(t, body, &out)
	req, _ = http.NewRequest("POST", e.ts.URL+"/api/v1/auth/logout", nil)
	req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	req.Header.Set(httpapi.CSRFHeader, out.CSRFToken)
	if r, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("logout: %d", r.StatusCode)
	}
	if s := get(); s != http.StatusUnauthorized {
		t.Fatalf("me after logout: %d, want 401", s)
	}
}

func TestWrongPasswordAndRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.anon()
	for i := range 5 {
		resp, body := c.do("POST", "/api/v1/auth/login", map[string]string{"login": "agent1", "password": "wrong"})
		p := mustProblem(t, resp, body, http.StatusUnauthorized)
		if strings.Contains(p.Detail, "agent1") && i == 0 {
			t.Logf("detail: %s", p.Detail)
		}
	}
	resp, body := c.do("POST", "/api/v1/auth/login", map[string]string{"login": "agent1", "password": password(crm.RoleAgent)})
	mustProblem(t, resp, body, http.StatusTooManyRequests)
	// Another login from the same address is not blocked.
	resp, body = e.anon().do("POST", "/api/v1/auth/login", map[string]string{"login": "admin1", "password": password(crm.RoleAdmin)})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("other login blocked: %d %s", resp.StatusCode, body)
	}
	e.clock.Add(61 * time.Second)
	resp, body = c.do("POST", "/api/v1/auth/login", map[string]string{"login": "agent1", "password": password(crm.RoleAgent)})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login after the window: %d %s", resp.StatusCode, body)
	}
	resp, body = e.anon().do("POST", "/api/v1/auth/login", map[string]string{"login": "nobody", "password": "whatever"})
	mustProblem(t, resp, body, http.StatusUnauthorized)
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *httpapi.Options) { o.SessionTTL = 4 * time.Hour; o.IdleTimeout = time.Hour })
	c := e.login(crm.RoleAgent)
	for range 4 { // used every 50 minutes: the idle timeout never fires
		e.clock.Add(50 * time.Minute)
		if resp, body := c.do("GET", "/api/v1/me", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("active session rejected: %d %s", resp.StatusCode, body)
		}
	}
	e.clock.Add(50 * time.Minute) // 4h10m after login: past the absolute lifetime
	if resp, _ := c.do("GET", "/api/v1/me", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("expired session: %d, want 401", resp.StatusCode)
	}
	c = e.login(crm.RoleAgent)
	e.clock.Add(61 * time.Minute)
	if resp, _ := c.do("GET", "/api/v1/me", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("idle session: %d, want 401", resp.StatusCode)
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.login(crm.RoleAgent)
	cl := e.newClient("Csrf Target", "")
	path := fmt.Sprintf("/api/v1/clients/%d/notes", cl.ID)
	c.noCSRF = true
	resp, body := c.do("POST", path, map[string]string{"body": "no token"})
	mustProblem(t, resp, body, http.StatusForbidden)
	c.noCSRF, c.csrf = false, "forged"+c.csrf
	resp, body = c.do("POST", path, map[string]string{"body": "wrong token"})
	mustProblem(t, resp, body, http.StatusForbidden)
	page, err := e.store.Clients.Timeline(context.Background(), cl.ID, "", 10)
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("notes stored without CSRF: %d %v", len(page.Items), err)
	}
	// Safe methods need no token; bearer requests need none at all.
	if resp, _ := c.do("GET", "/api/v1/me", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET needs no CSRF: %d", resp.StatusCode)
	}
	tok := e.tokenClient(crm.RoleAgent)
	if resp, body := tok.do("POST", path, map[string]string{"body": "by token"}); resp.StatusCode != http.StatusCreated {
		t.Fatalf("bearer POST: %d %s", resp.StatusCode, body)
	}
}

func TestBearerTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.anon()
	c.bearer = "not-a-token"
	resp, body := c.do("GET", "/api/v1/me", nil)
	mustProblem(t, resp, body, http.StatusUnauthorized)
	if resp.Header.Get("WWW-Authenticate") == "" {
		t.Error("no WWW-Authenticate on a bad token")
	}
	tok := e.tokenClient(crm.RoleSupervisor)
	resp, body = tok.do("GET", "/api/v1/me", nil)
	var me struct {
		User struct{ Login string }
		Auth string
	}
	mustJSON(t, body, &me)
	if resp.StatusCode != 200 || me.User.Login != "supervisor1" || me.Auth != "token" {
		t.Fatalf("me by token: %d %s", resp.StatusCode, body)
	}
	// A disabled user's token stops working, and their session too.
	sess := e.login(crm.RoleSupervisor)
	admin := e.login(crm.RoleAdmin)
	id := e.users[crm.RoleSupervisor].ID
	if resp, body := admin.do("PATCH", fmt.Sprintf("/api/v1/users/%d", id), map[string]any{"disabled": true}); resp.StatusCode != 200 {
		t.Fatalf("disable: %d %s", resp.StatusCode, body)
	}
	if resp, _ := tok.do("GET", "/api/v1/me", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled user's token: %d", resp.StatusCode)
	}
	if resp, _ := sess.do("GET", "/api/v1/me", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled user's session: %d", resp.StatusCode)
	}
	resp, body = e.anon().do("POST", "/api/v1/auth/login", map[string]string{"login": "supervisor1", "password": password(crm.RoleSupervisor)})
	mustProblem(t, resp, body, http.StatusUnauthorized)
	// Enabled again, they sign in afresh: the old session stays dead.
	if resp, body := admin.do("PATCH", fmt.Sprintf("/api/v1/users/%d", id), map[string]any{"disabled": false}); resp.StatusCode != 200 {
		t.Fatalf("enable: %d %s", resp.StatusCode, body)
	}
	if resp, _ := sess.do("GET", "/api/v1/me", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("re-enabled user's old session: %d", resp.StatusCode)
	}
}

func TestCrossSiteLoginRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := strings.NewReader(`{"login":"agent1","password":"` + password(crm.RoleAgent) + `"}`)
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/auth/login", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) != 0 {
		t.Fatalf("cross-site login: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	req, _ = http.NewRequest("POST", e.ts.URL+"/api/v1/auth/login", strings.NewReader(`{"login":"agent1","password":"`+password(crm.RoleAgent)+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", e.ts.URL)
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("same-origin login: %d", resp.StatusCode)
	}
}

// TestStaleFormPageInTheReadersLanguage: a page form sent with an old
// session's token is refused with a page in the browser's language.
func TestStaleFormPageInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.login(crm.RoleAgent)
	for lang, want := range map[string]string{"ru": "Эта форма устарела", "en": "This form has expired"} {
		req, _ := http.NewRequest("POST", e.ts.URL+"/clients", strings.NewReader("name=x&csrf_token=old"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Accept-Language", lang)
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body strings.Builder
		_, _ = io.Copy(&body, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body.String(), want) ||
			!strings.Contains(body.String(), `lang="`+lang+`"`) {
			t.Errorf("%s: %d %.300s", lang, resp.StatusCode, body.String())
		}
	}
}
