package httpapi

import (
	"sync"
	"time"
)

// loginLimiter counts failed logins per key (login + client IP) in a fixed
// window. It is in memory: each replica limits on its own.
type loginLimiter struct {
	mu      sync.Mutex
	max     int
	window  time.Duration
	entries map[string]*limitEntry
	lastGC  time.Time
}

type limitEntry struct {
	start    time.Time
	failures int
}

func newLoginLimiter(max int, window time.Duration) *loginLimiter {
	return &loginLimiter{max: max, window: window, entries: map[string]*limitEntry{}}
}

// Allowed reports whether another attempt for key may be made at now, and
// when not, how long until it may.
func (l *loginLimiter) Allowed(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gc(now)
	e := l.entries[key]
	if e == nil || now.Sub(e.start) >= l.window || e.failures < l.max {
		return true, 0
	}
	return false, l.window - now.Sub(e.start)
}

// Fail records a failed attempt.
func (l *loginLimiter) Fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[key]
	if e == nil || now.Sub(e.start) >= l.window {
		e = &limitEntry{start: now}
		l.entries[key] = e
	}
	e.failures++
}

// Reset forgets key after a successful login.
func (l *loginLimiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, key)
}

// gc drops expired entries at most once a window so the map stays bounded.
func (l *loginLimiter) gc(now time.Time) {
	if now.Sub(l.lastGC) < l.window {
		return
	}
	l.lastGC = now
	for k, e := range l.entries {
		if now.Sub(e.start) >= l.window {
			delete(l.entries, k)
		}
	}
}
