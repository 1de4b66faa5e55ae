package postgres_test

import (
	"fmt"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// teamFixture is a team with one ticket routed to it and one document
// granted to it (read and write), an agent outside the team and the
// document's owner.
type teamFixture struct {
	e      *stockEnv
	team   service.Team
	ticket service.Ticket
	doc    int64
	agent  resource.Reader
	owner  resource.Reader
}

func newTeamFixture(t *testing.T, dsn string) *teamFixture {
	e := newStockEnv(t, dsn)
	f := &teamFixture{e: e, team: service.Team{Name: e.prefix + " Line 2"}}
	if err := e.st.Teams.CreateTeam(e.ctx, &f.team); err != nil {
		t.Fatal(err)
	}
	for _, who := range []struct {
		name string
		r    *resource.Reader
	}{{"agent", &f.agent}, {"owner", &f.owner}} {
		u := crm.User{Login: strings.ToLower(e.prefix) + "team" + who.name, Name: who.name, Role: crm.RoleAgent}
		if err := e.st.Users.CreateUser(e.ctx, &u, "x"); err != nil {
			t.Fatal(err)
		}
		*who.r = resource.Reader{UserID: u.ID, Role: u.Role}
	}
	f.ticket = service.Ticket{ClientID: e.client, Subject: "Line 2 ticket", TeamID: &f.team.ID}
	if err := e.st.Tickets.CreateTicket(e.ctx, &f.ticket); err != nil {
		t.Fatal(err)
	}
	d := resource.Document{Title: "Line 2 script", Category: resource.DocTechnical,
		Grants: []resource.Grant{{Kind: resource.GrantTeam, Who: fmt.Sprint(f.team.ID), Write: true}}}
	if err := e.st.Documents.CreateDocument(e.ctx, f.owner, &d, resource.Upload{Filename: "script.txt", Content: []byte("Greet, then listen.")}, 0); err != nil {
		t.Fatal(err)
	}
	f.doc = d.ID
	return f
}

// sees reports whether the agent sees the team's ticket (in the list and
// by CanSeeTicket, which must agree) and may read and write its document.
func (f *teamFixture) sees(t *testing.T) (ticket, readDoc, writeDoc bool) {
	t.Helper()
	v := &service.Viewer{UserID: f.agent.UserID, Role: f.agent.Role}
	page, err := f.e.st.Tickets.ListTickets(f.e.ctx, service.TicketFilter{ClientID: f.e.client, Viewer: v})
	if err != nil {
		t.Fatal(err)
	}
	can, err := f.e.st.Tickets.CanSeeTicket(f.e.ctx, v, f.ticket)
	if err != nil {
		t.Fatal(err)
	}
	if can != (len(page.Items) == 1) {
		t.Fatalf("CanSeeTicket %v but the list has %d tickets", can, len(page.Items))
	}
	d, err := f.e.st.Documents.GetDocument(f.e.ctx, f.agent, f.doc)
	if err != nil && !crm.IsKind(err, crm.KindNotFound) {
		t.Fatal(err)
	}
	return can, err == nil, err == nil && d.CanWrite
}

// testTeamMembershipOpensTicketsAndDocuments: one membership, added and
// removed through the teams store, opens and closes both the team's
// tickets and the team's documents.
func testTeamMembershipOpensTicketsAndDocuments(t *testing.T, dsn string) {
	f := newTeamFixture(t, dsn)
	if tk, r, w := f.sees(t); tk || r || w {
		t.Fatalf("before joining: ticket %v, document read %v write %v", tk, r, w)
	}
	if err := f.e.st.Teams.AddTeamMember(f.e.ctx, f.team.ID, f.agent.UserID); err != nil {
		t.Fatal(err)
	}
	if err := f.e.st.Teams.AddTeamMember(f.e.ctx, f.team.ID, f.agent.UserID); err != nil { // twice: still one membership
		t.Fatal(err)
	}
	if tk, r, w := f.sees(t); !tk || !r || !w {
		t.Fatalf("member: ticket %v, document read %v write %v; want all", tk, r, w)
	}
	if ids, err := f.e.st.Teams.UserTeams(f.e.ctx, f.agent.UserID); err != nil || fmt.Sprint(ids) != fmt.Sprint([]int64{f.team.ID}) {
		t.Fatalf("user teams %v %v", ids, err)
	}
	teams, err := f.e.st.Teams.ListTeams(f.e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if tm.ID == f.team.ID && fmt.Sprint(tm.Members) != fmt.Sprint([]int64{f.agent.UserID}) {
			t.Fatalf("team members %v", tm.Members)
		}
	}
	if err := f.e.st.Teams.RemoveTeamMember(f.e.ctx, f.team.ID, f.agent.UserID); err != nil {
		t.Fatal(err)
	}
	if tk, r, w := f.sees(t); tk || r || w {
		t.Fatalf("after leaving: ticket %v, document read %v write %v", tk, r, w)
	}
	// Bad input: a clear error, nothing stored.
	if err := f.e.st.Teams.RemoveTeamMember(f.e.ctx, f.team.ID, f.agent.UserID); !crm.IsKind(err, crm.KindNotFound) {
		t.Errorf("remove a non-member: %v, want not found", err)
	}
	if err := f.e.st.Teams.AddTeamMember(f.e.ctx, f.team.ID+1_000_000, f.agent.UserID); !crm.IsKind(err, crm.KindNotFound) {
		t.Errorf("join an unknown team: %v, want not found", err)
	}
	var ce *crm.Error
	if err := f.e.st.Teams.AddTeamMember(f.e.ctx, f.team.ID, f.agent.UserID+1_000_000); !asError(err, &ce) || ce.Kind != crm.KindInvalid || ce.Field != "user_id" {
		t.Errorf("add an unknown user: %v, want invalid user_id", err)
	}
	if ids, _ := f.e.st.Teams.UserTeams(f.e.ctx, f.agent.UserID); len(ids) != 0 {
		t.Errorf("failed calls left memberships %v", ids)
	}
}

// testDeleteTeamRemovesGrants: deleting a team takes its grants off its
// documents (the rest of their grants stay), unassigns its tickets and
// ends its memberships.
func testDeleteTeamRemovesGrants(t *testing.T, dsn string) {
	f := newTeamFixture(t, dsn)
	if err := f.e.st.Teams.AddTeamMember(f.e.ctx, f.team.ID, f.agent.UserID); err != nil {
		t.Fatal(err)
	}
	grants := []resource.Grant{{Kind: resource.GrantTeam, Who: fmt.Sprint(f.team.ID), Write: true}, {Kind: resource.GrantRole, Who: "supervisor"}}
	if err := f.e.st.Documents.SetDocumentGrants(f.e.ctx, f.owner, f.doc, grants); err != nil {
		t.Fatal(err)
	}
	if err := f.e.st.Teams.DeleteTeam(f.e.ctx, f.team.ID); err != nil {
		t.Fatal(err)
	}
	d, err := f.e.st.Documents.GetDocument(f.e.ctx, f.owner, f.doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Grants) != 1 || d.Grants[0].Kind != resource.GrantRole {
		t.Fatalf("grants after deleting the team: %+v", d.Grants)
	}
	if _, err := f.e.st.Documents.GetDocument(f.e.ctx, f.agent, f.doc); !crm.IsKind(err, crm.KindNotFound) {
		t.Fatalf("former member reads the document: %v", err)
	}
	tk, err := f.e.st.Tickets.GetTicket(f.e.ctx, f.ticket.ID)
	if err != nil || tk.TeamID != nil {
		t.Fatalf("ticket after deleting its team: team %v, %v", tk.TeamID, err)
	}
	if ids, _ := f.e.st.Teams.UserTeams(f.e.ctx, f.agent.UserID); len(ids) != 0 {
		t.Fatalf("memberships outlive the team: %v", ids)
	}
	if err := f.e.st.Teams.DeleteTeam(f.e.ctx, f.team.ID); !crm.IsKind(err, crm.KindNotFound) {
		t.Fatalf("delete twice: %v, want not found", err)
	}
	// A grant to the deleted team is refused, not stored dangling.
	if err := f.e.st.Documents.SetDocumentGrants(f.e.ctx, f.owner, f.doc, grants); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("grant to a deleted team: %v, want invalid", err)
	}
}
