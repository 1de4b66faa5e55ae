package httpapi

import (
	"context"
	"time"

	"hotline/crm"
)

// Store is what the API needs from the CRM store (crm/postgres satisfies it).
type Store interface {
	Ping(ctx context.Context) error

	CreateUser(ctx context.Context, u *crm.User, passwordHash string) error
	GetUser(ctx context.Context, id int64) (crm.User, error)
	GetUserByLogin(ctx context.Context, login string) (crm.User, string, error)
	ListUsers(ctx context.Context) ([]crm.User, error)
	UpdateUser(ctx context.Context, u *crm.User) error
	SetPassword(ctx context.Context, userID int64, hash string) error

	CreateSession(ctx context.Context, s crm.Session) error
	GetSession(ctx context.Context, tokenHash []byte) (crm.Session, crm.User, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error
	DeleteUserSessions(ctx context.Context, userID int64) error
	TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error
	RecordLoginFailure(ctx context.Context, keys []string, at, forgetBefore time.Time) error
	LoginFailures(ctx context.Context, keys []string, since time.Time) (map[string]int, error)
	LoginFailureTimes(ctx context.Context, key string, since time.Time) ([]time.Time, error)
	VisibleTickets(ctx context.Context, login string, ids []int64) (map[int64]bool, error)
	ClearLoginFailures(ctx context.Context, key string) error
	CreateAPIToken(ctx context.Context, userID int64, name string, tokenHash []byte) (int64, error)
	UserByAPIToken(ctx context.Context, tokenHash []byte) (crm.User, error)

	// GetClient is click-to-call's: the client's first number.
	GetClient(ctx context.Context, id int64) (crm.Client, error)
}
