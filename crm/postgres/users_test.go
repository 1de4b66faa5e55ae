package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// wantKind fails the test unless err carries kind (and names field, if given).
func wantKind(t *testing.T, err error, kind crm.ErrorKind, field string) {
	t.Helper()
	if !crm.IsKind(err, kind) {
		t.Fatalf("error = %v (kind %s), want kind %s", err, crm.KindOf(err), kind)
	}
	if field != "" {
		var e *crm.Error
		_ = asError(err, &e)
		if e.Field != field {
			t.Fatalf("error %v names field %q, want %q", err, e.Field, field)
		}
	}
}

func mustUser(t *testing.T, s *postgres.Services, login string, role crm.Role, endpoints ...string) crm.User {
	t.Helper()
	u := crm.User{Login: login, Name: "User " + login, Role: role, Endpoints: endpoints}
	if err := s.Users.CreateUser(context.Background(), &u, "$argon2id$dummy"); err != nil {
		t.Fatalf("create user %s: %v", login, err)
	}
	return u
}

func TestUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)

	a := mustUser(t, s, "Agent1", crm.RoleAgent, "PJSIP/1001", "PJSIP/1011")
	if a.ID == 0 || a.Login != "agent1" || a.CreatedAt.IsZero() {
		t.Fatalf("created user = %+v", a)
	}
	got, err := s.Users.GetUser(ctx, a.ID)
	if err != nil || got.Login != "agent1" || got.Role != crm.RoleAgent || len(got.Endpoints) != 2 {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}
	u, hash, err := s.Users.GetUserByLogin(ctx, " AGENT1 ")
	if err != nil || u.ID != a.ID || hash != "$argon2id$dummy" {
		t.Fatalf("GetUserByLogin = %+v %q %v", u, hash, err)
	}
	_, _, err = s.Users.GetUserByLogin(ctx, "nobody")
	wantKind(t, err, crm.KindNotFound, "")
	_, err = s.Users.GetUser(ctx, 999999)
	wantKind(t, err, crm.KindNotFound, "")

	// A taken login and a taken endpoint are conflicts naming the field.
	dup := crm.User{Login: "agent1", Role: crm.RoleAgent}
	wantKind(t, s.Users.CreateUser(ctx, &dup, "h"), crm.KindConflict, "login")
	b := crm.User{Login: "agent2", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1001"}}
	err = s.Users.CreateUser(ctx, &b, "h")
	wantKind(t, err, crm.KindConflict, "endpoints")
	if _, _, err := s.Users.GetUserByLogin(ctx, "agent2"); !crm.IsKind(err, crm.KindNotFound) {
		t.Fatalf("user with a conflicting endpoint was half-created: %v", err)
	}
	bad := crm.User{Login: "x y", Role: crm.RoleAgent}
	wantKind(t, s.Users.CreateUser(ctx, &bad, "h"), crm.KindInvalid, "login")
	bad = crm.User{Login: "boss", Role: "god"}
	wantKind(t, s.Users.CreateUser(ctx, &bad, "h"), crm.KindInvalid, "role")

	// Update replaces the endpoints; the freed endpoint can be reused.
	a.Name, a.Role, a.Endpoints = "Анна Смирнова", crm.RoleSupervisor, []string{"PJSIP/1011"}
	if err := s.Users.UpdateUser(ctx, &a); err != nil {
		t.Fatal(err)
	}
	b2 := mustUser(t, s, "agent2", crm.RoleAgent, "PJSIP/1001")
	if owner, err := s.Users.FindUserByEndpoint(ctx, "PJSIP/1001"); err != nil || owner.ID != b2.ID {
		t.Fatalf("FindUserByEndpoint(PJSIP/1001) = %+v, %v", owner, err)
	}
	if owner, err := s.Users.FindUserByEndpoint(ctx, "PJSIP/1011"); err != nil || owner.Name != "Анна Смирнова" || owner.Role != crm.RoleSupervisor {
		t.Fatalf("FindUserByEndpoint(PJSIP/1011) = %+v, %v", owner, err)
	}
	_, err = s.Users.FindUserByEndpoint(ctx, "PJSIP/9999")
	wantKind(t, err, crm.KindNotFound, "")
	ghost := crm.User{ID: 424242, Login: "ghost", Role: crm.RoleAgent}
	wantKind(t, s.Users.UpdateUser(ctx, &ghost), crm.KindNotFound, "")

	if err := s.Users.SetPassword(ctx, b2.ID, "$argon2id$new"); err != nil {
		t.Fatal(err)
	}
	if _, h, _ := s.Users.GetUserByLogin(ctx, "agent2"); h != "$argon2id$new" {
		t.Fatalf("hash after SetPassword = %q", h)
	}
	wantKind(t, s.Users.SetPassword(ctx, 424242, "x"), crm.KindNotFound, "")

	// The roster lists endpoints of enabled users only.
	b2.Disabled = true
	if err := s.Users.UpdateUser(ctx, &b2); err != nil {
		t.Fatal(err)
	}
	roster, err := s.Users.ListAgentEndpoints(ctx)
	if err != nil || len(roster) != 1 || roster["PJSIP/1011"] != "agent1" {
		t.Fatalf("ListAgentEndpoints = %v, %v", roster, err)
	}
	users, err := s.Users.ListUsers(ctx)
	if err != nil || len(users) != 2 || users[0].Login != "agent1" || !users[1].Disabled {
		t.Fatalf("ListUsers = %+v, %v", users, err)
	}
}

func testConcurrentCreateUserSameLogin(t *testing.T, s *postgres.Services) {
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			u := crm.User{Login: "racer", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/2000"}}
			errs[i] = s.Users.CreateUser(context.Background(), &u, "h")
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !crm.IsKind(err, crm.KindConflict):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d concurrent creates of one login succeeded, want 1", ok, len(errs))
	}
}

func TestSessionsAndTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	s := pgtest.NewStoreWith(t, postgres.Options{Now: func() time.Time { return now }})
	u := mustUser(t, s, "sup1", crm.RoleSupervisor)

	_, hash := auth.NewToken()
	sess := crm.Session{TokenHash: hash, UserID: u.ID, CSRF: "csrf-1", ExpiresAt: now.Add(time.Hour)}
	if err := s.Sessions.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	got, gu, err := s.Sessions.GetSession(ctx, hash)
	if err != nil || got.CSRF != "csrf-1" || gu.Login != "sup1" || !got.ExpiresAt.Equal(sess.ExpiresAt) {
		t.Fatalf("GetSession = %+v %+v %v", got, gu, err)
	}
	wantKind(t, s.Sessions.CreateSession(ctx, sess), crm.KindConflict, "")
	wantKind(t, s.Sessions.CreateSession(ctx, crm.Session{TokenHash: []byte("x"), UserID: 999, ExpiresAt: now}), crm.KindInvalid, "")

	now = now.Add(2 * time.Hour) // expired
	_, _, err = s.Sessions.GetSession(ctx, hash)
	wantKind(t, err, crm.KindNotFound, "")
	if n, err := s.Sessions.DeleteExpiredSessions(ctx); err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v", n, err)
	}

	_, hash2 := auth.NewToken()
	if err := s.Sessions.CreateSession(ctx, crm.Session{TokenHash: hash2, UserID: u.ID, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Sessions.DeleteSession(ctx, hash2); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Sessions.GetSession(ctx, hash2)
	wantKind(t, err, crm.KindNotFound, "")

	// API tokens: found by hash, use recorded, disabled users and unknown
	// tokens rejected, revocable.
	plain, th := auth.NewToken()
	id, err := s.Users.CreateAPIToken(ctx, u.ID, "crm-sync", th)
	if err != nil || id == 0 {
		t.Fatalf("CreateAPIToken = %d, %v", id, err)
	}
	if tu, err := s.Users.UserByAPIToken(ctx, auth.HashToken(plain)); err != nil || tu.ID != u.ID {
		t.Fatalf("UserByAPIToken = %+v, %v", tu, err)
	}
	toks, err := s.Users.ListAPITokens(ctx, u.ID)
	if err != nil || len(toks) != 1 || toks[0].LastUsedAt == nil || !toks[0].LastUsedAt.Equal(now) {
		t.Fatalf("ListAPITokens = %+v, %v", toks, err)
	}
	_, err = s.Users.UserByAPIToken(ctx, auth.HashToken("not-a-token"))
	wantKind(t, err, crm.KindNotFound, "")
	_, err = s.Users.CreateAPIToken(ctx, 999999, "x", []byte("h"))
	wantKind(t, err, crm.KindNotFound, "")

	u.Disabled = true
	if err := s.Users.UpdateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	_, err = s.Users.UserByAPIToken(ctx, th)
	wantKind(t, err, crm.KindNotFound, "")
	if err := s.Users.DeleteAPIToken(ctx, u.ID, id); err != nil {
		t.Fatal(err)
	}
	wantKind(t, s.Users.DeleteAPIToken(ctx, u.ID, id), crm.KindNotFound, "")
}

// TestLastAdminStays: the last enabled admin can be neither demoted nor
// disabled, and of two concurrent demotions of the last two admins only one
// passes.
func TestLastAdminStays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	a := mustUser(t, s, "admin-a", crm.RoleAdmin)
	b := mustUser(t, s, "admin-b", crm.RoleAdmin)
	off := mustUser(t, s, "admin-off", crm.RoleAdmin)
	off.Disabled = true
	if err := s.Users.UpdateUser(ctx, &off); err != nil {
		t.Fatalf("disable one of three admins: %v", err)
	}
	b.Role = crm.RoleSupervisor
	if err := s.Users.UpdateUser(ctx, &b); err != nil {
		t.Fatalf("demote one of two enabled admins: %v", err)
	}
	a.Role = crm.RoleAgent
	wantKind(t, s.Users.UpdateUser(ctx, &a), crm.KindConflict, "role")
	a.Role, a.Disabled = crm.RoleAdmin, true
	wantKind(t, s.Users.UpdateUser(ctx, &a), crm.KindConflict, "disabled")
	a.Disabled, a.Name = false, "Still admin"
	if err := s.Users.UpdateUser(ctx, &a); err != nil {
		t.Fatalf("rename the last admin: %v", err)
	}
	if got, _ := s.Users.GetUser(ctx, a.ID); got.Role != crm.RoleAdmin || got.Disabled {
		t.Fatalf("last admin after refused changes: %+v", got)
	}

	// Two admins again; both demoted at once: exactly one demotion passes.
	b.Role = crm.RoleAdmin
	if err := s.Users.UpdateUser(ctx, &b); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, u := range []crm.User{a, b} {
		wg.Go(func() {
			u.Role = crm.RoleSupervisor
			errs[i] = s.Users.UpdateUser(ctx, &u)
		})
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("concurrent demotions of the last two admins: %v, %v", errs[0], errs[1])
	}
	users, err := s.Users.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	admins := 0
	for _, u := range users {
		if u.Role == crm.RoleAdmin && !u.Disabled {
			admins++
		}
	}
	if admins != 1 {
		t.Fatalf("%d enabled admins after the race, want 1", admins)
	}
}
