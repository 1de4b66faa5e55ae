package httpapi

import (
	"context"
	"net/http"
	"slices"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
)

// Role sets for operations: the domain's (crm.AnyRole and so on), named
// here too so that route tables read short.
var (
	// AnyRole is every signed-in user: agents, supervisors and admins.
	AnyRole = crm.AnyRole
	// SupervisorOrAdmin excludes agents.
	SupervisorOrAdmin = crm.SupervisorOrAdmin
	// AdminOnly is for user management and settings.
	AdminOnly = crm.AdminOnly
)

const (
	metaRoles  = "hotline.roles"
	metaPublic = "hotline.public"
)

// Access is who may call an operation, as declared when it was registered.
type Access struct {
	Public bool       // no credentials needed
	Roles  []crm.Role // otherwise: the roles allowed
}

// AccessOf returns the access an operation declared; ok is false when it
// declared none (such operations answer 500 and fail the role-matrix test).
func AccessOf(op *huma.Operation) (a Access, ok bool) {
	if op == nil || op.Metadata == nil {
		return Access{}, false
	}
	if pub, _ := op.Metadata[metaPublic].(bool); pub {
		return Access{Public: true}, true
	}
	roles, _ := op.Metadata[metaRoles].([]crm.Role)
	if len(roles) == 0 {
		return Access{}, false
	}
	return Access{Roles: roles}, true
}

// Register adds an operation that the given roles may call. It is the way
// every package adds API operations:
//
//	httpapi.Register(api, httpapi.AnyRole, huma.Operation{
//		OperationID: "list-tickets", Method: http.MethodGet, Path: "/api/v1/tickets",
//	}, handler)
//
// Requests without credentials get 401, with another role 403, cookie
// requests with an unsafe method and no CSRF token 403.
func Register[I, O any](api huma.API, roles []crm.Role, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	if len(roles) == 0 {
		panic("httpapi: operation " + op.OperationID + " declares no roles; use RegisterPublic for public ones")
	}
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[metaRoles] = slices.Clone(roles)
	op.Security = []map[string][]string{{"bearer": {}}, {"session": {}}}
	op.Errors = appendMissing(op.Errors, http.StatusUnauthorized, http.StatusForbidden)
	op.Description = joinDescription(op.Description, "Roles: "+rolesText(roles)+".")
	huma.Register(api, op, h)
	boundOperation(api, op.Method, op.Path)
}

// RegisterPublic adds an operation anyone may call (login, logout).
func RegisterPublic[I, O any](api huma.API, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[metaPublic] = true
	huma.Register(api, op, h)
	boundOperation(api, op.Method, op.Path)
}

// enforceRoles runs before every huma operation: it fails closed for
// operations that declared no access and checks the caller's role.
func (s *Server) enforceRoles(ctx huma.Context, next func(huma.Context)) {
	access, ok := AccessOf(ctx.Operation())
	if !ok {
		_ = huma.WriteErr(s.api, ctx, http.StatusInternalServerError, "operation declares no roles")
		return
	}
	if access.Public {
		next(ctx)
		return
	}
	p := PrincipalFrom(ctx.Context())
	if p == nil {
		_ = huma.WriteErr(s.api, ctx, http.StatusUnauthorized, "sign in or send a bearer token")
		return
	}
	if !slices.Contains(access.Roles, p.User.Role) {
		_ = huma.WriteErr(s.api, ctx, http.StatusForbidden, "your role ("+string(p.User.Role)+") may not do this; allowed: "+rolesText(access.Roles))
		return
	}
	next(ctx)
}

func rolesText(roles []crm.Role) string {
	out := ""
	for i, r := range roles {
		if i > 0 {
			out += ", "
		}
		out += string(r)
	}
	return out
}

func joinDescription(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n\n" + b
}

func appendMissing(list []int, codes ...int) []int {
	for _, c := range codes {
		if !slices.Contains(list, c) {
			list = append(list, c)
		}
	}
	return list
}
