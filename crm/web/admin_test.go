package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
	"hotline/crm/web"
)

// generatedPassword is what the admin pages' password generator returns in
// these tests.
const generatedPassword = "GENE-RATE-DPAS-SWRD"

// adminSite is a site with the admin pages mounted; refreshes counts the
// calls of AgentsChanged.
type adminSite struct {
	*site
	api       *httpapi.Server
	refreshes atomic.Int32
	users     map[string]crm.User // admin, supervisor, agent
}

func newAdminSite(t *testing.T) *adminSite { t.Helper(); return newAdminSiteWith(t, false) }

// newAdminSiteWith is newAdminSite with, when desk is set, the service
// desk's API and pages too (where SLA plans apply).
func newAdminSiteWith(t *testing.T, desk bool) *adminSite {
	t.Helper()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	if desk {
		httpapi.RegisterTickets(api, ticketAPI(st))
	}
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	if desk {
		pages.MountTickets(ticketPageDeps(st, true))
	}
	a := &adminSite{api: api, users: map[string]crm.User{}}
	pages.MountAdmin(web.AdminPageDeps{Users: st.Users, Sessions: st.Sessions, Teams: st.Teams, SLAPlans: st.SLA,
		AgentsChanged: func(context.Context) error { a.refreshes.Add(1); return nil },
		NewPassword:   func() string { return generatedPassword },
	})
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	for _, u := range []crm.User{
		{Login: "admin", Name: "Anna Admin", Role: crm.RoleAdmin},
		{Login: "supervisor", Name: "Sam Supervisor", Role: crm.RoleSupervisor},
		{Login: "agent", Name: "Alex Agent", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1001"}},
	} {
		created, err := auth.CreateUser(context.Background(), st.Users, u, adminPassword)
		if err != nil {
			t.Fatal(err)
		}
		a.users[u.Login] = created
	}
	a.site = &site{t: t, store: st, ts: ts}
	return a
}

// loginWith signs in with a password other than adminPassword and returns
// the CSRF token, or "" when the sign-in is refused.
func (b *browser) loginWith(login, password string) string {
	b.s.t.Helper()
	resp, _ := b.post("/login", url.Values{"login": {login}, "password": {password}, "next": {"/clients"}})
	if resp.StatusCode != http.StatusSeeOther {
		return ""
	}
	_, body := b.get("/clients")
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		b.s.t.Fatalf("no CSRF token after signing in as %s", login)
	}
	return html.UnescapeString(m[1])
}

// adminRoutes lists every route under /admin the router serves, with
// {id} and {user} filled in from ids.
func (a *adminSite) adminRoutes(t *testing.T, ids map[string]string) (gets, posts []string) {
	t.Helper()
	err := chi.Walk(a.api.Router(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if !strings.HasPrefix(route, "/admin") {
			return nil
		}
		for k, v := range ids {
			route = strings.ReplaceAll(route, "{"+k+"}", v)
		}
		switch method {
		case http.MethodGet:
			gets = append(gets, route)
		case http.MethodPost:
			posts = append(posts, route)
		default:
			t.Errorf("unexpected admin route %s %s", method, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(gets) < 6 || len(posts) < 9 {
		t.Fatalf("only %d GET and %d POST admin routes: %v %v", len(gets), len(posts), gets, posts)
	}
	return gets, posts
}

// onlyUnder keeps the paths that are one of prefixes exactly or under
// the first.
func onlyUnder(paths []string, prefixes ...string) []string {
	var out []string
	for _, p := range paths {
		if strings.HasPrefix(p, prefixes[0]) || slices.Contains(prefixes, p) {
			out = append(out, p)
		}
	}
	return out
}

// sneakyForm is a form that, posted to any admin route by someone allowed,
// would change something: a new admin, a renamed or disabled user, a new
// password, a team, a member, a team's lead, a new or changed SLA plan.
func sneakyForm(csrf string, memberID int64) url.Values {
	v := url.Values{"csrf_token": {csrf}, "login": {"sneaky"}, "name": {"Sneaky"}, "role": {"admin"},
		"endpoints": {"PJSIP/6666"}, "password": {"sneaky-password"}, "action": {"set"},
		"lead": {strconv.FormatInt(memberID, 10)}, "user_id": {strconv.FormatInt(memberID, 10)}}
	for k, vs := range planValues(service.StandardPlan()) {
		if _, ok := v[k]; !ok {
			v[k] = vs
		}
	}
	v.Set("default", "1")
	return v
}

// TestAdminPagesForbidOtherRoles: every admin route, GET and POST, answers
// 403 to agents and supervisors (with a valid CSRF token) and changes
// nothing; they see no Admin menu; anonymous visitors go to sign in.
func TestAdminPagesForbidOtherRoles(t *testing.T) {
	t.Parallel()
	a := newAdminSite(t)
	ctx := context.Background()
	team := service.Team{Name: "Billing", Members: []int64{a.users["agent"].ID}}
	must(t, a.store.Teams.CreateTeam(ctx, &team))
	gets, posts := a.adminRoutes(t, map[string]string{
		"id": strconv.FormatInt(a.users["agent"].ID, 10), "user": strconv.FormatInt(a.users["agent"].ID, 10)})
	teamGets, teamPosts := a.adminRoutes(t, map[string]string{
		"id": strconv.FormatInt(team.ID, 10), "user": strconv.FormatInt(a.users["agent"].ID, 10)})
	planGets, planPosts := a.adminRoutes(t, map[string]string{"id": strconv.FormatInt(a.plan(t).ID, 10)})
	gets, posts = append(onlyUnder(gets, "/admin/users", "/admin"), onlyUnder(teamGets, "/admin/teams")...),
		append(onlyUnder(posts, "/admin/users"), onlyUnder(teamPosts, "/admin/teams")...)
	gets, posts = append(gets, onlyUnder(planGets, "/admin/sla-plans")...), append(posts, onlyUnder(planPosts, "/admin/sla-plans")...)
	for _, want := range []string{"/admin/sla-plans", "/admin/sla-plans/new"} {
		if !slices.Contains(gets, want) {
			t.Fatalf("GET %s is not among the admin routes %v", want, gets)
		}
	}

	anon := a.browser()
	for _, path := range gets {
		if resp, _ := anon.get(path); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("anonymous GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	for _, role := range []string{"agent", "supervisor"} {
		b := a.browser()
		csrf := b.login(role)
		if _, body := b.get("/clients"); strings.Contains(body, "/admin/") || strings.Contains(body, "<summary>Admin</summary>") {
			t.Errorf("%s's nav links the admin pages", role)
		}
		for _, path := range gets {
			if resp, body := b.get(path); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "This page is for admins") {
				t.Errorf("%s GET %s: %d", role, path, resp.StatusCode)
			}
		}
		for _, path := range posts {
			if resp, _ := b.post(path, sneakyForm(csrf, a.users["supervisor"].ID)); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %d", role, path, resp.StatusCode)
			}
		}
	}
	a.assertUntouched(t, team)

	admin := a.browser()
	admin.login("admin")
	if _, body := admin.get("/clients"); !strings.Contains(body, "<summary>Admin</summary>") ||
		!strings.Contains(body, `href="/admin/users"`) || !strings.Contains(body, `href="/admin/teams"`) ||
		!strings.Contains(body, `href="/admin/sla-plans"`) {
		t.Error("admin's nav lacks the Admin menu with Users, Teams and SLA plans")
	}
	for _, path := range gets {
		resp, _ := admin.get(path)
		want := http.StatusOK
		if path == "/admin" {
			want = http.StatusSeeOther
		}
		if resp.StatusCode != want {
			t.Errorf("admin GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

// assertUntouched fails unless the users and the team are as newAdminSite
// and the test made them.
func (a *adminSite) assertUntouched(t *testing.T, team service.Team) {
	t.Helper()
	ctx := context.Background()
	users, err := a.store.Users.ListUsers(ctx)
	if err != nil || len(users) != 3 {
		t.Fatalf("users after forbidden posts: %d, %v", len(users), err)
	}
	for _, u := range users {
		if !equalUser(u, a.users[u.Login]) {
			t.Errorf("user %s changed: %+v", u.Login, u)
		}
	}
	teams, err := a.store.Teams.ListTeams(ctx)
	if err != nil || len(teams) != 1 || teams[0].Name != team.Name || fmt.Sprint(teams[0].Members) != fmt.Sprint(team.Members) ||
		teams[0].LeadID != nil {
		t.Errorf("teams after forbidden posts: %+v, %v", teams, err)
	}
	plans, err := a.store.SLA.ListSLAPlans(ctx)
	want := service.StandardPlan()
	if len(plans) == 1 {
		want.ID = plans[0].ID
	}
	if err != nil || len(plans) != 1 || fmt.Sprint(plans[0]) != fmt.Sprint(want) {
		t.Errorf("SLA plans after forbidden posts: %+v, %v", plans, err)
	}
	for login := range a.users {
		if a.browser().loginWith(login, adminPassword) == "" {
			t.Errorf("%s's password changed", login)
		}
	}
}

func equalUser(x, y crm.User) bool {
	return x.ID == y.ID && x.Login == y.Login && x.Name == y.Name && x.Role == y.Role && x.Disabled == y.Disabled &&
		strings.Join(x.Endpoints, ",") == strings.Join(y.Endpoints, ",")
}

// TestAdminPagesNeedCSRF: an admin's post without the CSRF token is
// refused on every admin route, and nothing changes.
func TestAdminPagesNeedCSRF(t *testing.T) {
	t.Parallel()
	a := newAdminSite(t)
	team := service.Team{Name: "Billing", Members: []int64{a.users["agent"].ID}}
	must(t, a.store.Teams.CreateTeam(context.Background(), &team))
	_, posts := a.adminRoutes(t, map[string]string{
		"id": strconv.FormatInt(team.ID, 10), "user": strconv.FormatInt(a.users["agent"].ID, 10)})
	_, userPosts := a.adminRoutes(t, map[string]string{"id": strconv.FormatInt(a.users["agent"].ID, 10), "user": "1"})
	b := a.browser()
	b.login("admin")
	for _, path := range append(posts, userPosts...) {
		for _, token := range []string{"", "forged-token"} {
			if resp, _ := b.post(path, sneakyForm(token, a.users["supervisor"].ID)); resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with CSRF token %q: %d", path, token, resp.StatusCode)
			}
		}
	}
	a.assertUntouched(t, team)
	if n := a.refreshes.Load(); n != 0 {
		t.Errorf("roster reloaded %d times after refused posts", n)
	}
}

var userLinkRe = regexp.MustCompile(`/admin/users/(\d+)`)

// createdID is the user id a create redirect names.
func createdID(t *testing.T, resp *http.Response) int64 {
	t.Helper()
	m := userLinkRe.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("create user: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}
