package web_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserAdminAddsAgentToTeam is an admin's first day: add an agent with
// an endpoint from the Admin menu, see that the agent can sign in (and has
// no Admin menu), then put the agent in a new team.
func TestBrowserAdminAddsAgentToTeam(t *testing.T) {
	t.Parallel()
	a := newAdminSite(t)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	u := a.ts.URL
	signIn := func(login, password string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(u+"/clients"),
			chromedp.WaitVisible(chromedp.ID("login-form")),
			chromedp.SendKeys(chromedp.ID("login"), login),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.ID("login-submit")),
			chromedp.WaitVisible(chromedp.ID("logout")),
		)
	}

	must(t, chromedp.Do(tctx,
		signIn("admin", adminPassword),
		chromedp.Click(chromedp.CSS(`details.nav-group summary`)),
		chromedp.WaitVisible(chromedp.CSS(`.nav-menu a[href="/admin/users"]`)),
		chromedp.Click(chromedp.CSS(`.nav-menu a[href="/admin/users"]`)),
		chromedp.WaitVisible(chromedp.ID("add-user")),
		chromedp.Click(chromedp.ID("add-user")),
		chromedp.WaitVisible(chromedp.ID("user-form")),
		chromedp.SendKeys(chromedp.ID("login"), "bob"),
		chromedp.SendKeys(chromedp.ID("name"), "Bob Builder"),
		chromedp.SetValue(chromedp.ID("role"), "agent"),
		chromedp.SendKeys(chromedp.ID("endpoints"), "PJSIP/1010"),
		chromedp.SendKeys(chromedp.ID("password"), "bob-password-1"),
		chromedp.Click(chromedp.ID("save-user")),
		chromedp.WaitVisible(chromedp.ID("user-login")),
	))
	login, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID("user-login")))
	if err != nil || login != "bob" {
		t.Fatalf("user page after adding: %q, %v", login, err)
	}
	bob, _, err := a.store.Users.GetUserByLogin(context.Background(), "bob")
	if err != nil || len(bob.Endpoints) != 1 || bob.Endpoints[0] != "PJSIP/1010" || string(bob.Role) != "agent" {
		t.Fatalf("stored agent %+v, %v", bob, err)
	}
	if n := a.refreshes.Load(); n != 1 {
		t.Errorf("roster reloads after adding the agent: %d, want 1", n)
	}

	// The agent signs in and has no Admin menu.
	must(t, chromedp.Do(tctx,
		chromedp.Click(chromedp.ID("logout")),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		signIn("bob", "bob-password-1"),
	))
	who, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID("who-name")))
	if err != nil || who != "Bob Builder" {
		t.Fatalf("signed in as %q, %v", who, err)
	}
	adminLinks, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll('a[href^="/admin"]').length`))
	if err != nil || adminLinks != 0 {
		t.Errorf("the agent sees %d admin links (%v)", adminLinks, err)
	}

	// The admin puts the agent in a new team.
	must(t, chromedp.Do(tctx,
		chromedp.Click(chromedp.ID("logout")),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		signIn("admin", adminPassword),
		chromedp.Navigate(u+"/admin/teams"),
		chromedp.WaitVisible(chromedp.ID("team-form")),
		chromedp.SendKeys(chromedp.ID("team-name"), "Second line"),
		chromedp.Click(chromedp.ID("create-team")),
		chromedp.WaitVisible(chromedp.CSS(`section.team select[name="user_id"]`)),
	))
	teams, err := a.store.Teams.ListTeams(context.Background())
	if err != nil || len(teams) != 1 {
		t.Fatalf("teams after creating one: %+v, %v", teams, err)
	}
	id := strconv.FormatInt(teams[0].ID, 10)
	must(t, chromedp.Do(tctx,
		chromedp.SetValue(chromedp.ID("add-member-"+id), strconv.FormatInt(bob.ID, 10)),
		chromedp.Click(chromedp.ID("add-member-submit-"+id)),
		chromedp.WaitVisible(chromedp.CSS("#team-"+id+"-member-bob")),
	))
	ids, err := a.store.Teams.UserTeams(context.Background(), bob.ID)
	if err != nil || len(ids) != 1 || ids[0] != teams[0].ID {
		t.Fatalf("bob's teams %v, %v", ids, err)
	}
}
