package crm

import "time"

// Session is a logged-in browser session. Only the SHA-256 hash of the
// cookie's token is stored; CSRF is the token forms must echo.
type Session struct {
	TokenHash []byte
	UserID    int64
	CSRF      string
	ExpiresAt time.Time
	CreatedAt time.Time
	// LastSeenAt is the session's last use, kept to the minute (replicas
	// write it at most once a minute), for the idle timeout.
	LastSeenAt time.Time
}

// APIToken is a bearer token for scripts and integrations. The token itself
// is shown once at creation; only its hash is stored.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}
