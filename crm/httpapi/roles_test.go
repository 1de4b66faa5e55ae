package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
)

// sample makes one request of an operation that succeeds for an allowed
// caller: it returns the concrete path and the body. It may create what the
// request consumes (a client to delete, a user to rename).
type sample func(t *testing.T, e *env) (path string, body any)

var seq atomic.Int64

func samples() map[string]sample {
	clientPath := func(suffix string) sample {
		return func(t *testing.T, e *env) (string, any) {
			c := e.newClient("Matrix client", "")
			return fmt.Sprintf("/api/v1/clients/%d%s", c.ID, suffix), nil
		}
	}
	withBody := func(s sample, body any) sample {
		return func(t *testing.T, e *env) (string, any) { p, _ := s(t, e); return p, body }
	}
	targetUser := func(suffix string) sample {
		return func(t *testing.T, e *env) (string, any) {
			u, err := auth.CreateUser(context.Background(), e.store.Users,
				crm.User{Login: fmt.Sprintf("target%d", seq.Add(1)), Role: crm.RoleAgent}, "some-password")
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/users/%d%s", u.ID, suffix), nil
		}
	}
	fixed := func(path string, body func() any) sample {
		return func(*testing.T, *env) (string, any) {
			if body == nil {
				return path, nil
			}
			return path, body()
		}
	}
	return map[string]sample{
		"login": func(t *testing.T, e *env) (string, any) {
			return "/api/v1/auth/login", map[string]string{"login": e.users[crm.RoleAgent].Login, "password": password(crm.RoleAgent)}
		},
		"logout":     fixed("/api/v1/auth/logout", nil),
		"get-me":     fixed("/api/v1/me", nil),
		"list-users": fixed("/api/v1/users", nil),
		"create-user": fixed("/api/v1/users", func() any {
			return map[string]any{"login": fmt.Sprintf("new%d", seq.Add(1)), "role": "agent", "password": "long-enough"}
		}),
		"update-user":           withBody(targetUser(""), map[string]any{"name": "Renamed"}),
		"set-user-password":     withBody(targetUser("/password"), map[string]any{"password": "another-password"}),
		"list-clients":          fixed("/api/v1/clients?q=matrix", nil),
		"get-client":            clientPath(""),
		"create-client":         fixed("/api/v1/clients", func() any { return map[string]any{"name": "Created in matrix"} }),
		"update-client":         withBody(clientPath(""), map[string]any{"name": "Updated in matrix", "priority": "A"}),
		"delete-client":         clientPath(""),
		"add-contact":           withBody(clientPath("/contacts"), map[string]any{"kind": "phone", "value": "8 (495) 123-45-67"}),
		"list-priority-classes": fixed("/api/v1/priority-classes", nil),
		"save-priority-class":   fixed("/api/v1/priority-classes/GOLD", func() any { return map[string]any{"name": "Gold", "rank": 5} }),
		"reclassify-clients":    fixed("/api/v1/priority-classes/reclassify", nil),
		"delete-priority-class": func(t *testing.T, e *env) (string, any) {
			code := fmt.Sprintf("DEL%d", seq.Add(1))
			if err := e.store.Priority.Save(context.Background(), crm.PriorityClass{Code: code, Name: code, Rank: 9}); err != nil {
				t.Fatal(err)
			}
			return "/api/v1/priority-classes/" + code, nil
		},
		"get-client-priority": clientPath("/priority"),
		"set-client-priority": withBody(clientPath("/priority"), map[string]any{"priority": "B", "manual": true}),
		"get-timeline":        clientPath("/timeline"),
		"add-note":            withBody(clientPath("/notes"), map[string]any{"body": "matrix note"}),
		"delete-contact": func(t *testing.T, e *env) (string, any) {
			c := e.newClient("Contact owner", "+74951112233")
			return fmt.Sprintf("/api/v1/clients/%d/contacts/%d", c.ID, c.Contacts[0].ID), nil
		},
	}
}

type caller struct {
	name string
	role crm.Role // "" for anonymous
	make func(e *env) *client
}

// TestRoleMatrix walks every operation registered on the API with every kind
// of caller and checks the answer against the roles the operation declared.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	callers := []caller{
		{"anonymous", "", func(e *env) *client { return e.anon() }},
		{"agent", crm.RoleAgent, func(e *env) *client { return e.login(crm.RoleAgent) }},
		{"supervisor", crm.RoleSupervisor, func(e *env) *client { return e.login(crm.RoleSupervisor) }},
		{"admin", crm.RoleAdmin, func(e *env) *client { return e.login(crm.RoleAdmin) }},
		{"agent-token", crm.RoleAgent, func(e *env) *client { return e.tokenClient(crm.RoleAgent) }},
		{"admin-token", crm.RoleAdmin, func(e *env) *client { return e.tokenClient(crm.RoleAdmin) }},
	}
	clients := map[string]*client{}
	for _, c := range callers {
		clients[c.name] = c.make(e)
	}
	ops := operations(e.srv.API())
	if len(ops) < 15 {
		t.Fatalf("only %d operations found", len(ops))
	}
	smp := samples()
	for _, op := range ops {
		access, ok := httpapi.AccessOf(op)
		if !ok {
			t.Errorf("%s %s (%s) declares no roles: register it with httpapi.Register", op.Method, op.Path, op.OperationID)
			continue
		}
		s, ok := smp[op.OperationID]
		if !ok {
			t.Errorf("operation %s has no sample request in roles_test.go", op.OperationID)
			continue
		}
		for _, c := range callers {
			cl := clients[c.name]
			if op.OperationID == "login" || op.OperationID == "logout" {
				cl = c.make(e) // keep the shared clients' sessions as they are
			}
			path, body := s(t, e)
			resp, out := cl.do(op.Method, path, body)
			want := "2xx"
			switch {
			case access.Public:
			case c.role == "":
				want = "401"
			case !slices.Contains(access.Roles, c.role):
				want = "403"
			}
			got := resp.StatusCode
			if (want == "2xx" && (got < 200 || got > 299)) || (want == "401" && got != 401) || (want == "403" && got != 403) {
				t.Errorf("%s %s as %s: status %d, want %s: %s", op.Method, path, c.name, got, want, out)
			}
			if got >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s %s as %s: error with content type %q", op.Method, path, c.name, resp.Header.Get("Content-Type"))
			}
		}
	}
}

// TestUndeclaredOperationFailsClosed registers an operation without roles the
// wrong way (plain huma.Register) and checks that nobody can call it.
func TestUndeclaredOperationFailsClosed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	huma.Register(e.srv.API(), huma.Operation{OperationID: "sneaky", Method: http.MethodGet, Path: "/api/v1/sneaky"},
		func(context.Context, *struct{}) (*struct{ Body string }, error) {
			return &struct{ Body string }{"secret"}, nil
		})
	resp, body := e.login(crm.RoleAdmin).do("GET", "/api/v1/sneaky", nil)
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(string(body), "secret") {
		t.Fatalf("undeclared operation answered %d %s", resp.StatusCode, body)
	}
	if _, ok := httpapi.AccessOf(e.srv.API().OpenAPI().Paths["/api/v1/sneaky"].Get); ok {
		t.Fatal("AccessOf reports access for an undeclared operation")
	}
}

// operations lists every operation of the OpenAPI document, sorted.
func operations(api huma.API) []*huma.Operation {
	var ops []*huma.Operation
	for _, item := range api.OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch, item.Head, item.Options} {
			if op != nil {
				ops = append(ops, op)
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Path+ops[i].Method < ops[j].Path+ops[j].Method })
	return ops
}
