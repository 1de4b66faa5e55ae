package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/httpapi"
)

// TestDocumentFilenamesRefused: names that could break a header or a path,
// or that Windows reserves, are refused with 422 and nothing is stored; a
// Cyrillic name downloads with an RFC 6266 filename*.
func TestDocumentFilenamesRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	httpapi.RegisterDocuments(e.srv, httpapi.DocumentDeps{Documents: e.store.Documents, Clients: e.store.Clients, MaxSize: 1000})
	agent := e.login(crm.RoleAgent)
	for _, name := range []string{"a\r\nSet-Cookie: x=1.txt", "CON", "con.txt", "..", "LPT1.log", "a\x01.txt", "x/../../y.txt", `a\b.txt`, "a.txt."} {
		resp, body := agent.do("POST", "/api/v1/documents", map[string]any{"title": "T", "category": "technical", "filename": name, "content": []byte("text")})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "filename") {
			t.Errorf("%q: %d %s, want 422 naming the filename", name, resp.StatusCode, body)
		}
	}
	resp, body := agent.do("GET", "/api/v1/documents", nil)
	if resp.StatusCode != 200 || strings.Contains(string(body), `"filename"`) {
		t.Fatalf("a refused document was stored: %s", body)
	}
	resp, body = agent.do("POST", "/api/v1/documents", map[string]any{"title": "Договор", "category": "technical", "filename": "Договор.txt", "content": []byte("text")})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("cyrillic name: %d %s", resp.StatusCode, body)
	}
	var doc struct{ ID int64 }
	mustJSON(t, body, &doc)
	resp, _ = agent.do("GET", fmt.Sprintf("/api/v1/documents/%d/content", doc.ID), nil)
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename*=utf-8''%D0%94%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80.txt` {
		t.Fatalf("Content-Disposition %q", cd)
	}
}

// TestDuplicateJSONKeysRefused: a body that repeats a key means different
// things to different readers; it is refused and nothing changes. The
// 1 MiB body limit still holds.
func TestDuplicateJSONKeysRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	agent := e.login(crm.RoleAgent)
	for _, body := range []string{
		`{"name":"Ivan","name":"Admin"}`,
		`{"name":"Ivan","contacts":[{"kind":"phone","value":"+79165551234","value":"+79990000000"}]}`,
		`{"name":"Ivan","n\u0061me":"Admin"}`,
	} {
		resp, out := agent.do("POST", "/api/v1/clients", body)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(out), "duplicate key") {
			t.Errorf("%s: %d %s, want 422 duplicate key", body, resp.StatusCode, out)
		}
	}
	resp, out := agent.do("GET", "/api/v1/clients?q=Ivan", nil)
	if resp.StatusCode != 200 || strings.Contains(string(out), "Ivan") {
		t.Fatalf("a refused client was stored: %d %s", resp.StatusCode, out)
	}
	big := `{"name":"` + strings.Repeat("a", 1<<20) + `"}`
	if resp, out := agent.do("POST", "/api/v1/clients", big); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MiB body: %d %.200s", resp.StatusCode, out)
	}
	if resp, out := agent.do("POST", "/api/v1/clients", `{"name":"Ivan Petrov"}`); resp.StatusCode != http.StatusCreated {
		t.Fatalf("a clean body: %d %s", resp.StatusCode, out)
	}
}
