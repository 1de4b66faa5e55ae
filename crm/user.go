package crm

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a user may do. Every API route and socket names the roles it allows.
type Role string

// The roles.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Roles lists every role, lowest privilege first.
var Roles = []Role{RoleAgent, RoleSupervisor, RoleAdmin}

// Role sets that operations and pages allow.
var (
	// AnyRole is every signed-in user: agents, supervisors and admins.
	AnyRole = []Role{RoleAgent, RoleSupervisor, RoleAdmin}
	// SupervisorOrAdmin excludes agents.
	SupervisorOrAdmin = []Role{RoleSupervisor, RoleAdmin}
	// AdminOnly is for user management and settings.
	AdminOnly = []Role{RoleAdmin}
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleAgent || r == RoleSupervisor || r == RoleAdmin
}

// User is a person who logs in: an agent, a supervisor or an admin.
type User struct {
	ID        int64
	Login     string
	Name      string
	Role      Role
	Endpoints []string // telephony endpoints, e.g. "PJSIP/1001"
	Disabled  bool
	Language  string // "ru" or "en"; "" means the browser's or the centre's language
	CreatedAt time.Time
	// Email is where notifications are e-mailed; "" keeps them in the app.
	Email string
}

var (
	loginRe    = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)
	endpointRe = regexp.MustCompile(`^[A-Za-z0-9]+/[A-Za-z0-9._@+-]{1,80}$`)
)

// Validate checks the user's fields.
func (u *User) Validate() error {
	u.Login = strings.ToLower(strings.TrimSpace(u.Login))
	if !loginRe.MatchString(u.Login) {
		return Invalid("login", "must be 2-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit")
	}
	if !u.Role.Valid() {
		return Invalid("role", "must be one of agent, supervisor, admin")
	}
	if err := checkText("name", u.Name); err != nil {
		return err
	}
	u.Name = strings.TrimSpace(u.Name)
	if utf8.RuneCountInString(u.Name) > 200 {
		return Invalid("name", "must be at most 200 characters")
	}
	if err := validateLanguage(&u.Language); err != nil {
		return err
	}
	if err := validateEmail(&u.Email); err != nil {
		return err
	}
	for _, e := range u.Endpoints {
		if !endpointRe.MatchString(e) {
			return Invalid("endpoints", "%q is not a TECH/resource endpoint such as PJSIP/1001", e)
		}
	}
	return nil
}

// validateEmail tidies and checks a user's e-mail address: a bare address
// (name@example.ru), or empty.
func validateEmail(email *string) error {
	*email = strings.TrimSpace(*email)
	if *email == "" {
		return nil
	}
	a, err := mail.ParseAddress(*email)
	if err != nil || a.Address != *email || len(*email) > 254 {
		return Invalid("email", "must be an e-mail address such as name@example.ru")
	}
	return nil
}

// Languages lists the languages a user or client may choose; "" means the
// centre's default.
var Languages = []string{"ru", "en"}

// validateLanguage tidies and checks a chosen language.
func validateLanguage(lang *string) error {
	*lang = strings.ToLower(strings.TrimSpace(*lang))
	if *lang == "" {
		return nil
	}
	for _, l := range Languages {
		if *lang == l {
			return nil
		}
	}
	return Invalid("language", "must be ru, en or empty (the centre's language)")
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// ValidatePassword checks a new password.
func ValidatePassword(pw string) error {
	if len(pw) < MinPasswordLength {
		return Invalid("password", "must be at least %d characters", MinPasswordLength)
	}
	if len(pw) > 256 {
		return Invalid("password", "must be at most 256 characters")
	}
	return nil
}

// UserService keeps staff accounts and their API tokens
// (crm/postgres.UserService implements it).
type UserService interface {
	// CreateUser validates u, stores it with the password hash and sets
	// u.ID and u.CreatedAt; a taken login or endpoint is KindConflict.
	CreateUser(ctx context.Context, u *User, passwordHash string) error
	// GetUser returns the user with the given id.
	GetUser(ctx context.Context, id int64) (User, error)
	// GetUserByLogin returns the user with the login and its password hash.
	GetUserByLogin(ctx context.Context, login string) (User, string, error)
	// ListUsers returns every user ordered by login.
	ListUsers(ctx context.Context) ([]User, error)
	// UpdateUser saves u; the last enabled admin cannot be demoted or disabled.
	UpdateUser(ctx context.Context, u *User) error
	// SetPassword replaces the user's password hash.
	SetPassword(ctx context.Context, userID int64, hash string) error
	// FindUserByEndpoint returns the user a telephony endpoint belongs to.
	FindUserByEndpoint(ctx context.Context, endpoint string) (User, error)
	// ListAgentEndpoints maps every enabled user's endpoint to the login.
	ListAgentEndpoints(ctx context.Context) (map[string]string, error)

	// CreateAPIToken stores a bearer token's hash and returns its id.
	CreateAPIToken(ctx context.Context, userID int64, name string, tokenHash []byte) (int64, error)
	// UserByAPIToken returns the enabled user owning the token and records its use.
	UserByAPIToken(ctx context.Context, tokenHash []byte) (User, error)
	// ListAPITokens returns the user's tokens, newest first.
	ListAPITokens(ctx context.Context, userID int64) ([]APIToken, error)
	// DeleteAPIToken revokes one of the user's tokens.
	DeleteAPIToken(ctx context.Context, userID, tokenID int64) error
}
