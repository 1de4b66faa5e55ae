package postgres_test

import (
	"context"
	"testing"
	"time"

	"hotline/crm/postgres/pgtest"
)

// LoginFailureTimes lists a key's failures in the window, oldest first.
func TestLoginFailureTimes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for _, m := range []int{2, 0, 1} {
		if err := s.Sessions.RecordLoginFailure(ctx, []string{"login:olga@10.0.0.7", "ip:10.0.0.7"}, t0.Add(time.Duration(m)*time.Minute), t0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Sessions.LoginFailureTimes(ctx, "login:olga@10.0.0.7", t0.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Equal(t0.Add(time.Minute)) || !got[1].Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("times %v", got)
	}
	if got, _ := s.Sessions.LoginFailureTimes(ctx, "login:nobody@10.0.0.7", t0.Add(-time.Hour)); len(got) != 0 {
		t.Fatalf("unknown key: %v", got)
	}
}
