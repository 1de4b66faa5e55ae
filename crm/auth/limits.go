package auth

import (
	"context"
	"fmt"
	"net/netip"
	"time"
)

// FailureCounter keeps failed sign-ins by key (crm.SessionService has it,
// in the database, so that every replica enforces the same limits).
type FailureCounter interface {
	RecordLoginFailure(ctx context.Context, keys []string, at, forgetBefore time.Time) error
	LoginFailures(ctx context.Context, keys []string, since time.Time) (map[string]int, error)
	LoginFailureTimes(ctx context.Context, key string, since time.Time) ([]time.Time, error)
	ClearLoginFailures(ctx context.Context, key string) error
}

// Limits cap failed sign-ins per login and client address together, and
// (more loosely) per client address, over a sliding window. A login is
// never blocked as such, so that guessing from elsewhere cannot lock its
// owner out.
type Limits struct {
	Failures FailureCounter
	PerLogin int           // failures of one login from one address; default 10
	PerIP    int           // failures of any login from one address; default 5×PerLogin
	Window   time.Duration // default 15 minutes
}

// NewLimits returns l with its zero values set to the defaults.
func NewLimits(l Limits) Limits {
	if l.PerLogin <= 0 {
		l.PerLogin = 10
	}
	if l.PerIP <= 0 {
		l.PerIP = 5 * l.PerLogin
	}
	if l.Window <= 0 {
		l.Window = 15 * time.Minute
	}
	return l
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

// keys are the counters a sign-in from host touches, each with its limit.
func (l Limits) keys(login, host string) ([]string, []int) {
	return []string{pairKey(login, host), ipKey(host)}, []int{l.PerLogin, l.PerIP}
}

// Check returns nil when another attempt for login from host may be made
// at now, or a *TooManyAttempts saying how long to wait.
func (l Limits) Check(ctx context.Context, login, host string, now time.Time) error {
	keys, limits := l.keys(login, host)
	since := now.Add(-l.Window)
	n, err := l.Failures.LoginFailures(ctx, keys, since)
	if err != nil {
		return fmt.Errorf("login limits: %w", err)
	}
	var wait time.Duration
	for i, k := range keys {
		if n[k] < limits[i] {
			continue
		}
		times, err := l.Failures.LoginFailureTimes(ctx, k, since)
		if err != nil {
			return fmt.Errorf("login limits: %w", err)
		}
		// The attempt is allowed again once all but limit-1 of the
		// failures have left the window.
		w := l.Window
		if i := len(times) - limits[i]; i >= 0 && i < len(times) {
			w = times[i].Add(l.Window).Sub(now)
		}
		wait = max(wait, w)
	}
	if wait > 0 {
		return &TooManyAttempts{Wait: wait}
	}
	return nil
}

// Failed records a failed attempt.
func (l Limits) Failed(ctx context.Context, login, host string, now time.Time) error {
	keys, _ := l.keys(login, host)
	if err := l.Failures.RecordLoginFailure(ctx, keys, now, now.Add(-l.Window)); err != nil {
		return fmt.Errorf("login limits: %w", err)
	}
	return nil
}

// Succeeded forgets the login's failures from host; the address's stay,
// so that signing in to one account does not reset guessing at others.
func (l Limits) Succeeded(ctx context.Context, login, host string) error {
	if err := l.Failures.ClearLoginFailures(ctx, pairKey(login, host)); err != nil {
		return fmt.Errorf("login limits: %w", err)
	}
	return nil
}
