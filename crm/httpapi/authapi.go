package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/auth"
)

// LoginInput is the body of POST /api/v1/auth/login.
type LoginInput struct {
	Body struct {
		Login    string `json:"login" minLength:"1" maxLength:"64"`
		Password string `json:"password" minLength:"1" maxLength:"256"`
	}
	remoteAddr string
}

// Resolve remembers the client address for login rate limiting.
func (in *LoginInput) Resolve(ctx huma.Context) []error {
	in.remoteAddr = ctx.RemoteAddr()
	return nil
}

// LoginOutput sets the session cookie and returns the user and CSRF token.
type LoginOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      struct {
		User      UserJSON `json:"user"`
		CSRFToken string   `json:"csrf_token" doc:"send as X-CSRF-Token with unsafe cookie-authenticated requests"`
	}
}

// LogoutInput carries the session cookie to end.
type LogoutInput struct {
	Session string `cookie:"hotline_session" doc:"session cookie"`
}

// LogoutOutput clears the session cookie.
type LogoutOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
}

// MeOutput is the signed-in user.
type MeOutput struct {
	Body struct {
		User      UserJSON `json:"user"`
		Auth      string   `json:"auth" enum:"session,token"`
		CSRFToken string   `json:"csrf_token,omitempty"`
	}
}

// authHandlers answer signing in and out and "who am I".
type authHandlers struct {
	auth *Auth
	log  *slog.Logger
}

// registerAuth adds signing in and out, which every server has: its own
// middleware authenticates requests against the same sessions.
func registerAuth(api *Server) {
	h := authHandlers{auth: api.auth, log: api.log}
	RegisterPublic(api.api, huma.Operation{
		OperationID: "login", Method: http.MethodPost, Path: "/api/v1/auth/login", Tags: []string{"auth"},
		Summary: "Sign in with login and password; sets the session cookie",
		Errors:  []int{http.StatusUnauthorized, http.StatusTooManyRequests},
	}, h.login)
	RegisterPublic(api.api, huma.Operation{
		OperationID: "logout", Method: http.MethodPost, Path: "/api/v1/auth/logout", Tags: []string{"auth"},
		Summary: "End the current session", DefaultStatus: http.StatusNoContent,
	}, h.logout)
	Register(api.api, crm.AnyRole, huma.Operation{
		OperationID: "get-me", Method: http.MethodGet, Path: "/api/v1/me", Tags: []string{"users"},
		Summary: "The signed-in user",
	}, h.me)
}

func (h authHandlers) problem(ctx context.Context, err error) error {
	return problemFor(ctx, h.log, err)
}

func (h authHandlers) login(ctx context.Context, in *LoginInput) (*LoginOutput, error) {
	sess, err := h.auth.Login(ctx, in.Body.Login, in.Body.Password, in.remoteAddr)
	if errors.Is(err, auth.ErrTooManyAttempts) {
		return nil, huma.ErrorWithHeaders(huma.Error429TooManyRequests(err.Error()),
			http.Header{"Retry-After": {strconv.Itoa(auth.RetryAfter(err))}})
	}
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &LoginOutput{SetCookie: *sess.Cookie}
	out.Body.User = userJSON(sess.User)
	out.Body.CSRFToken = sess.CSRF
	return out, nil
}

func (h authHandlers) logout(ctx context.Context, in *LogoutInput) (*LogoutOutput, error) {
	c, err := h.auth.Logout(ctx, in.Session)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &LogoutOutput{SetCookie: *c}, nil
}

func (h authHandlers) me(ctx context.Context, _ *struct{}) (*MeOutput, error) {
	p := PrincipalFrom(ctx)
	out := &MeOutput{}
	out.Body.User = userJSON(p.User)
	out.Body.Auth = string(p.Method)
	out.Body.CSRFToken = p.CSRF
	return out, nil
}
