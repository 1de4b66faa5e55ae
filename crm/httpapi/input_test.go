package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"hotline/crm"
)

// TestBadInput sends broken and hostile bodies and checks each gets a clear
// problem answer (or is stored verbatim), and that nothing stored changes.
func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	agent := e.login(crm.RoleAgent)
	existing := e.newClient("Existing Client", "+74951234567")
	before, err := e.store.Clients.GetClient(context.Background(), existing.ID)
	if err != nil {
		t.Fatal(err)
	}
	clientPath := fmt.Sprintf("/api/v1/clients/%d", existing.ID)
	big := `{"name":"` + strings.Repeat("x", 1<<20+10) + `"}`

	cases := []struct {
		name, method, path string
		body               any
		status             int
		location           string // expected errors[].location, if any
	}{
		{"malformed JSON", "POST", "/api/v1/clients", `{"name": "x",`, 400, ""},
		{"not an object", "PUT", clientPath, `["a"]`, 422, ""},
		{"unknown field", "PUT", clientPath, `{"name":"Changed","is_admin":true}`, 422, "body.is_admin"},
		{"body over 1 MiB", "PUT", clientPath, big, 413, ""},
		{"invalid phone", "POST", "/api/v1/clients", `{"name":"New","contacts":[{"kind":"phone","value":"12"}]}`, 422, "body.contacts[0].value"},
		{"invalid phone on existing", "POST", clientPath + "/contacts", `{"kind":"phone","value":"not a number"}`, 422, "body.value"},
		{"invalid email", "POST", clientPath + "/contacts", `{"kind":"email","value":"a@"}`, 422, "body.value"},
		{"empty name", "PUT", clientPath, `{"name":"   "}`, 422, "body.name"},
		{"unknown priority", "PUT", clientPath, `{"name":"Changed","priority":"ZZZ"}`, 422, "body.priority"},
		{"unknown owner", "PUT", clientPath, `{"name":"Changed","owner_id":999999}`, 422, "body.owner_id"},
		{"bad id", "GET", "/api/v1/clients/abc", nil, 422, "path.id"},
		{"missing client", "GET", "/api/v1/clients/999999", nil, 404, ""},
		{"empty note", "POST", clientPath + "/notes", `{"body":"  "}`, 422, "body.body"},
		{"wrong content", "POST", "/api/v1/clients", "name=x", 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := agent.do(tc.method, tc.path, tc.body)
			p := mustProblem(t, resp, body, tc.status)
			if tc.location != "" {
				found := false
				for _, d := range p.Errors {
					found = found || d.Location == tc.location
				}
				if !found {
					t.Errorf("no error at %s: %s", tc.location, body)
				}
			}
		})
	}
	after, err := e.store.Clients.GetClient(context.Background(), existing.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("stored client changed:\nbefore %+v\nafter  %+v", before, after)
	}
	page, err := e.store.Clients.ListClients(context.Background(), crm.ClientFilter{Limit: 10})
	if err != nil || len(page.Items) != 1 {
		t.Errorf("clients after bad input: %d (%v), want only the existing one", len(page.Items), err)
	}
}

// TestInjectionStoredVerbatim stores SQL and HTML payloads and reads them back unchanged.
func TestInjectionStoredVerbatim(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	agent := e.login(crm.RoleAgent)
	other := e.newClient("Bystander", "+74957654321")
	payloads := []string{"'; DROP TABLE clients;--", `<script>alert("x")</script>`, `Robert"); DELETE FROM users; --`}
	for _, p := range payloads {
		resp, body := agent.do("POST", "/api/v1/clients", map[string]any{
			"name": p, "company": p, "notes": p, "tags": []string{p[:10]},
		})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create %q: %d %s", p, resp.StatusCode, body)
		}
		var c struct {
			ID                   int64
			Name, Company, Notes string
		}
		mustJSON(t, body, &c)
		resp, body = agent.do("GET", fmt.Sprintf("/api/v1/clients/%d", c.ID), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		mustJSON(t, body, &c)
		if c.Name != p || c.Company != p || c.Notes != p {
			t.Errorf("payload %q came back as %+v", p, c)
		}
		resp, body = agent.do("POST", fmt.Sprintf("/api/v1/clients/%d/notes", c.ID), map[string]any{"body": p})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("note: %d %s", resp.StatusCode, body)
		}
		_, body = agent.do("GET", "/api/v1/clients?q="+urlEscape(p[:8]), nil)
		var list struct{ Items []struct{ Name string } }
		mustJSON(t, body, &list)
		if len(list.Items) != 1 || list.Items[0].Name != p {
			t.Errorf("search for %q: %s", p[:8], body)
		}
	}
	if _, err := e.store.Clients.GetClient(context.Background(), other.ID); err != nil {
		t.Fatalf("bystander lost: %v", err)
	}
	if _, err := e.store.Users.GetUser(context.Background(), e.users[crm.RoleAdmin].ID); err != nil {
		t.Fatalf("users lost: %v", err)
	}
	var raw json.RawMessage
	_, body := agent.do("GET", "/api/v1/clients", nil)
	mustJSON(t, body, &raw)
	if !strings.Contains(string(body), `\u003cscript\u003e`) && !strings.Contains(string(body), `<script>`) {
		t.Errorf("script payload missing from list: %s", body)
	}
}
