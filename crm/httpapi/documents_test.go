package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/resource"
)

func documentSamples(e *env, f *stockFixture) map[string]sample {
	doc := func(t *testing.T, e *env) int64 {
		d := resource.Document{Title: "Price list", Category: resource.DocTemplate,
			Grants: []resource.Grant{{Kind: resource.GrantRole, Who: "agent", Write: true}, {Kind: resource.GrantRole, Who: "supervisor", Write: true}}}
		owner := e.users[crm.RoleAdmin]
		if err := e.store.Documents.CreateDocument(t.Context(), resource.Reader{UserID: owner.ID, Role: owner.Role}, &d,
			resource.Upload{Filename: "offer.txt", Content: []byte("Offer for {{.Client.Name}}")}, 0); err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	path := func(suffix string, body any) sample {
		return func(t *testing.T, e *env) (string, any) {
			return fmt.Sprintf("/api/v1/documents/%d%s", doc(t, e), suffix), body
		}
	}
	return map[string]sample{
		"list-documents": func(*testing.T, *env) (string, any) { return "/api/v1/documents?q=price", nil },
		"create-document": func(*testing.T, *env) (string, any) {
			return "/api/v1/documents", map[string]any{"title": "Spec", "category": "technical", "filename": "spec.txt", "content": []byte("spec text")}
		},
		"get-document":           path("", nil),
		"add-document-version":   path("/versions", map[string]any{"filename": "v2.txt", "content": []byte("second")}),
		"set-document-grants":    path("/grants", map[string]any{"grants": []map[string]any{{"kind": "role", "who": "agent", "write": true}, {"kind": "role", "who": "supervisor", "write": true}}}),
		"download-document":      path("/content", nil),
		"fill-document-template": path(fmt.Sprintf("/fill?client_id=%d", f.clientID), nil),
	}
}

func TestDocumentsAPI(t *testing.T) {
	t.Parallel()
	e := newResourceEnv(t)
	httpapi.RegisterDocuments(e.srv, httpapi.DocumentDeps{Documents: e.store.Documents, Clients: e.store.Clients, MaxSize: 1000})
	f := newStockFixture(t, e)
	checkRoleMatrix(t, e, documentSamples(e, f), "documents")

	agent, sup := e.login(crm.RoleAgent), e.login(crm.RoleSupervisor)
	resp, body := agent.do("POST", "/api/v1/documents", map[string]any{"title": "Agent notes", "category": "template", "filename": "n.html",
		"content": []byte("<p>Hello {{.Client.Name}}</p>"), "grants": []map[string]any{{"kind": "role", "who": "supervisor"}}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	id := strings.Split(strings.Split(string(body), `"id":`)[1], ",")[0]
	resp, body = sup.do("GET", "/api/v1/documents/"+id+"/fill?client_id="+fmt.Sprint(f.clientID), nil)
	if resp.StatusCode != 200 || string(body) != "<p>Hello Stock client</p>" || resp.Header.Get("Content-Security-Policy") != "sandbox" {
		t.Fatalf("fill: %d %q", resp.StatusCode, body)
	}
	if resp, body := sup.do("POST", "/api/v1/documents/"+id+"/versions", map[string]any{"filename": "x.txt", "content": []byte("x")}); resp.StatusCode != 403 {
		t.Fatalf("read-only write: %d %s", resp.StatusCode, body)
	}
	for _, b := range []struct {
		body   map[string]any
		status int
		text   string
	}{
		{map[string]any{"title": "Big", "category": "technical", "filename": "b.txt", "content": []byte(strings.Repeat("b", 1001))}, 422, "limit"},
		{map[string]any{"title": "Exe", "category": "technical", "filename": "b.exe", "content": []byte("MZ\x90\x00\x03\x00\x00\x00")}, 422, "not accepted"},
		{map[string]any{"title": "Lie", "category": "technical", "filename": "b.png", "content_type": "image/png", "content": []byte("hello")}, 422, "content_type"},
		{map[string]any{"title": "Cat", "category": "secret", "filename": "b.txt", "content": []byte("x")}, 422, "category"},
	} {
		resp, body := agent.do("POST", "/api/v1/documents", b.body)
		if resp.StatusCode != b.status || !strings.Contains(string(body), b.text) {
			t.Errorf("%v: %d %s, want %d %q", b.body["title"], resp.StatusCode, body, b.status, b.text)
		}
	}
}
