package postgres_test

import (
	"fmt"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// testDocumentAccess checks who sees and changes which document, in the
// list, the full-text search, the content download and version upload.
func testDocumentAccess(t *testing.T, dsn string) {
	e := newStockEnv(t, dsn)
	ctx := e.ctx
	teams := map[string]int64{}
	for _, name := range []string{"sales", "support"} {
		tm := service.Team{Name: e.prefix + "-" + name}
		if err := e.st.Teams.CreateTeam(ctx, &tm); err != nil {
			t.Fatal(err)
		}
		teams[name] = tm.ID
	}
	users := map[string]resource.Reader{}
	for _, u := range []struct {
		name string
		role crm.Role
		team string
	}{{"admin", crm.RoleAdmin, ""}, {"owner", crm.RoleAgent, ""}, {"sup", crm.RoleSupervisor, ""},
		{"sales", crm.RoleAgent, "sales"}, {"support", crm.RoleAgent, "support"}, {"other", crm.RoleAgent, ""}} {
		cu := crm.User{Login: strings.ToLower(e.prefix) + u.name, Name: u.name, Role: u.role}
		if err := e.st.Users.CreateUser(ctx, &cu, "x"); err != nil {
			t.Fatal(err)
		}
		if u.team != "" {
			if err := e.st.Teams.AddTeamMember(ctx, teams[u.team], cu.ID); err != nil {
				t.Fatal(err)
			}
		}
		users[u.name] = resource.Reader{UserID: cu.ID, Role: u.role}
	}
	word := strings.ToLower(e.prefix) + "zebra"
	docs := map[string][]resource.Grant{
		"private":   nil,
		"for-sups":  {{Kind: resource.GrantRole, Who: "supervisor"}},
		"sales-rw":  {{Kind: resource.GrantTeam, Who: fmt.Sprint(teams["sales"]), Write: true}},
		"support-r": {{Kind: resource.GrantUser, Who: fmt.Sprint(users["support"].UserID)}},
		// a team named, not numbered, in another case: stored by ID
		"supteam-r": {{Kind: resource.GrantTeam, Who: strings.ToUpper(e.prefix + "-support")}},
	}
	ids := map[string]int64{}
	for name, grants := range docs {
		d := resource.Document{Title: name + " offer", Category: resource.DocCommercial, Tags: []string{"price"}, Grants: grants}
		up := resource.Upload{Filename: name + ".txt", Content: []byte("Коммерческое предложение " + word + " " + name)}
		if err := e.st.Documents.CreateDocument(ctx, users["owner"], &d, up, 0); err != nil {
			t.Fatal(err)
		}
		ids[name] = d.ID
	}
	// reader -> document -> "" (none), "r" or "rw"
	want := map[string]map[string]string{
		"admin":   {"private": "rw", "for-sups": "rw", "sales-rw": "rw", "support-r": "rw", "supteam-r": "rw"},
		"owner":   {"private": "rw", "for-sups": "rw", "sales-rw": "rw", "support-r": "rw", "supteam-r": "rw"},
		"sup":     {"for-sups": "r"},
		"sales":   {"sales-rw": "rw"},
		"support": {"support-r": "r", "supteam-r": "r"},
		"other":   {},
	}
	for who, r := range users {
		list, err := e.st.Documents.ListDocuments(ctx, r, postgresDocFilter(word))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, d := range list {
			name := strings.TrimSuffix(d.Title, " offer")
			got[name] = "r"
			if d.CanWrite {
				got[name] = "rw"
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want[who]) {
			t.Errorf("%s sees %v, want %v", who, got, want[who])
		}
		for name, id := range ids {
			exp := want[who][name]
			_, err := e.st.Documents.DocumentContent(ctx, r, id, 0)
			if (exp == "") != crm.IsKind(err, crm.KindNotFound) {
				t.Errorf("%s downloads %s: %v (want access %q)", who, name, err, exp)
			}
			_, err = e.st.Documents.AddDocumentVersion(ctx, r, id, resource.Upload{Filename: "v2.txt", Content: []byte("v2 " + word)}, 0)
			switch exp {
			case "rw":
				if err != nil {
					t.Errorf("%s writes %s: %v", who, name, err)
				}
			case "r":
				if !crm.IsKind(err, crm.KindForbidden) {
					t.Errorf("%s writes read-only %s: %v, want forbidden", who, name, err)
				}
			default:
				if !crm.IsKind(err, crm.KindNotFound) {
					t.Errorf("%s writes invisible %s: %v, want not found", who, name, err)
				}
			}
		}
	}
	// A team grant given by name is kept and shown by the team's ID, with its name.
	got, err := e.st.Documents.GetDocument(ctx, users["owner"], ids["supteam-r"])
	if err != nil || len(got.Grants) != 1 || got.Grants[0].Who != fmt.Sprint(teams["support"]) || got.Grants[0].Team != e.prefix+"-support" {
		t.Fatalf("team grant by name reads back as %+v %v", got.Grants, err)
	}
	// Versions: the first is kept; search finds words of the current one.
	v1, err := e.st.Documents.DocumentContent(ctx, users["owner"], ids["private"], 1)
	if err != nil || !strings.Contains(string(v1.Content), "Коммерческое") {
		t.Fatalf("version 1: %q %v", v1.Content, err)
	}
	if l, _ := e.st.Documents.ListDocuments(ctx, users["admin"], postgresDocFilter("коммерческих предложений "+word)); len(l) != 0 {
		t.Errorf("search matched old versions' words: %d", len(l))
	}
	if l, _ := e.st.Documents.ListDocuments(ctx, users["admin"], postgresDocFilter("sales-rw "+word)); len(l) != 1 {
		t.Errorf("title search found %d", len(l))
	}
}

func testDocumentUploadChecks(t *testing.T, dsn string) {
	e := newStockEnv(t, dsn)
	u := crm.User{Login: strings.ToLower(e.prefix) + "up", Role: crm.RoleAgent}
	if err := e.st.Users.CreateUser(e.ctx, &u, "x"); err != nil {
		t.Fatal(err)
	}
	r := resource.Reader{UserID: u.ID, Role: u.Role}
	d := func() *resource.Document { return &resource.Document{Title: "T", Category: resource.DocTechnical} }
	exe := append([]byte("MZ\x90\x00"), make([]byte, 100)...)
	for name, c := range map[string]struct {
		doc   *resource.Document
		up    resource.Upload
		field string
	}{
		"too big":       {d(), resource.Upload{Filename: "a.txt", Content: []byte(strings.Repeat("a", 2000))}, "content"},
		"executable":    {d(), resource.Upload{Filename: "a.exe", Content: exe}, "content"},
		"lying type":    {d(), resource.Upload{Filename: "a.pdf", Type: "application/pdf", Content: []byte("plain text")}, "content_type"},
		"path filename": {d(), resource.Upload{Filename: "../etc/passwd", Content: []byte("x")}, "filename"},
		"bad category":  {&resource.Document{Title: "T", Category: "secret"}, resource.Upload{Filename: "a.txt", Content: []byte("x")}, "category"},
		"unknown team":  {&resource.Document{Title: "T", Category: resource.DocTechnical, Grants: []resource.Grant{{Kind: resource.GrantTeam, Who: e.prefix + "-nobody"}}}, resource.Upload{Filename: "a.txt", Content: []byte("x")}, "grants"},
		"bad grant":     {&resource.Document{Title: "T", Category: resource.DocTechnical, Grants: []resource.Grant{{Kind: resource.GrantRole, Who: "boss"}}}, resource.Upload{Filename: "a.txt", Content: []byte("x")}, "grants"},
	} {
		err := e.st.Documents.CreateDocument(e.ctx, r, c.doc, c.up, 1000)
		var ce *crm.Error
		if !asError(err, &ce) || ce.Kind != crm.KindInvalid || ce.Field != c.field {
			t.Errorf("%s: %v, want invalid %s", name, err, c.field)
		}
	}
	// A template filled with a client's fields; HTML escapes them.
	tmpl := resource.Document{Title: "Offer template", Category: resource.DocTemplate}
	if err := e.st.Documents.CreateDocument(e.ctx, r, &tmpl, resource.Upload{Filename: "offer.html",
		Content: []byte("<html><body><p>Dear {{.Client.Name}}, our offer of {{.Today}}.</p></body></html>")}, 0); err != nil {
		t.Fatal(err)
	}
	up, err := e.st.Documents.DocumentContent(e.ctx, r, tmpl.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	out, err := resource.FillTemplate(e.ctx, up.Type, up.Content, resource.TemplateData{Client: crm.Client{Name: "Ivan <b>Petrov</b>"}, Today: "2026-03-10"}, 1<<20)
	if err != nil || !strings.Contains(string(out), "Dear Ivan &lt;b&gt;Petrov&lt;/b&gt;, our offer of 2026-03-10.") {
		t.Fatalf("filled %q %v", out, err)
	}
	if _, err := resource.FillTemplate(e.ctx, "text/plain", []byte("{{.Client.Nope}}"), resource.TemplateData{}, 1<<20); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("unknown field: %v", err)
	}
}

func postgresDocFilter(q string) resource.DocumentFilter { return resource.DocumentFilter{Query: q} }
