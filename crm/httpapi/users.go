package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/auth"
)

// UserJSON is a user as the API shows it (never with a password hash).
type UserJSON struct {
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

func userJSON(u crm.User) UserJSON {
	eps := u.Endpoints
	if eps == nil {
		eps = []string{}
	}
	return UserJSON{ID: u.ID, Login: u.Login, Name: u.Name, Role: u.Role, Endpoints: eps, Disabled: u.Disabled, Language: u.Language, CreatedAt: u.CreatedAt, Email: u.Email}
}

type userOutput struct{ Body UserJSON }

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
		Users []UserJSON `json:"users"`
	}
}

// UserDeps are what RegisterUsers needs; Users and Sessions are required.
type UserDeps struct {
	Users    crm.UserService
	Sessions crm.SessionService // a disabled user or a new password signs out everywhere
	Logger   *slog.Logger
}

// userHandlers answer the user management operations.
type userHandlers struct{ UserDeps }

// RegisterUsers adds user management, for admins: list, create, change
// (name, role, endpoints, language, e-mail, disabled) and set a password.
func RegisterUsers(api *Server, deps UserDeps) {
	if deps.Logger == nil {
		deps.Logger = api.log
	}
	h := userHandlers{deps}
	tags := []string{"users"}
	Register(api.api, crm.AdminOnly, huma.Operation{OperationID: "list-users", Method: http.MethodGet,
		Path: "/api/v1/users", Tags: tags, Summary: "List users"}, h.list)
	Register(api.api, crm.AdminOnly, huma.Operation{OperationID: "create-user", Method: http.MethodPost,
		Path: "/api/v1/users", Tags: tags, Summary: "Create a user", DefaultStatus: http.StatusCreated}, h.create)
	Register(api.api, crm.AdminOnly, huma.Operation{OperationID: "update-user", Method: http.MethodPatch,
		Path: "/api/v1/users/{id}", Tags: tags, Summary: "Change a user's name, role, endpoints or disable them"}, h.update)
	Register(api.api, crm.AdminOnly, huma.Operation{OperationID: "set-user-password", Method: http.MethodPut,
		Path: "/api/v1/users/{id}/password", Tags: tags, Summary: "Set a user's password", DefaultStatus: http.StatusNoContent}, h.setPassword)
}

func (h userHandlers) problem(ctx context.Context, err error) error {
	return problemFor(ctx, h.Logger, err)
}

func (h userHandlers) list(ctx context.Context, _ *struct{}) (*usersOutput, error) {
	users, err := h.Users.ListUsers(ctx)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &usersOutput{}
	out.Body.Users = make([]UserJSON, 0, len(users))
	for _, u := range users {
		out.Body.Users = append(out.Body.Users, userJSON(u))
	}
	return out, nil
}

func (h userHandlers) create(ctx context.Context, in *createUserInput) (*userOutput, error) {
	u := crm.User{Login: in.Body.Login, Name: in.Body.Name, Role: in.Body.Role, Endpoints: in.Body.Endpoints, Language: in.Body.Language,
		Email: in.Body.Email}
	created, err := auth.CreateUser(ctx, h.Users, u, in.Body.Password)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &userOutput{Body: userJSON(created)}, nil
}

func (h userHandlers) update(ctx context.Context, in *updateUserInput) (*userOutput, error) {
	u, err := h.Users.GetUser(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	b := in.Body
	if b.Disabled != nil && *b.Disabled && PrincipalFrom(ctx).User.ID == u.ID {
		return nil, fieldError("body.disabled", "you cannot disable yourself", true)
	}
	applyUserUpdate(&u, in)
	if err := u.Validate(); err != nil {
		return nil, h.problem(ctx, err)
	}
	if err := h.Users.UpdateUser(ctx, &u); err != nil {
		return nil, h.problem(ctx, err)
	}
	if b.Disabled != nil && *b.Disabled {
		// Signed out for good: enabling them later revives no session.
		if err := h.Sessions.DeleteUserSessions(ctx, u.ID); err != nil {
			return nil, h.problem(ctx, err)
		}
	}
	return &userOutput{Body: userJSON(u)}, nil
}

// applyUserUpdate sets the fields the request names.
func applyUserUpdate(u *crm.User, in *updateUserInput) {
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
		u.Disabled = *b.Disabled
	}
}

func (h userHandlers) setPassword(ctx context.Context, in *setPasswordInput) (*struct{}, error) {
	if err := auth.SetUserPassword(ctx, h.Users, h.Sessions, in.ID, in.Body.Password); err != nil {
		return nil, h.problem(ctx, err)
	}
	return nil, nil
}
