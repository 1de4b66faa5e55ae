package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/auth"
)

// userForm is a valid add-user form; tests spoil one field at a time.
func userForm(csrf string) url.Values {
	return url.Values{"csrf_token": {csrf}, "login": {"olga"}, "name": {"Olga Operator"}, "role": {"agent"},
		"endpoints": {"PJSIP/1002, PJSIP/1002b"}, "password": {"olga-password"}}
}

// TestAdminAddUserBadInput: each bad form comes back with its status, a
// message naming the problem, the values typed (never the password) and
// any markup escaped; nothing is stored until the form is good.
func TestAdminAddUserBadInput(t *testing.T) {
	t.Parallel()
	a := newAdminSite(t)
	b := a.browser()
	csrf := b.login("admin")
	if resp, body := b.get("/admin/users/new"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="user-form"`) {
		t.Fatalf("add form: %d", resp.StatusCode)
	}
	for _, tc := range []struct {
		name, field, value string
		status             int
		message            string
	}{
		{"duplicate login", "login", "agent", http.StatusConflict, "Login: is already taken"},
		{"login with spaces", "login", "olga o", http.StatusUnprocessableEntity, "Login: must be 2-64 characters"},
		{"unknown role", "role", "god", http.StatusUnprocessableEntity, "Role: must be one of agent, supervisor, admin"},
		{"short password", "password", "short", http.StatusUnprocessableEntity, "Password: must be at least 8 characters"},
		{"endpoint without technology", "endpoints", "1001", http.StatusUnprocessableEntity, `Endpoints: &#34;1001&#34; is not a TECH/resource endpoint`},
		{"endpoint of another user", "endpoints", "PJSIP/1001", http.StatusConflict, "Endpoints: endpoint PJSIP/1001 already belongs to user agent"},
		{"injection in an endpoint", "endpoints", `PJSIP/1'; DROP TABLE users;--`, http.StatusUnprocessableEntity, "is not a TECH/resource endpoint"},
		{"NUL in the name", "name", "Olga\x00", http.StatusUnprocessableEntity, "Name: must not contain NUL characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := userForm(csrf)
			form.Set("name", `<script>alert("olga")</script>`)
			form.Set(tc.field, tc.value)
			resp, body := b.post("/admin/users", form)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.message) {
				t.Fatalf("status %d, want %d with %q in:\n%s", resp.StatusCode, tc.status, tc.message, pageError(body))
			}
			if !strings.Contains(body, `name="`+tc.field+`" id="`+tc.field+`"`) && tc.field != "role" && tc.field != "password" {
				t.Errorf("form field %s missing", tc.field)
			}
			if tc.field != "name" && !strings.Contains(body, `value="&lt;script&gt;alert(&#34;olga&#34;)&lt;/script&gt;"`) {
				t.Error("the typed name is not kept (escaped) on the form")
			}
			if strings.Contains(body, "<script>alert") {
				t.Error("the page contains the unescaped name")
			}
			if tc.field != "login" && !strings.Contains(body, `value="olga"`) {
				t.Error("the typed login is not kept")
			}
			if strings.Contains(body, "olga-password") || (tc.field == "password" && strings.Contains(body, `value="short"`)) {
				t.Error("the page shows the typed password back")
			}
			if !strings.Contains(body, `class="invalid"`) {
				t.Error("no field is marked invalid")
			}
		})
	}
	if users, _ := a.store.Users.ListUsers(context.Background()); len(users) != 3 {
		t.Fatalf("%d users after the rejected forms, want 3", len(users))
	}
	if n := a.refreshes.Load(); n != 0 {
		t.Errorf("roster reloaded %d times for rejected forms", n)
	}

	// The good form: escaped on the list, the roster told, the user signs in.
	form := userForm(csrf)
	form.Set("name", `<img src=x onerror=alert(1)>`)
	id := createdID(t, mustPost(t, b, "/admin/users", form))
	if a.refreshes.Load() != 1 {
		t.Errorf("roster reloads after adding an agent: %d, want 1", a.refreshes.Load())
	}
	u, err := a.store.Users.GetUser(context.Background(), id)
	if err != nil || u.Login != "olga" || u.Role != crm.RoleAgent || strings.Join(u.Endpoints, ",") != "PJSIP/1002,PJSIP/1002b" {
		t.Fatalf("stored user %+v, %v", u, err)
	}
	_, body := b.get("/admin/users")
	if !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") || strings.Contains(body, "<img src=x") {
		t.Error("the users list does not escape the name")
	}
	if !strings.Contains(body, "PJSIP/1002, PJSIP/1002b") {
		t.Error("the users list lacks the endpoints")
	}
	if a.browser().loginWith("olga", "olga-password") == "" {
		t.Error("the new agent cannot sign in")
	}
}

func mustPost(t *testing.T, b *browser, path string, form url.Values) *http.Response {
	t.Helper()
	resp, body := b.post(path, form)
	if resp.StatusCode >= 400 {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, pageError(body))
	}
	return resp
}

// TestAdminUsersListAndGeneratedPassword: the list filters by role; an
// empty password is generated and shown once, and works.
func TestAdminUsersListAndGeneratedPassword(t *testing.T) {
	t.Parallel()
	a := newAdminSite(t)
	b := a.browser()
	csrf := b.login("admin")
	form := userForm(csrf)
	form.Set("password", "")
	form.Set("role", "supervisor")
	resp, body := b.post("/admin/users", form)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `id="generated-password">`+generatedPassword+"<") {
		t.Fatalf("generated password page: %d %s", resp.StatusCode, pageError(body))
	}
	if a.browser().loginWith("olga", generatedPassword) == "" {
		t.Error("the generated password does not sign in")
	}
	olga, _, err := a.store.Users.GetUserByLogin(context.Background(), "olga")
	if err != nil {
		t.Fatal(err)
	}
	if _, body := b.get("/admin/users/" + strconv.FormatInt(olga.ID, 10)); strings.Contains(body, generatedPassword) {
		t.Error("the user's page shows the generated password again")
	}
	for role, want := range map[string][]string{"": {"admin", "supervisor", "agent", "olga"}, "agent": {"agent"},
		"supervisor": {"supervisor", "olga"}, "admin": {"admin"}, "nonsense": {"admin", "supervisor", "agent", "olga"}} {
		_, body := b.get("/admin/users?role=" + role)
		rows := strings.Count(body, `class="user-row`)
		if rows != len(want) {
			t.Errorf("role %q: %d rows, want %d", role, rows, len(want))
		}
		for _, login := range want {
			if !strings.Contains(body, `id="user-`+login+`"`) {
				t.Errorf("role %q: no row for %s", role, login)
			}
		}
	}
	if _, body := b.get("/admin/users?role=admin"); !strings.Contains(body, "(you)") || !strings.Contains(body, "within 30 seconds") {
		t.Error("the list does not mark the signed-in admin or say when other replicas reload")
	}
}

// TestAdminEditUser: name, role and endpoints change (and tell the
// roster); bad input keeps the values; an admin cannot disable themselves
// or demote the last admin; disabled users cannot sign in; a new password
// signs the user out.
func TestAdminEditUser(t *testing.T) {
	t.Parallel()
	a := newAdminSite(t)
	ctx := context.Background()
	b := a.browser()
	csrf := b.login("admin")
	agent := a.users["agent"]
	path := "/admin/users/" + strconv.FormatInt(agent.ID, 10)
	if resp, body := b.get(path); resp.StatusCode != http.StatusOK || !strings.Contains(body, `value="PJSIP/1001"`) {
		t.Fatalf("edit page: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/admin/users/999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown user: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/admin/users/abc"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("user abc: %d", resp.StatusCode)
	}

	bad := url.Values{"csrf_token": {csrf}, "name": {"Alex <b>Bold</b>"}, "role": {"agent"}, "endpoints": {"PJSIP/1005, sip:1006"}}
	resp, body := b.post(path, bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "sip:1006") ||
		!strings.Contains(body, `value="Alex &lt;b&gt;Bold&lt;/b&gt;"`) || !strings.Contains(body, `value="PJSIP/1005, sip:1006"`) {
		t.Fatalf("bad endpoint: %d %s", resp.StatusCode, pageError(body))
	}
	bad.Set("endpoints", "PJSIP/1005")
	bad.Set("role", "root")
	if resp, body := b.post(path, bad); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Role: must be one of") {
		t.Fatalf("bad role: %d %s", resp.StatusCode, pageError(body))
	}
	if got, _ := a.store.Users.GetUser(ctx, agent.ID); !equalUser(got, agent) {
		t.Fatalf("rejected edits changed the user: %+v", got)
	}

	good := url.Values{"csrf_token": {csrf}, "name": {"Alex Renamed"}, "role": {"supervisor"}, "endpoints": {"PJSIP/1005\nPJSIP/1006"}}
	if resp := mustPost(t, b, path, good); resp.Header.Get("Location") != path+"?done=saved" {
		t.Fatalf("save: %q", resp.Header.Get("Location"))
	}
	got, err := a.store.Users.GetUser(ctx, agent.ID)
	if err != nil || got.Name != "Alex Renamed" || got.Role != crm.RoleSupervisor || strings.Join(got.Endpoints, ",") != "PJSIP/1005,PJSIP/1006" {
		t.Fatalf("saved user %+v, %v", got, err)
	}
	if a.refreshes.Load() != 1 {
		t.Errorf("roster reloads after an endpoint change: %d, want 1", a.refreshes.Load())
	}
	if _, body := b.get(path + "?done=saved"); !strings.Contains(body, "Changes saved.") {
		t.Error("no confirmation after saving")
	}

	// Self-protection: as in the API, no disabling yourself; the store keeps the last admin.
	self := "/admin/users/" + strconv.FormatInt(a.users["admin"].ID, 10)
	if resp, body := b.post(self+"/disable", url.Values{"csrf_token": {csrf}}); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "you cannot disable yourself") {
		t.Errorf("disable yourself: %d %s", resp.StatusCode, pageError(body))
	}
	demote := url.Values{"csrf_token": {csrf}, "name": {"Anna Admin"}, "role": {"agent"}, "endpoints": {""}}
	if resp, body := b.post(self, demote); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "last enabled admin") {
		t.Errorf("demote the last admin: %d %s", resp.StatusCode, pageError(body))
	}
	if got, _ := a.store.Users.GetUser(ctx, a.users["admin"].ID); got.Role != crm.RoleAdmin || got.Disabled {
		t.Fatalf("the last admin changed: %+v", got)
	}
	// With a second admin, an admin may step down (as in the API) and
	// loses the admin pages.
	admin2, err := auth.CreateUser(ctx, a.store.Users, crm.User{Login: "admin2", Role: crm.RoleAdmin}, adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	other := a.browser()
	stepDown := url.Values{"csrf_token": {other.login("admin2")}, "name": {"Former admin"}, "role": {"agent"}}
	if resp := mustPost(t, other, "/admin/users/"+strconv.FormatInt(admin2.ID, 10), stepDown); resp.Header.Get("Location") != "/clients" {
		t.Errorf("step down: %q", resp.Header.Get("Location"))
	}
	if resp, _ := other.get("/admin/users"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an admin who stepped down opens the admin pages: %d", resp.StatusCode)
	}

	// Disable and enable another user.
	victim := a.browser()
	if victim.loginWith("supervisor", adminPassword) == "" {
		t.Fatal("supervisor cannot sign in")
	}
	sup := "/admin/users/" + strconv.FormatInt(a.users["supervisor"].ID, 10)
	mustPost(t, b, sup+"/disable", url.Values{"csrf_token": {csrf}})
	if resp, _ := victim.get("/clients"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a disabled user's session still works: %d", resp.StatusCode)
	}
	if a.browser().loginWith("supervisor", adminPassword) != "" {
		t.Error("a disabled user can sign in")
	}
	if _, body := b.get("/admin/users"); !strings.Contains(body, "disabled") {
		t.Error("the list does not show the user disabled")
	}
	mustPost(t, b, sup+"/enable", url.Values{"csrf_token": {csrf}})
	if resp, _ := victim.get("/clients"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("enabling the user revived their old session: %d", resp.StatusCode)
	}
	if victim.loginWith("supervisor", adminPassword) == "" {
		t.Error("an enabled user cannot sign in")
	}

	// New passwords: too short is refused; typed and generated ones work and sign the user out.
	if resp, body := b.post(sup+"/password", url.Values{"csrf_token": {csrf}, "action": {"set"}, "password": {"1234567"}}); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "Password: must be at least 8 characters") {
		t.Errorf("short password: %d %s", resp.StatusCode, pageError(body))
	}
	mustPost(t, b, sup+"/password", url.Values{"csrf_token": {csrf}, "action": {"set"}, "password": {"new-password-2"}})
	if resp, _ := victim.get("/clients"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("session survived a new password: %d", resp.StatusCode)
	}
	if a.browser().loginWith("supervisor", "new-password-2") == "" {
		t.Error("the new password does not sign in")
	}
	resp, body = b.post(sup+"/password", url.Values{"csrf_token": {csrf}, "action": {"generate"}, "password": {""}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, generatedPassword) {
		t.Fatalf("generate a password: %d %s", resp.StatusCode, pageError(body))
	}
	if a.browser().loginWith("supervisor", generatedPassword) == "" {
		t.Error("the generated password does not sign in")
	}
}
