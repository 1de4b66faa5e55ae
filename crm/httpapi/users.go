package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/auth"
)

// UserView is a user as the API shows it (never with a password hash).
type UserView struct {
	ID        int64     `json:"id"`
	Login     string    `json:"login"`
	Name      string    `json:"name"`
	Role      crm.Role  `json:"role" enum:"agent,supervisor,admin"`
	Endpoints []string  `json:"endpoints"`
	Disabled  bool      `json:"disabled"`
	Language  string    `json:"language" doc:"ru or en: the language the user reads pages in; empty: the browser's or the centre's"`
	CreatedAt time.Time `json:"created_at"`
	Email     string    `json:"email" doc:"where notifications are e-mailed; empty: in the app only"`
}

func userView(u crm.User) UserView {
	eps := u.Endpoints
	if eps == nil {
		eps = []string{}
	}
	return UserView{ID: u.ID, Login: u.Login, Name: u.Name, Role: u.Role, Endpoints: eps, Disabled: u.Disabled, Language: u.Language, CreatedAt: u.CreatedAt, Email: u.Email}
}

type userOutput struct{ Body UserView }

type createUserInput struct {
	Body struct {
		Login     string   `json:"login" maxLength:"64"`
		Name      string   `json:"name,omitempty" maxLength:"200"`
		Role      crm.Role `json:"role" enum:"agent,supervisor,admin"`
		Endpoints []string `json:"endpoints,omitempty" maxItems:"20"`
		Language  string   `json:"language,omitempty" maxLength:"8" doc:"ru, en or empty (the browser's or the centre's language)"`
		Password  string   `json:"password" minLength:"8" maxLength:"256"`
		Email     string   `json:"email,omitempty" maxLength:"254" doc:"where notifications are e-mailed; empty: in the app only"`
	}
}

type updateUserInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Name      *string   `json:"name,omitempty" maxLength:"200"`
		Role      *crm.Role `json:"role,omitempty" enum:"agent,supervisor,admin"`
		Endpoints *[]string `json:"endpoints,omitempty" maxItems:"20"`
		Disabled  *bool     `json:"disabled,omitempty"`
		Language  *string   `json:"language,omitempty" maxLength:"8" doc:"ru, en or empty (the browser's or the centre's language)"`
		Email     *string   `json:"email,omitempty" maxLength:"254" doc:"where notifications are e-mailed; empty: in the app only"`
	}
}

type setPasswordInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Password string `json:"password" minLength:"8" maxLength:"256"`
	}
}

type usersOutput struct {
	Body struct {
		Users []UserView `json:"users"`
	}
}

func (s *Server) registerUsers() {
	Register(s.api, AdminOnly, huma.Operation{
		OperationID: "list-users", Method: http.MethodGet, Path: "/api/v1/users", Tags: []string{"users"},
		Summary: "List users",
	}, s.listUsers)

	Register(s.api, AdminOnly, huma.Operation{
		OperationID: "create-user", Method: http.MethodPost, Path: "/api/v1/users", Tags: []string{"users"},
		Summary: "Create a user", DefaultStatus: http.StatusCreated,
	}, s.createUser)

	Register(s.api, AdminOnly, huma.Operation{
		OperationID: "update-user", Method: http.MethodPatch, Path: "/api/v1/users/{id}", Tags: []string{"users"},
		Summary: "Change a user's name, role, endpoints or disable them",
	}, s.updateUser)

	Register(s.api, AdminOnly, huma.Operation{
		OperationID: "set-user-password", Method: http.MethodPut, Path: "/api/v1/users/{id}/password", Tags: []string{"users"},
		Summary: "Set a user's password", DefaultStatus: http.StatusNoContent,
	}, s.setUserPassword)
}

// UserCreator is the part of the store CreateUser needs.
type UserCreator interface {
	CreateUser(ctx context.Context, u *crm.User, passwordHash string) error
}

// CreateUser validates u and the password, hashes the password and stores
// the user. The API and `hotline user add` share it.
func CreateUser(ctx context.Context, store UserCreator, u crm.User, password string) (crm.User, error) {
	if err := u.Validate(); err != nil {
		return crm.User{}, err
	}
	if err := crm.ValidatePassword(password); err != nil {
		return crm.User{}, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return crm.User{}, fmt.Errorf("hash password: %w", err)
	}
	if err := store.CreateUser(ctx, &u, hash); err != nil {
		return crm.User{}, err
	}
	return u, nil
}

func (s *Server) listUsers(ctx context.Context, _ *struct{}) (*usersOutput, error) {
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &usersOutput{}
	out.Body.Users = make([]UserView, 0, len(users))
	for _, u := range users {
		out.Body.Users = append(out.Body.Users, userView(u))
	}
	return out, nil
}

func (s *Server) createUser(ctx context.Context, in *createUserInput) (*userOutput, error) {
	u := crm.User{Login: in.Body.Login, Name: in.Body.Name, Role: in.Body.Role, Endpoints: in.Body.Endpoints, Language: in.Body.Language,
		Email: in.Body.Email}
	created, err := CreateUser(ctx, s.store, u, in.Body.Password)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &userOutput{Body: userView(created)}, nil
}

func (s *Server) updateUser(ctx context.Context, in *updateUserInput) (*userOutput, error) {
	u, err := s.store.GetUser(ctx, in.ID)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	b := in.Body
	if b.Name != nil {
		u.Name = *b.Name
	}
	if b.Role != nil {
		u.Role = *b.Role
	}
	if b.Endpoints != nil {
		u.Endpoints = *b.Endpoints
	}
	if b.Language != nil {
		u.Language = *b.Language
	}
	if b.Email != nil {
		u.Email = *b.Email
	}
	if b.Disabled != nil {
		if *b.Disabled && PrincipalFrom(ctx).User.ID == u.ID {
			return nil, fieldError("body.disabled", "you cannot disable yourself", true)
		}
		u.Disabled = *b.Disabled
	}
	if err := u.Validate(); err != nil {
		return nil, s.problem(ctx, err)
	}
	if err := s.store.UpdateUser(ctx, &u); err != nil {
		return nil, s.problem(ctx, err)
	}
	if b.Disabled != nil && *b.Disabled {
		// Signed out for good: enabling them later revives no session.
		if err := s.store.DeleteUserSessions(ctx, u.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
	}
	return &userOutput{Body: userView(u)}, nil
}

func (s *Server) setUserPassword(ctx context.Context, in *setPasswordInput) (*struct{}, error) {
	if err := SetUserPassword(ctx, s.store, in.ID, in.Body.Password); err != nil {
		return nil, s.problem(ctx, err)
	}
	return nil, nil
}

// PasswordSetter is the part of the store SetUserPassword needs.
type PasswordSetter interface {
	GetUser(ctx context.Context, id int64) (crm.User, error)
	SetPassword(ctx context.Context, userID int64, hash string) error
	DeleteUserSessions(ctx context.Context, userID int64) error
}

// SetUserPassword checks the password against the rules, stores its hash
// and signs the user out everywhere. The API and the admin pages share it.
func SetUserPassword(ctx context.Context, store PasswordSetter, userID int64, password string) error {
	if err := crm.ValidatePassword(password); err != nil {
		return err
	}
	if _, err := store.GetUser(ctx, userID); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	if err := store.SetPassword(ctx, userID, hash); err != nil {
		return err
	}
	// A new password signs the user out everywhere.
	if err := store.DeleteUserSessions(ctx, userID); err != nil {
		return fmt.Errorf("sign out after a new password: %w", err)
	}
	return nil
}
