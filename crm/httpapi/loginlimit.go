package httpapi

import (
	"context"
	"fmt"
	"time"
)

// loginLimits caps failed logins per login and per client address over a
// sliding window. The failures are counted in the store, so that every
// replica sharing the database enforces the same limits.
type loginLimits struct {
	store    Store
	perLogin int
	perIP    int
	window   time.Duration
}

func loginKey(login string) string { return "login:" + login }
func ipKey(host string) string     { return "ip:" + host }

// keys are the counters a login attempt from host touches.
func (l loginLimits) keys(login, host string) []string {
	keys := []string{loginKey(login)}
	if host != "" {
		keys = append(keys, ipKey(host))
	}
	return keys
}

// allowed reports whether another attempt for login from host may be made
// at now.
func (l loginLimits) allowed(ctx context.Context, login, host string, now time.Time) (bool, error) {
	n, err := l.store.LoginFailures(ctx, l.keys(login, host), now.Add(-l.window))
	if err != nil {
		return false, fmt.Errorf("login limits: %w", err)
	}
	return n[loginKey(login)] < l.perLogin && (host == "" || n[ipKey(host)] < l.perIP), nil
}

// failed records a failed attempt.
func (l loginLimits) failed(ctx context.Context, login, host string, now time.Time) error {
	if err := l.store.RecordLoginFailure(ctx, l.keys(login, host), now, now.Add(-l.window)); err != nil {
		return fmt.Errorf("login limits: %w", err)
	}
	return nil
}

// succeeded forgets the login's failures; the address's stay, so that
// signing in to one account does not reset guessing at others.
func (l loginLimits) succeeded(ctx context.Context, login string) error {
	if err := l.store.ClearLoginFailures(ctx, loginKey(login)); err != nil {
		return fmt.Errorf("login limits: %w", err)
	}
	return nil
}
