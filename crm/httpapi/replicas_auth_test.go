package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// replica starts a second server on the same database through its own
// connection pool, with the env's clock and options, and returns its URL.
func (e *env) replica(o httpapi.Options) string {
	e.t.Helper()
	st := pgtest.Open(e.t, e.store.DB.Pool().Config().ConnString(), postgres.Options{})
	o.Now = e.clock.Now
	o.Users, o.Sessions, o.Ping = st.Users, st.Sessions, st.DB.Ping
	ts := httptest.NewServer(httpapi.New(o).Handler())
	e.t.Cleanup(ts.Close)
	return ts.URL
}

// on returns a copy of c that talks to the server at base.
func (c *client) on(base string) *client {
	cc := *c
	cc.base = base
	return &cc
}

// TestFailedLoginsCountAcrossReplicas: two servers share one database;
// failures on either count against the login and against the client
// address on both.
func TestFailedLoginsCountAcrossReplicas(t *testing.T) {
	t.Parallel()
	opts := func(o *httpapi.Options) { o.LoginAttempts, o.LoginAttemptsPerIP, o.LoginWindow = 3, 7, time.Minute }
	e := newEnv(t, opts)
	var o httpapi.Options
	opts(&o)
	b := e.replica(o)
	a := e.anon() // never signed in: its cookie jar stays empty
	login := func(c *client, who, pass string) int {
		t.Helper()
		resp, _ := c.do("POST", "/api/v1/auth/login", map[string]string{"login": who, "password": pass})
		return resp.StatusCode
	}
	// per login: 2 failures on A and 1 on B block agent1 on both
	for _, c := range []*client{a, a.on(b), a} {
		if st := login(c, "agent1", "wrong"); st != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", st)
		}
	}
	for _, c := range []*client{a, a.on(b)} {
		if st := login(c, "agent1", password(crm.RoleAgent)); st != http.StatusTooManyRequests {
			t.Errorf("agent1 after 3 failures over two replicas: %d, want 429", st)
		}
	}
	if st := login(e.anon().on(b), "admin1", password(crm.RoleAdmin)); st != http.StatusOK {
		t.Fatalf("another login from the address (3 failures of 7): %d", st)
	}
	// per address: 4 more failures with other logins, spread over both
	for i, who := range []string{"nobody1", "nobody2", "nobody3", "nobody4"} {
		c := a
		if i%2 == 1 {
			c = a.on(b)
		}
		if st := login(c, who, "whatever"); st != http.StatusUnauthorized {
			t.Fatalf("unknown login: %d", st)
		}
	}
	for _, c := range []*client{a, a.on(b)} {
		if st := login(c, "supervisor1", password(crm.RoleSupervisor)); st != http.StatusTooManyRequests {
			t.Errorf("the address after 7 failures over two replicas: %d, want 429", st)
		}
	}
	e.clock.Add(61 * time.Second)
	for _, c := range []*client{e.anon().on(b), e.anon()} {
		if st := login(c, "agent1", password(crm.RoleAgent)); st != http.StatusOK {
			t.Errorf("agent1 after the window: %d", st)
		}
	}
}

// TestSessionIdleAcrossReplicas: a session used only on replica B stays
// alive on replica A, and its idle expiry is seen by both; requests within
// a minute do not write the last-seen time again.
func TestSessionIdleAcrossReplicas(t *testing.T) {
	t.Parallel()
	idle := func(o *httpapi.Options) { o.SessionTTL, o.IdleTimeout = 12*time.Hour, time.Hour }
	e := newEnv(t, idle)
	var o httpapi.Options
	idle(&o)
	b := e.replica(o)
	onA := e.login(crm.RoleAgent)
	onB := onA.on(b)
	me := func(c *client) int {
		t.Helper()
		resp, _ := c.do("GET", "/api/v1/me", nil)
		return resp.StatusCode
	}
	lastSeen := func() time.Time {
		t.Helper()
		var at time.Time
		if err := e.store.DB.Pool().QueryRow(context.Background(), `SELECT max(last_seen_at) FROM sessions`).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	for range 2 { // used on B every 50 minutes
		e.clock.Add(50 * time.Minute)
		if st := me(onB); st != http.StatusOK {
			t.Fatalf("session on B: %d", st)
		}
	}
	written := lastSeen()
	e.clock.Add(30 * time.Second)
	for _, c := range []*client{onA, onB, onA} {
		if st := me(c); st != http.StatusOK {
			t.Fatalf("session 100 min after login, 50 after its last use on B: %d", st)
		}
	}
	if got := lastSeen(); !got.Equal(written) {
		t.Errorf("last-seen written again within a minute: %v, then %v", written, got)
	}
	e.clock.Add(61 * time.Minute)
	if st := me(onB); st != http.StatusUnauthorized {
		t.Errorf("idle session on B: %d, want 401", st)
	}
	if st := me(onA); st != http.StatusUnauthorized {
		t.Errorf("idle session on A: %d, want 401", st)
	}
}
