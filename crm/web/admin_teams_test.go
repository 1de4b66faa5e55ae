package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestAdminTeams: create a team with a lead (who becomes a member), with
// bad names kept on the form; add and remove members; delete through the
// confirm page.
func TestAdminTeams(t *testing.T) {
	t.Parallel()
	a := newAdminSite(t)
	ctx := context.Background()
	b := a.browser()
	csrf := b.login("admin")
	if resp, body := b.get("/admin/teams"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "No teams yet.") {
		t.Fatalf("empty teams page: %d", resp.StatusCode)
	}
	sup := strconv.FormatInt(a.users["supervisor"].ID, 10)
	for _, tc := range []struct {
		name, team, lead string
		status           int
		message          string
	}{
		{"empty name", "   ", sup, http.StatusUnprocessableEntity, "Name: is required"},
		{"long name", strings.Repeat("n", 101), sup, http.StatusUnprocessableEntity, "Name: must be at most 100 characters"},
		{"lead not a number", "Billing", "boss", http.StatusUnprocessableEntity, "Lead: choose a lead from the list"},
		{"unknown lead", "Billing", "999999", http.StatusUnprocessableEntity, "Lead: is not a known user"},
	} {
		resp, body := b.post("/admin/teams", url.Values{"csrf_token": {csrf}, "name": {tc.team}, "lead": {tc.lead}})
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.message) {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, pageError(body))
		}
		if tc.lead == sup && !strings.Contains(body, `<option value="`+sup+`" selected>`) {
			t.Errorf("%s: the chosen lead is not kept", tc.name)
		}
	}
	resp := mustPost(t, b, "/admin/teams", url.Values{"csrf_token": {csrf}, "name": {`<i>Billing</i> & Co`}, "lead": {sup}})
	if !strings.HasPrefix(resp.Header.Get("Location"), "/admin/teams?done=created#team-") {
		t.Fatalf("create team: %q", resp.Header.Get("Location"))
	}
	resp, body := b.post("/admin/teams", url.Values{"csrf_token": {csrf}, "name": {`<i>Billing</i> & Co`}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Name: another team has this name") ||
		!strings.Contains(body, `value="&lt;i&gt;Billing&lt;/i&gt; &amp; Co"`) {
		t.Errorf("duplicate team: %d %s", resp.StatusCode, pageError(body))
	}
	teams, err := a.store.Teams.ListTeams(ctx)
	if err != nil || len(teams) != 1 || teams[0].LeadID == nil || *teams[0].LeadID != a.users["supervisor"].ID ||
		len(teams[0].Members) != 1 || teams[0].Members[0] != a.users["supervisor"].ID {
		t.Fatalf("teams %+v, %v", teams, err)
	}
	team := teams[0]
	tpath := "/admin/teams/" + strconv.FormatInt(team.ID, 10)
	_, body = b.get("/admin/teams")
	if !strings.Contains(body, "&lt;i&gt;Billing&lt;/i&gt; &amp; Co") || strings.Contains(body, "<i>Billing") ||
		!strings.Contains(body, `class="team-lead">Sam Supervisor`) {
		t.Error("teams page: name not escaped or lead missing")
	}

	agent := strconv.FormatInt(a.users["agent"].ID, 10)
	for _, bad := range []struct{ user, message string }{{"", "User: choose a user from the list"}, {"999999", "User: is not a known user"}} {
		resp, body := b.post(tpath+"/members", url.Values{"csrf_token": {csrf}, "user_id": {bad.user}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, bad.message) {
			t.Errorf("add member %q: %d %s", bad.user, resp.StatusCode, pageError(body))
		}
	}
	if resp, _ := b.post("/admin/teams/999999/members", url.Values{"csrf_token": {csrf}, "user_id": {agent}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("add to an unknown team: %d", resp.StatusCode)
	}
	mustPost(t, b, tpath+"/members", url.Values{"csrf_token": {csrf}, "user_id": {agent}})
	if ids, _ := a.store.Teams.UserTeams(ctx, a.users["agent"].ID); len(ids) != 1 || ids[0] != team.ID {
		t.Fatalf("agent's teams after adding: %v", ids)
	}
	if _, body := b.get("/admin/users"); !strings.Contains(body, "&lt;i&gt;Billing&lt;/i&gt; &amp; Co</span>") {
		t.Error("the users list does not show the agent's team")
	}
	mustPost(t, b, tpath+"/members/"+agent+"/remove", url.Values{"csrf_token": {csrf}})
	if ids, _ := a.store.Teams.UserTeams(ctx, a.users["agent"].ID); len(ids) != 0 {
		t.Fatalf("agent's teams after removing: %v", ids)
	}
	if resp, body := b.post(tpath+"/members/"+agent+"/remove", url.Values{"csrf_token": {csrf}}); resp.StatusCode != http.StatusNotFound ||
		!strings.Contains(body, "is not a member") {
		t.Errorf("remove a non-member: %d %s", resp.StatusCode, pageError(body))
	}

	// Delete: a confirm page first, then the post.
	resp, body = b.get(tpath + "/delete")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="confirm-delete-team"`) || !strings.Contains(body, "&lt;i&gt;Billing") {
		t.Fatalf("confirm page: %d", resp.StatusCode)
	}
	if teams, _ := a.store.Teams.ListTeams(ctx); len(teams) != 1 {
		t.Fatal("the confirm page deleted the team")
	}
	if resp, _ := b.get("/admin/teams/999999/delete"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("confirm an unknown team: %d", resp.StatusCode)
	}
	if resp := mustPost(t, b, tpath+"/delete", url.Values{"csrf_token": {csrf}}); resp.Header.Get("Location") != "/admin/teams?done=deleted" {
		t.Errorf("delete: %q", resp.Header.Get("Location"))
	}
	if teams, _ := a.store.Teams.ListTeams(ctx); len(teams) != 0 {
		t.Fatalf("teams after delete: %+v", teams)
	}
	if resp, _ := b.post(tpath+"/delete", url.Values{"csrf_token": {csrf}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("delete again: %d", resp.StatusCode)
	}
}
