package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a real server on a fresh database with one user per role.
type env struct {
	t     *testing.T
	store *postgres.Services
	srv   *httpapi.Server
	ts    *httptest.Server
	clock *clock
	users map[crm.Role]crm.User
}

func password(role crm.Role) string { return "pass-" + string(role) + "-123" }

func newEnv(t *testing.T, opts ...func(*httpapi.Options)) *env {
	t.Helper()
	return newEnvOn(t, pgtest.NewStore(t), opts...)
}

// newEnvOn is newEnv over st, a store opened with options of its own.
func newEnvOn(t *testing.T, st *postgres.Services, opts ...func(*httpapi.Options)) *env {
	t.Helper()
	clk := &clock{t: time.Now()}
	o := httpapi.Options{Now: clk.Now, PhoneRegion: "RU", LoginAttempts: 5, LoginWindow: time.Minute}
	for _, f := range opts {
		f(&o)
	}
	o.Users, o.Sessions, o.Ping = st.Users, st.Sessions, st.DB.Ping
	srv := httpapi.New(o)
	httpapi.RegisterUsers(srv, httpapi.UserDeps{Users: st.Users, Sessions: st.Sessions})
	httpapi.RegisterClients(srv, httpapi.ClientDeps{Clients: st.Clients, Tickets: st.DB.VisibleTickets})
	httpapi.RegisterPriority(srv, httpapi.PriorityDeps{Priority: st.Priority})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e := &env{t: t, store: st, srv: srv, ts: ts, clock: clk, users: map[crm.Role]crm.User{}}
	for _, r := range crm.Roles {
		u, err := auth.CreateUser(context.Background(), st.Users, crm.User{Login: string(r) + "1", Name: "Test " + string(r), Role: r}, password(r))
		if err != nil {
			t.Fatalf("create %s: %v", r, err)
		}
		e.users[r] = u
	}
	return e
}

// client is an HTTP client with its own cookie jar, and optionally a bearer token.
type client struct {
	e      *env
	hc     *http.Client
	csrf   string
	bearer string
	noCSRF bool   // do not send the CSRF header even when known
	base   string // another server's URL (a second replica); default e.ts
}

func (e *env) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login signs in a user of the role through the API.
func (e *env) login(role crm.Role) *client {
	e.t.Helper()
	c := e.anon()
	resp, body := c.do("POST", "/api/v1/auth/login", map[string]string{"login": e.users[role].Login, "password": password(role)})
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", role, resp.StatusCode, body)
	}
	var out struct {
		CSRFToken string `json:"csrf_token"`
	}
	mustJSON(e.t, body, &out)
	c.csrf = out.CSRFToken
	return c
}

// tokenClient has a bearer token of the role's user and no cookies.
func (e *env) tokenClient(role crm.Role) *client {
	e.t.Helper()
	plain, hash := auth.NewToken()
	if _, err := e.store.Users.CreateAPIToken(context.Background(), e.users[role].ID, "test", hash); err != nil {
		e.t.Fatal(err)
	}
	c := e.anon()
	c.bearer = plain
	return c
}

// do sends body (a string or []byte as is, anything else as JSON).
func (c *client) do(method, path string, body any) (*http.Response, []byte) {
	c.e.t.Helper()
	var r io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			c.e.t.Fatal(err)
		}
		r = bytes.NewReader(buf)
	}
	base := c.e.ts.URL
	if c.base != "" {
		base = c.base
	}
	req, err := http.NewRequest(method, base+path, r)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", ct)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.csrf != "" && !c.noCSRF {
		req.Header.Set(httpapi.CSRFHeader, c.csrf)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

func urlEscape(s string) string { return url.QueryEscape(s) }

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// problem is the problem+json body.
type problem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Message  string `json:"message"`
		Location string `json:"location"`
	} `json:"errors"`
}

func mustProblem(t *testing.T, resp *http.Response, body []byte, status int) problem {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want application/problem+json: %s", ct, body)
	}
	var p problem
	mustJSON(t, body, &p)
	return p
}

// newClient stores a client with one phone directly, for tests that need one.
func (e *env) newClient(name, phone string) crm.Client {
	e.t.Helper()
	c := crm.Client{Kind: crm.ClientPerson, Name: name, Priority: "B"}
	if phone != "" {
		c.Contacts = []crm.Contact{{Kind: crm.ContactPhone, Value: phone, Raw: phone}}
	}
	if err := e.store.Clients.CreateClient(context.Background(), &c); err != nil {
		e.t.Fatalf("create client: %v", err)
	}
	return c
}
