package crm

import (
	"context"
	"time"
)

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

// SessionService keeps sign-in sessions and the failed sign-ins the login
// limits count (crm/postgres.SessionService implements it).
type SessionService interface {
	// CreateSession stores a session by its token's hash.
	CreateSession(ctx context.Context, s Session) error
	// GetSession returns an unexpired session and its enabled user.
	GetSession(ctx context.Context, tokenHash []byte) (Session, User, error)
	// TouchSession records that the session was used at at.
	TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error
	// DeleteSession ends one session.
	DeleteSession(ctx context.Context, tokenHash []byte) error
	// DeleteUserSessions signs a user out everywhere.
	DeleteUserSessions(ctx context.Context, userID int64) error
	// DeleteExpiredSessions removes expired sessions and says how many.
	DeleteExpiredSessions(ctx context.Context) (int64, error)

	// RecordLoginFailure counts a failed sign-in against each key.
	RecordLoginFailure(ctx context.Context, keys []string, at, forgetBefore time.Time) error
	// LoginFailures counts each key's failures since since.
	LoginFailures(ctx context.Context, keys []string, since time.Time) (map[string]int, error)
	// LoginFailureTimes lists when key's failures since since happened.
	LoginFailureTimes(ctx context.Context, key string, since time.Time) ([]time.Time, error)
	// ClearLoginFailures forgets a key's failures.
	ClearLoginFailures(ctx context.Context, key string) error
}
