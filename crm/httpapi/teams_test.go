package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// teamSamples are the role-matrix requests of the team operations; each
// call makes a team of its own.
func teamSamples(d *deskEnv) map[string]func() (string, any) {
	agent := d.users[crm.RoleAgent].ID
	team := func(members ...int64) service.Team {
		d.t.Helper()
		t := service.Team{Name: fmt.Sprintf("Matrix team %d", seq.Add(1)), Members: members}
		if err := d.store.Teams.CreateTeam(context.Background(), &t); err != nil {
			d.t.Fatal(err)
		}
		return t
	}
	return map[string]func() (string, any){
		"delete-team": func() (string, any) { return fmt.Sprintf("/api/v1/teams/%d", team().ID), nil },
		"update-team": func() (string, any) {
			return fmt.Sprintf("/api/v1/teams/%d", team().ID), map[string]any{"lead_id": agent}
		},
		"add-team-member": func() (string, any) {
			return fmt.Sprintf("/api/v1/teams/%d/members", team().ID), map[string]any{"user_id": agent}
		},
		"remove-team-member": func() (string, any) {
			return fmt.Sprintf("/api/v1/teams/%d/members/%d", team(agent).ID, agent), nil
		},
	}
}

// TestTeamMembershipAPI: an admin puts an agent into a team
// through /api/v1/teams/{id}/members, and that one membership shows the
// agent the team's tickets and the team's documents; taking them out hides
// both, and deleting the team removes its document grant.
func TestTeamMembershipAPI(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	httpapi.RegisterDocuments(d.srv, httpapi.DocumentDeps{Documents: d.store.Documents, Clients: d.store.Clients, MaxSize: 0})
	admin, agent := d.login(crm.RoleAdmin), d.login(crm.RoleAgent)
	u := d.users[crm.RoleAgent] // in "Line 1" only

	resp, body := admin.do("POST", "/api/v1/teams", map[string]any{"name": "Key accounts"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create team: %d %s", resp.StatusCode, body)
	}
	var team httpapi.TeamJSON
	mustJSON(t, body, &team)
	tk := service.Ticket{ClientID: d.newClient("Key client", "").ID, Subject: "Key accounts ticket", TeamID: &team.ID}
	if err := d.store.Tickets.CreateTicket(context.Background(), &tk); err != nil {
		t.Fatal(err)
	}
	owner := d.users[crm.RoleAdmin]
	doc := resource.Document{Title: "Key accounts playbook", Category: resource.DocTechnical,
		Grants: []resource.Grant{{Kind: resource.GrantTeam, Who: "key accounts"}}}
	if err := d.store.Documents.CreateDocument(context.Background(), resource.Reader{UserID: owner.ID, Role: owner.Role}, &doc,
		resource.Upload{Filename: "playbook.txt", Content: []byte("Call within the hour.")}, 0); err != nil {
		t.Fatal(err)
	}
	sees := func() (ticket, document bool) {
		t.Helper()
		_, tb := agent.do("GET", fmt.Sprintf("/api/v1/tickets?team_id=%d", team.ID), nil)
		_, db := agent.do("GET", "/api/v1/documents", nil)
		return strings.Contains(string(tb), "Key accounts ticket"), strings.Contains(string(db), "Key accounts playbook")
	}
	if tkt, dc := sees(); tkt || dc {
		t.Fatalf("outsider sees ticket %v, document %v", tkt, dc)
	}
	members := fmt.Sprintf("/api/v1/teams/%d/members", team.ID)
	if resp, body := admin.do("POST", members, map[string]any{"user_id": u.ID}); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("add member: %d %s", resp.StatusCode, body)
	}
	if tkt, dc := sees(); !tkt || !dc {
		t.Fatalf("member sees ticket %v, document %v; want both", tkt, dc)
	}
	// The grant reads back by team ID with the team's name.
	resp, body = admin.do("GET", fmt.Sprintf("/api/v1/documents/%d", doc.ID), nil)
	if want := fmt.Sprintf(`{"kind":"team","who":"%d","team":"Key accounts"}`, team.ID); resp.StatusCode != 200 || !strings.Contains(string(body), want) {
		t.Fatalf("document grants: %d %s, want %s", resp.StatusCode, body, want)
	}
	if resp, body := admin.do("DELETE", fmt.Sprintf("%s/%d", members, u.ID), nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("remove member: %d %s", resp.StatusCode, body)
	}
	if tkt, dc := sees(); tkt || dc {
		t.Fatalf("former member sees ticket %v, document %v", tkt, dc)
	}
	// Bad input: clear problems.
	for _, c := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"POST", members, map[string]any{"user_id": 99999999}, http.StatusUnprocessableEntity},
		{"POST", "/api/v1/teams/99999999/members", map[string]any{"user_id": u.ID}, http.StatusNotFound},
		{"DELETE", fmt.Sprintf("%s/%d", members, u.ID), nil, http.StatusNotFound},
		{"DELETE", "/api/v1/teams/99999999", nil, http.StatusNotFound},
		{"PUT", fmt.Sprintf("/api/v1/documents/%d/grants", doc.ID), map[string]any{"grants": []map[string]any{{"kind": "team", "who": "no such team"}}}, http.StatusUnprocessableEntity},
	} {
		resp, body := admin.do(c.method, c.path, c.body)
		mustProblem(t, resp, body, c.status)
	}
	if resp, body := admin.do("DELETE", fmt.Sprintf("/api/v1/teams/%d", team.ID), nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete team: %d %s", resp.StatusCode, body)
	}
	resp, body = admin.do("GET", fmt.Sprintf("/api/v1/documents/%d", doc.ID), nil)
	if resp.StatusCode != 200 || strings.Contains(string(body), `"kind":"team"`) {
		t.Fatalf("document after deleting its team: %d %s", resp.StatusCode, body)
	}
}

// TestUpdateTeamAPI: an admin changes a team's lead with PATCH, and the
// new lead joins the members; a rename keeps the lead; lead_id 0 removes
// it; bad leads, a taken name and an unknown team are clear problems.
func TestUpdateTeamAPI(t *testing.T) {
	t.Parallel()
	d := newDeskEnv(t)
	admin := d.login(crm.RoleAdmin)
	agent, sup := d.users[crm.RoleAgent].ID, d.users[crm.RoleSupervisor].ID
	resp, body := admin.do("POST", "/api/v1/teams", map[string]any{"name": "Night shift", "lead_id": agent, "members": []int64{agent}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create team: %d %s", resp.StatusCode, body)
	}
	var team httpapi.TeamJSON
	mustJSON(t, body, &team)
	path := fmt.Sprintf("/api/v1/teams/%d", team.ID)
	patch := func(b map[string]any) httpapi.TeamJSON {
		t.Helper()
		resp, body := admin.do("PATCH", path, b)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PATCH %v: %d %s", b, resp.StatusCode, body)
		}
		var out httpapi.TeamJSON
		mustJSON(t, body, &out)
		return out
	}
	got := patch(map[string]any{"lead_id": sup})
	if got.LeadID == nil || *got.LeadID != sup || fmt.Sprint(got.Members) != fmt.Sprint([]int64{min(agent, sup), max(agent, sup)}) {
		t.Fatalf("new lead: %+v, want lead %d with both members", got, sup)
	}
	got = patch(map[string]any{"name": "Night desk"})
	if got.Name != "Night desk" || got.LeadID == nil || *got.LeadID != sup {
		t.Fatalf("renamed: %+v, want the lead kept", got)
	}
	_, body = admin.do("GET", "/api/v1/teams", nil)
	if !strings.Contains(string(body), fmt.Sprintf(`"name":"Night desk","lead_id":%d`, sup)) {
		t.Fatalf("list after the changes: %s", body)
	}
	if got = patch(map[string]any{"lead_id": 0}); got.LeadID != nil {
		t.Fatalf("lead_id 0: %+v, want no lead", got)
	}
	if resp, _ := admin.do("POST", "/api/v1/teams", map[string]any{"name": "Day shift"}); resp.StatusCode != http.StatusCreated {
		t.Fatal("second team")
	}
	for _, c := range []struct {
		path   string
		body   any
		status int
		field  string
	}{
		{path, map[string]any{"lead_id": 99999999}, http.StatusUnprocessableEntity, "lead_id"},
		{path, map[string]any{"lead_id": -1}, http.StatusUnprocessableEntity, "lead_id"},
		{path, map[string]any{"name": ""}, http.StatusUnprocessableEntity, "name"},
		{path, map[string]any{"name": "Day shift"}, http.StatusConflict, "name"},
		{"/api/v1/teams/99999999", map[string]any{"lead_id": agent}, http.StatusNotFound, ""},
	} {
		resp, body := admin.do("PATCH", c.path, c.body)
		mustProblem(t, resp, body, c.status)
		if !strings.Contains(string(body), c.field) {
			t.Errorf("PATCH %s %v: %s does not name %q", c.path, c.body, body, c.field)
		}
	}
}
