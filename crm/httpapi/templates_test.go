package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/httpapi"
)

// TestUnboundedTemplatesRefused: a template that could loop the server is
// refused at upload with 422, and a text document holding one (not
// uploaded as a template) is refused at fill time, at once.
func TestUnboundedTemplatesRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	httpapi.RegisterDocuments(e.srv, httpapi.DocumentDeps{Documents: e.store.Documents, Clients: e.store.Clients, MaxSize: 1 << 20})
	agent := e.login(crm.RoleAgent)
	client := e.newClient("Ivan Petrov", "+79165551234")
	loop := "{{range 60000000}}{{end}}"
	for _, tmpl := range []string{loop, "{{range .Client.ID}}{{end}}", `{{define "a"}}{{template "a" .}}{{end}}`} {
		resp, body := agent.do("POST", "/api/v1/documents", map[string]any{"title": "T", "category": "template", "filename": "t.txt", "content": []byte(tmpl)})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "template") {
			t.Errorf("%s: %d %s, want 422", tmpl, resp.StatusCode, body)
		}
	}
	resp, body := agent.do("POST", "/api/v1/documents", map[string]any{"title": "Notes", "category": "technical", "filename": "n.txt", "content": []byte(loop)})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("a technical text document: %d %s", resp.StatusCode, body)
	}
	var doc struct{ ID int64 }
	mustJSON(t, body, &doc)
	start := time.Now()
	resp, body = agent.do("GET", fmt.Sprintf("/api/v1/documents/%d/fill?client_id=%d", doc.ID, client.ID), nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || time.Since(start) > 2*time.Second {
		t.Fatalf("fill of an unbounded template: %d after %s: %s", resp.StatusCode, time.Since(start), body)
	}
	// A template that passes is stored and filled.
	resp, body = agent.do("POST", "/api/v1/documents", map[string]any{"title": "Offer", "category": "template", "filename": "o.txt",
		"content": []byte("Dear {{.Client.Name}}:{{range .Client.Contacts}} {{.Value}}{{end}}")})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("good template: %d %s", resp.StatusCode, body)
	}
	mustJSON(t, body, &doc)
	resp, body = agent.do("GET", fmt.Sprintf("/api/v1/documents/%d/fill?client_id=%d", doc.ID, client.ID), nil)
	if resp.StatusCode != 200 || string(body) != "Dear Ivan Petrov: +79165551234" {
		t.Fatalf("fill: %d %q", resp.StatusCode, body)
	}
	// A new version of a template is checked too.
	resp, body = agent.do("POST", fmt.Sprintf("/api/v1/documents/%d/versions", doc.ID), map[string]any{"filename": "o.txt", "content": []byte(loop)})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad new version: %d %s", resp.StatusCode, body)
	}
}
