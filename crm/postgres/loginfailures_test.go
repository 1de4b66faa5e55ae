package postgres_test

import (
	"context"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/postgres/pgtest"
)

// Failed logins are counted per key over a window, old ones are pruned,
// and a key can be cleared without touching the others.
func TestLoginFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	keys := []string{"login:olga", "ip:10.0.0.7"}
	for i := range 3 {
		if err := s.Sessions.RecordLoginFailure(ctx, keys, t0.Add(time.Duration(i)*time.Minute), t0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Sessions.RecordLoginFailure(ctx, []string{"login:ivan", "ip:10.0.0.7"}, t0.Add(3*time.Minute), t0.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	n, err := s.Sessions.LoginFailures(ctx, []string{"login:olga", "ip:10.0.0.7", "login:nobody"}, t0.Add(30*time.Second))
	if err != nil || n["login:olga"] != 2 || n["ip:10.0.0.7"] != 3 || len(n) != 2 {
		t.Fatalf("failures since t0+30s = %v, %v; want olga 2, the address 3", n, err)
	}
	if err := s.Sessions.ClearLoginFailures(ctx, "login:olga"); err != nil {
		t.Fatal(err)
	}
	n, _ = s.Sessions.LoginFailures(ctx, keys, t0.Add(-time.Minute))
	if n["login:olga"] != 0 || n["ip:10.0.0.7"] != 4 {
		t.Errorf("after clearing olga: %v", n)
	}
	// a new failure prunes those older than its window
	if err := s.Sessions.RecordLoginFailure(ctx, []string{"login:ivan"}, t0.Add(time.Hour), t0.Add(59*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := s.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM login_failures`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("%d rows after pruning (%v), want 1", rows, err)
	}
}

// TouchSession moves a session's last use forward, never back.
func TestTouchSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	u := mustUser(t, s, "agent7", crm.RoleAgent)
	now := time.Now().UTC().Truncate(time.Millisecond)
	_, hash := auth.NewToken()
	if err := s.Sessions.CreateSession(ctx, crm.Session{TokenHash: hash, UserID: u.ID, ExpiresAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	seen := func() time.Time {
		t.Helper()
		sess, _, err := s.Sessions.GetSession(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		return sess.LastSeenAt
	}
	if got := seen(); !got.Equal(now) {
		t.Fatalf("a new session was last seen %v, want its creation %v", got, now)
	}
	for _, at := range []time.Time{now.Add(5 * time.Minute), now.Add(2 * time.Minute)} {
		if err := s.Sessions.TouchSession(ctx, hash, at); err != nil {
			t.Fatal(err)
		}
	}
	if got := seen(); !got.Equal(now.Add(5 * time.Minute)) {
		t.Errorf("last seen %v, want the later touch %v", got, now.Add(5*time.Minute))
	}
	if err := s.Sessions.TouchSession(ctx, []byte("gone"), now); err != nil {
		t.Errorf("touching a missing session: %v", err)
	}
}
