package httpapi

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
)

// loginLimits caps failed logins per login and client address together,
// and (more loosely) per client address, over a sliding window. A login is
// never blocked as such, so that guessing from elsewhere cannot lock its
// owner out. The failures are counted in the store, so that every replica
// sharing the database enforces the same limits.
type loginLimits struct {
	failures crm.SessionService
	perLogin int // failures of one login from one address
	perIP    int // failures of any login from one address
	window   time.Duration
}

// pairKey counts failures of login from host; ipKey those of host. IPv6
// addresses count per /64, as one subscriber usually holds a whole /64.
func pairKey(login, host string) string { return "login:" + login + "@" + addressKey(host) }
func ipKey(host string) string          { return "ip:" + addressKey(host) }

func addressKey(host string) string {
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// keys are the counters a login attempt from host touches, each with its
// limit.
func (l loginLimits) keys(login, host string) ([]string, []int) {
	return []string{pairKey(login, host), ipKey(host)}, []int{l.perLogin, l.perIP}
}

// check returns nil when another attempt for login from host may be made
// at now, or an *auth.TooManyAttempts saying how long to wait.
func (l loginLimits) check(ctx context.Context, login, host string, now time.Time) error {
	keys, limits := l.keys(login, host)
	since := now.Add(-l.window)
	n, err := l.failures.LoginFailures(ctx, keys, since)
	if err != nil {
		return fmt.Errorf("login limits: %w", err)
	}
	var wait time.Duration
	for i, k := range keys {
		if n[k] < limits[i] {
			continue
		}
		times, err := l.failures.LoginFailureTimes(ctx, k, since)
		if err != nil {
			return fmt.Errorf("login limits: %w", err)
		}
		// The attempt is allowed again once all but limit-1 of the
		// failures have left the window.
		w := l.window
		if i := len(times) - limits[i]; i >= 0 && i < len(times) {
			w = times[i].Add(l.window).Sub(now)
		}
		wait = max(wait, w)
	}
	if wait > 0 {
		return &auth.TooManyAttempts{Wait: wait}
	}
	return nil
}

// failed records a failed attempt.
func (l loginLimits) failed(ctx context.Context, login, host string, now time.Time) error {
	keys, _ := l.keys(login, host)
	if err := l.failures.RecordLoginFailure(ctx, keys, now, now.Add(-l.window)); err != nil {
		return fmt.Errorf("login limits: %w", err)
	}
	return nil
}

// succeeded forgets the login's failures from host; the address's stay,
// so that signing in to one account does not reset guessing at others.
func (l loginLimits) succeeded(ctx context.Context, login, host string) error {
	if err := l.failures.ClearLoginFailures(ctx, pairKey(login, host)); err != nil {
		return fmt.Errorf("login limits: %w", err)
	}
	return nil
}
