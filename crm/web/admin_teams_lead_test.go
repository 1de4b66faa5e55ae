package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"hotline/crm/service"
)

// TestAdminTeamLead: an admin changes a team's lead from its select; the
// new lead joins the members and the old one stays; a bad choice comes back
// with a message and the choice kept; "no lead" clears it.
func TestAdminTeamLead(t *testing.T) {
	t.Parallel()
	a := newAdminSite(t)
	ctx := context.Background()
	agent, sup := a.users["agent"].ID, a.users["supervisor"].ID
	team := service.Team{Name: "Billing", LeadID: &agent, Members: []int64{agent}}
	must(t, a.store.Teams.CreateTeam(ctx, &team))
	b := a.browser()
	csrf := b.login("admin")
	id := strconv.FormatInt(team.ID, 10)
	_, body := b.get("/admin/teams")
	if !strings.Contains(body, `<select name="lead" id="team-lead-`+id+`"`) ||
		!strings.Contains(body, `<option value="`+strconv.FormatInt(agent, 10)+`" selected>Alex Agent (agent)</option>`) {
		t.Fatalf("no lead select with the current lead chosen: %s", body)
	}
	lead := func() service.Team {
		t.Helper()
		teams, err := a.store.Teams.ListTeams(ctx)
		if err != nil || len(teams) != 1 {
			t.Fatalf("teams: %+v, %v", teams, err)
		}
		return teams[0]
	}
	resp := mustPost(t, b, "/admin/teams/"+id+"/lead", url.Values{"csrf_token": {csrf}, "lead": {strconv.FormatInt(sup, 10)}})
	if loc := resp.Header.Get("Location"); loc != "/admin/teams?done=lead#team-"+id {
		t.Fatalf("change lead: redirect %q", loc)
	}
	if got := lead(); got.LeadID == nil || *got.LeadID != sup || !slices.Contains(got.Members, sup) || !slices.Contains(got.Members, agent) {
		t.Fatalf("after changing the lead: %+v, want the supervisor leading and both members", got)
	}
	_, body = b.get("/admin/teams?done=lead")
	if !strings.Contains(body, `<span class="team-lead">Sam Supervisor</span>`) || !strings.Contains(body, "Lead changed") {
		t.Errorf("teams page after the change lacks the new lead or the confirmation")
	}
	for _, c := range []struct{ lead, msg string }{{"boss", "Lead: choose a lead from the list"}, {"999999", "Lead: is not a known user"}} {
		resp, body := b.post("/admin/teams/"+id+"/lead", url.Values{"csrf_token": {csrf}, "lead": {c.lead}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.msg) {
			t.Errorf("lead %q: %d %s", c.lead, resp.StatusCode, pageError(body))
		}
	}
	if resp, _ := b.post("/admin/teams/999999/lead", url.Values{"csrf_token": {csrf}, "lead": {""}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown team: %d, want 404", resp.StatusCode)
	}
	mustPost(t, b, "/admin/teams/"+id+"/lead", url.Values{"csrf_token": {csrf}, "lead": {""}})
	if got := lead(); got.LeadID != nil || len(got.Members) != 2 {
		t.Errorf("after choosing no lead: %+v, want no lead and the members kept", got)
	}
}
