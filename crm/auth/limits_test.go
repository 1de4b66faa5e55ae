package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

// memFailures is an in-memory FailureCounter.
type memFailures struct{ at map[string][]time.Time }

var _ FailureCounter = (*memFailures)(nil)

func (m *memFailures) RecordLoginFailure(_ context.Context, keys []string, at, _ time.Time) error {
	for _, k := range keys {
		m.at[k] = append(m.at[k], at)
	}
	return nil
}

func (m *memFailures) LoginFailures(_ context.Context, keys []string, since time.Time) (map[string]int, error) {
	out := map[string]int{}
	for _, k := range keys {
		for _, t := range m.at[k] {
			if t.After(since) {
				out[k]++
			}
		}
	}
	return out, nil
}

func (m *memFailures) LoginFailureTimes(_ context.Context, key string, since time.Time) ([]time.Time, error) {
	var out []time.Time
	for _, t := range m.at[key] {
		if t.After(since) {
			out = append(out, t)
		}
	}
	return out, nil
}

func (m *memFailures) ClearLoginFailures(_ context.Context, key string) error {
	delete(m.at, key)
	return nil
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		fails []string // hosts olga failed from, a second apart, ending at now
		host  string   // the next attempt's address
		wait  int      // seconds RetryAfter says; 0: allowed
	}{
		{name: "below the limit", fails: []string{"10.0.0.7"}, host: "10.0.0.7"},
		{name: "login limit from one address", fails: []string{"10.0.0.7", "10.0.0.7"}, host: "10.0.0.7", wait: 59},
		{name: "another address is not blocked", fails: []string{"10.0.0.7", "10.0.0.7"}, host: "10.0.0.8"},
		{name: "IPv6 counts per /64", fails: []string{"2001:db8::1", "2001:db8::2"}, host: "2001:db8::3", wait: 59},
		{name: "IPv4-mapped is IPv4", fails: []string{"::ffff:10.0.0.7", "10.0.0.7"}, host: "10.0.0.7", wait: 59},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLimits(Limits{Failures: &memFailures{at: map[string][]time.Time{}}, PerLogin: 2, PerIP: 5, Window: time.Minute})
			for i, h := range tc.fails {
				at := now.Add(time.Duration(i-len(tc.fails)+1) * time.Second)
				if err := l.Failed(ctx, "olga", h, at); err != nil {
					t.Fatal(err)
				}
			}
			err := l.Check(ctx, "olga", tc.host, now)
			if got := RetryAfter(err); got != tc.wait || (tc.wait > 0) != errors.Is(err, ErrTooManyAttempts) {
				t.Errorf("Check = %v (retry after %d s), want retry after %d s", err, got, tc.wait)
			}
		})
	}
}

// TestLimitsSucceeded: a successful sign-in forgets the login's failures
// from the address but not the address's own count.
func TestLimitsSucceeded(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	l := NewLimits(Limits{Failures: &memFailures{at: map[string][]time.Time{}}, PerLogin: 2, PerIP: 3, Window: time.Minute})
	for _, login := range []string{"olga", "olga", "ivan"} {
		if err := l.Failed(ctx, login, "10.0.0.7", now); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Succeeded(ctx, "olga", "10.0.0.7"); err != nil {
		t.Fatal(err)
	}
	if err := l.Check(ctx, "petr", "10.0.0.7", now); !errors.Is(err, ErrTooManyAttempts) {
		t.Errorf("the address's three failures stay counted: Check = %v", err)
	}
	if d := NewLimits(Limits{}); d.PerLogin != 10 || d.PerIP != 50 || d.Window != 15*time.Minute {
		t.Errorf("defaults = %+v", d)
	}
}
