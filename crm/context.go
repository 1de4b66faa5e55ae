package crm

import "context"

// contextKey keys the values this package puts in a context.
type contextKey int

const (
	userContextKey contextKey = iota + 1
	csrfContextKey
	requestIDContextKey
)

// NewContextWithUser returns ctx carrying the signed-in user and, for a
// browser session, the token its forms must echo (empty otherwise).
func NewContextWithUser(ctx context.Context, u *User, csrf string) context.Context {
	ctx = context.WithValue(ctx, userContextKey, u)
	return context.WithValue(ctx, csrfContextKey, csrf)
}

// UserFromContext returns the signed-in user of ctx, or nil.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey).(*User)
	return u
}

// CSRFFromContext returns the form token of ctx's browser session, or "".
func CSRFFromContext(ctx context.Context) string {
	s, _ := ctx.Value(csrfContextKey).(string)
	return s
}

// NewContextWithRequestID returns ctx carrying the id of the request it
// serves, for logs.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDContextKey, id)
}

// RequestIDFromContext returns the id of the request ctx serves, or "".
func RequestIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(requestIDContextKey).(string)
	return id
}
