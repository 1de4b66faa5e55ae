package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
)

// CreateSession stores a session (by its token's hash).
func (s *SessionService) CreateSession(ctx context.Context, sess crm.Session) error {
	if len(sess.TokenHash) == 0 || sess.UserID <= 0 || sess.ExpiresAt.IsZero() {
		return crm.Errorf(crm.KindInvalid, "session needs a token hash, a user and an expiry")
	}
	if sess.CreatedAt.IsZero() {
		sess.CreatedAt = s.db.now()
	}
	if sess.LastSeenAt.IsZero() {
		sess.LastSeenAt = sess.CreatedAt
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, expires_at, created_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, sess.TokenHash, sess.UserID, sess.CSRF, sess.ExpiresAt, sess.CreatedAt, sess.LastSeenAt)
	return translate(err, "create session")
}

// TouchSession records that the session was used at at. It never moves
// the time back (replicas may race); a missing session is not an error.
func (s *SessionService) TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	_, err := s.db.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $2`, tokenHash, at)
	return translate(err, "touch session")
}

// GetSession returns an unexpired session and its user. A missing or expired
// session, or one whose user is disabled, is KindNotFound.
func (s *SessionService) GetSession(ctx context.Context, tokenHash []byte) (crm.Session, crm.User, error) {
	var sess crm.Session
	u, err := scanUser(s.db.pool.QueryRow(ctx, `SELECT `+userColumns+`, s.token_hash, s.user_id, s.csrf, s.expires_at, s.created_at, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`, tokenHash, s.db.now()),
		&sess.TokenHash, &sess.UserID, &sess.CSRF, &sess.ExpiresAt, &sess.CreatedAt, &sess.LastSeenAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return sess, u, crm.Errorf(crm.KindNotFound, "session not found or expired")
	}
	return sess, u, translate(err, "get session")
}

// DeleteSession removes a session (logging out). Deleting a missing session
// is not an error.
func (s *SessionService) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := s.db.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return translate(err, "delete session")
}

// DeleteUserSessions logs a user out everywhere (after a password change or
// when the user is disabled).
func (s *SessionService) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := s.db.pool.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return translate(err, "delete user sessions")
}

// DeleteExpiredSessions removes sessions past their expiry and returns how
// many went.
func (s *SessionService) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, s.db.now())
	if err != nil {
		return 0, translate(err, "delete expired sessions")
	}
	return tag.RowsAffected(), nil
}

// CreateAPIToken stores a bearer token's hash for the user and returns the
// token's id.
func (s *UserService) CreateAPIToken(ctx context.Context, userID int64, name string, tokenHash []byte) (int64, error) {
	if len(tokenHash) == 0 {
		return 0, crm.Invalid("token", "hash is required")
	}
	if name == "" || len(name) > 100 {
		return 0, crm.Invalid("name", "must be 1-100 characters")
	}
	var id int64
	err := s.db.pool.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, userID, name, tokenHash, s.db.now()).Scan(&id)
	var ce *crm.Error
	if err = translate(err, "create api token"); errors.As(err, &ce) && ce.Field == "user_id" {
		return 0, notFound("user", userID)
	}
	return id, err
}

// UserByAPIToken returns the enabled user owning the token with this hash and
// records the token's use. An unknown token is KindNotFound.
func (s *UserService) UserByAPIToken(ctx context.Context, tokenHash []byte) (crm.User, error) {
	u, err := scanUser(s.db.pool.QueryRow(ctx, `WITH t AS (
			UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 RETURNING user_id)
		SELECT `+userColumns+` FROM t JOIN users u ON u.id = t.user_id WHERE NOT u.disabled`, tokenHash, s.db.now()))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, crm.Errorf(crm.KindNotFound, "api token not found")
	}
	return u, translate(err, "user by api token")
}

// ListAPITokens returns the user's tokens (without secrets), newest first.
func (s *UserService) ListAPITokens(ctx context.Context, userID int64) ([]crm.APIToken, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT id, user_id, name, created_at, last_used_at
		FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, translate(err, "list api tokens")
	}
	toks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (crm.APIToken, error) {
		var t crm.APIToken
		err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &t.LastUsedAt)
		return t, err
	})
	return toks, translate(err, "list api tokens")
}

// DeleteAPIToken revokes one of the user's tokens.
func (s *UserService) DeleteAPIToken(ctx context.Context, userID, tokenID int64) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, tokenID, userID)
	return rowsOrNotFound(tag, err, "api token", tokenID)
}
