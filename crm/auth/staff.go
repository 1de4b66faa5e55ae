package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hotline/crm"
)

// UserCreator stores a new user (crm.UserService has it).
type UserCreator interface {
	CreateUser(ctx context.Context, u *crm.User, passwordHash string) error
}

// CreateUser validates u and the password, hashes the password and stores
// the user. The API, the admin pages and `hotline user add` share it.
func CreateUser(ctx context.Context, users UserCreator, u crm.User, password string) (crm.User, error) {
	if err := u.Validate(); err != nil {
		return crm.User{}, err
	}
	if err := crm.ValidatePassword(password); err != nil {
		return crm.User{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return crm.User{}, fmt.Errorf("hash password: %w", err)
	}
	if err := users.CreateUser(ctx, &u, hash); err != nil {
		return crm.User{}, err
	}
	return u, nil
}

// PasswordStore finds a user and replaces their password hash
// (crm.UserService has it).
type PasswordStore interface {
	GetUser(ctx context.Context, id int64) (crm.User, error)
	SetPassword(ctx context.Context, userID int64, hash string) error
}

// SessionEnder signs a user out everywhere (crm.SessionService has it).
type SessionEnder interface {
	DeleteUserSessions(ctx context.Context, userID int64) error
}

// SetUserPassword checks the password against the rules, stores its hash
// and signs the user out everywhere. The API and the admin pages share it.
func SetUserPassword(ctx context.Context, users PasswordStore, sessions SessionEnder, userID int64, password string) error {
	if err := crm.ValidatePassword(password); err != nil {
		return err
	}
	if _, err := users.GetUser(ctx, userID); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	if err := users.SetPassword(ctx, userID, hash); err != nil {
		return err
	}
	// A new password signs the user out everywhere.
	if err := sessions.DeleteUserSessions(ctx, userID); err != nil {
		return fmt.Errorf("sign out after a new password: %w", err)
	}
	return nil
}

// ErrTooManyAttempts is returned (wrapped in a *TooManyAttempts; see
// RetryAfter) by a sign-in when the login from the client's address, or
// the address, has failed too often recently.
var ErrTooManyAttempts = errors.New("too many failed logins, try again later")

// TooManyAttempts is ErrTooManyAttempts with the time until the next
// attempt may be made.
type TooManyAttempts struct{ Wait time.Duration }

func (e *TooManyAttempts) Error() string { return ErrTooManyAttempts.Error() }

// Unwrap makes errors.Is(err, ErrTooManyAttempts) hold.
func (e *TooManyAttempts) Unwrap() error { return ErrTooManyAttempts }

// RetryAfter is how long a client refused with ErrTooManyAttempts should
// wait, in whole seconds (at least 1); 0 for any other error.
func RetryAfter(err error) int {
	var t *TooManyAttempts
	if !errors.As(err, &t) {
		return 0
	}
	return max(1, int((t.Wait+time.Second-1)/time.Second))
}
