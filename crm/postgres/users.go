package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hotline/crm"
	"hotline/crm/service"
)

// userColumns selects a user with its endpoints; scanUser reads them.
const userColumns = `u.id, u.login, u.name, u.role, u.disabled, u.language, u.created_at, u.email,
	ARRAY(SELECT e.endpoint FROM user_endpoints e WHERE e.user_id = u.id ORDER BY e.endpoint)`

func scanUser(row pgx.Row, extra ...any) (crm.User, error) {
	var u crm.User
	dest := append([]any{&u.ID, &u.Login, &u.Name, &u.Role, &u.Disabled, &u.Language, &u.CreatedAt, &u.Email, &u.Endpoints}, extra...)
	err := row.Scan(dest...)
	return u, err
}

// CreateUser validates u, stores it with its endpoints and password hash,
// and sets u.ID and u.CreatedAt. A taken login or endpoint is KindConflict.
func (s *UserService) CreateUser(ctx context.Context, u *crm.User, passwordHash string) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if passwordHash == "" {
		return crm.Invalid("password", "is required")
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO users (login, name, role, disabled, language, password_hash, email)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, created_at`,
			u.Login, u.Name, u.Role, u.Disabled, u.Language, passwordHash, u.Email).Scan(&u.ID, &u.CreatedAt)
		if err != nil {
			return translate(err, "create user")
		}
		return setEndpoints(ctx, tx, u.ID, u.Endpoints)
	})
}

// setEndpoints replaces the user's endpoints; an endpoint owned by another
// user is a KindConflict naming it.
func setEndpoints(ctx context.Context, tx pgx.Tx, userID int64, endpoints []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM user_endpoints WHERE user_id = $1`, userID); err != nil {
		return translate(err, "replace endpoints")
	}
	for _, e := range endpoints {
		_, err := tx.Exec(ctx, `INSERT INTO user_endpoints (endpoint, user_id) VALUES ($1, $2)
			ON CONFLICT (endpoint) DO NOTHING`, e, userID)
		if err != nil {
			return translate(err, "add endpoint")
		}
		var owner string
		err = tx.QueryRow(ctx, `SELECT u.login FROM user_endpoints e JOIN users u ON u.id = e.user_id
			WHERE e.endpoint = $1 AND e.user_id <> $2`, e, userID).Scan(&owner)
		if err == nil {
			return &crm.Error{Kind: crm.KindConflict, Field: "endpoints",
				Message: fmt.Sprintf("endpoint %s already belongs to user %s", e, owner)}
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return translate(err, "check endpoint")
		}
	}
	return nil
}

// GetUser returns the user with the given id.
func (s *UserService) GetUser(ctx context.Context, id int64) (crm.User, error) {
	return s.db.userByID(ctx, id)
}

// GetUserByLogin returns the user with the login (case-insensitive) and its
// password hash, for logging in.
func (s *UserService) GetUserByLogin(ctx context.Context, login string) (crm.User, string, error) {
	return s.db.userByLogin(ctx, login)
}

// userByID is GetUser for the features that name a user (deal owners).
func (s *DB) userByID(ctx context.Context, id int64) (crm.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, notFound("user", id)
	}
	return u, translate(err, "get user")
}

// userByLogin is GetUserByLogin for the features that name an agent by
// login (the call log).
func (s *DB) userByLogin(ctx context.Context, login string) (crm.User, string, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	var hash string
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+`, u.password_hash
		FROM users u WHERE u.login = $1`, login), &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, "", notFound("user", login)
	}
	return u, hash, translate(err, "get user by login")
}

// ListUsers returns every user ordered by login.
func (s *UserService) ListUsers(ctx context.Context) ([]crm.User, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.login`)
	if err != nil {
		return nil, translate(err, "list users")
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (crm.User, error) { return scanUser(r) })
	return users, translate(err, "list users")
}

// UpdateUser saves u's login, name, role, disabled flag and endpoints (the
// endpoint list replaces the stored one). The password is changed with
// SetPassword. Demoting or disabling the last enabled admin is a
// KindConflict: nobody could manage users any more.
func (s *UserService) UpdateUser(ctx context.Context, u *crm.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if u.Role != crm.RoleAdmin || u.Disabled {
			if err := keepAnAdmin(ctx, tx, u); err != nil {
				return err
			}
		}
		err := tx.QueryRow(ctx, `UPDATE users SET login = $2, name = $3, role = $4, disabled = $5, language = $6, email = $7, updated_at = now()
			WHERE id = $1 RETURNING created_at`, u.ID, u.Login, u.Name, u.Role, u.Disabled, u.Language, u.Email).Scan(&u.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("user", u.ID)
		}
		if err != nil {
			return translate(err, "update user")
		}
		return setEndpoints(ctx, tx, u.ID, u.Endpoints)
	})
}

// keepAnAdmin refuses to take u, when it is the only enabled admin, out of
// the admins. It locks the enabled admins' rows, so two transactions each
// demoting one of the last two admins cannot both pass.
func keepAnAdmin(ctx context.Context, tx pgx.Tx, u *crm.User) error {
	rows, err := tx.Query(ctx, `SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE`)
	if err != nil {
		return translate(err, "lock admins")
	}
	admins, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return translate(err, "lock admins")
	}
	if len(admins) == 1 && admins[0] == u.ID {
		field := "role"
		if u.Disabled {
			field = "disabled"
		}
		return &crm.Error{Kind: crm.KindConflict, Field: field,
			Message: "this is the last enabled admin: make another user an admin first"}
	}
	return nil
}

// SetPassword replaces the user's password hash.
func (s *UserService) SetPassword(ctx context.Context, userID int64, hash string) error {
	if hash == "" {
		return crm.Invalid("password", "is required")
	}
	tag, err := s.db.pool.Exec(ctx, `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, userID, hash)
	return rowsOrNotFound(tag, err, "user", userID)
}

// FindUserByEndpoint returns the user a telephony endpoint (PJSIP/1001)
// belongs to.
func (s *UserService) FindUserByEndpoint(ctx context.Context, endpoint string) (crm.User, error) {
	u, err := scanUser(s.db.pool.QueryRow(ctx, `SELECT `+userColumns+`
		FROM user_endpoints e JOIN users u ON u.id = e.user_id WHERE e.endpoint = $1`, endpoint))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, notFound("endpoint", endpoint)
	}
	return u, translate(err, "find user by endpoint")
}

// ListAgentEndpoints maps every endpoint of an enabled user to that user's
// login, for the call tracker's roster.
func (s *UserService) ListAgentEndpoints(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT e.endpoint, u.login
		FROM user_endpoints e JOIN users u ON u.id = e.user_id WHERE NOT u.disabled`)
	if err != nil {
		return nil, translate(err, "list agent endpoints")
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var endpoint, login string
		if err := rows.Scan(&endpoint, &login); err != nil {
			return nil, translate(err, "list agent endpoints")
		}
		out[endpoint] = login
	}
	return out, translate(rows.Err(), "list agent endpoints")
}

// rowsOrNotFound turns an Exec result that touched no row into KindNotFound.
func rowsOrNotFound(tag pgconn.CommandTag, err error, what string, id any) error {
	if err != nil {
		return translate(err, "update "+what)
	}
	if tag.RowsAffected() == 0 {
		return notFound(what, id)
	}
	return nil
}

var (
	_ crm.UserService     = (*UserService)(nil)
	_ crm.SessionService  = (*SessionService)(nil)
	_ service.TeamService = (*TeamService)(nil)
)
