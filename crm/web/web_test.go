package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/web"
)

const adminPassword = "admin-password-1"

type site struct {
	t     *testing.T
	store *postgres.Services
	ts    *httptest.Server
}

func newSite(t *testing.T) *site {
	t.Helper()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.AddNav(web.NavItem{Label: "Reports", Path: "/reports", Roles: []crm.Role{crm.RoleSupervisor, crm.RoleAdmin}})
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	if _, err := auth.CreateUser(context.Background(), st.Users, crm.User{Login: "admin", Name: "Anna Admin", Role: crm.RoleAdmin}, adminPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.CreateUser(context.Background(), st.Users, crm.User{Login: "agent", Name: "Alex Agent", Role: crm.RoleAgent}, adminPassword); err != nil {
		t.Fatal(err)
	}
	return &site{t: t, store: st, ts: ts}
}

type browser struct {
	s  *site
	hc *http.Client
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (*http.Response, string) {
	b.s.t.Helper()
	resp, err := b.hc.Get(b.s.ts.URL + path)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.s.t.Helper()
	resp, err := b.hc.PostForm(b.s.ts.URL+path, form)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (b *browser) login(login string) string {
	b.s.t.Helper()
	resp, body := b.post("/login", url.Values{"login": {login}, "password": {adminPassword}, "next": {"/clients"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/clients" {
		b.s.t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	_, body = b.get("/clients")
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		b.s.t.Fatalf("no CSRF token on the page: %s", body)
	}
	return html.UnescapeString(m[1])
}

func TestLoginRequiredAndWrongPassword(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser()
	resp, _ := b.get("/clients/1")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fclients%2F1" {
		t.Fatalf("anonymous page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := b.post("/login", url.Values{"login": {"admin"}, "password": {"wrong"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong login or password") {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	resp, _ = b.post("/login", url.Values{"login": {"admin"}, "password": {adminPassword}, "next": {"//evil.example/"}})
	if loc := resp.Header.Get("Location"); loc != "/clients" {
		t.Fatalf("open redirect to %q", loc)
	}
	_, body = b.get("/clients")
	if !strings.Contains(body, "Reports") || !strings.Contains(body, "Anna Admin") {
		t.Fatal("nav for admin lacks the added item or the user")
	}
	agent := s.browser()
	agent.login("agent")
	if _, body := agent.get("/clients"); strings.Contains(body, "Reports") {
		t.Fatal("agent sees a supervisor nav item")
	}
	csrf := csrfRe.FindStringSubmatch(body)[1]
	if resp, _ := b.post("/logout", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without CSRF: %d", resp.StatusCode)
	}
	if resp, _ := b.post("/logout", url.Values{"csrf_token": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/clients"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout: %d", resp.StatusCode)
	}
}

func TestClientPagesEscapeAndCSRF(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser()
	csrf := b.login("admin")
	form := url.Values{"name": {`<script>alert("x")</script>`}, "company": {"'; DROP TABLE clients;--"},
		"priority": {"VIP"}, "phone": {"8 916 555-12-34"}, "tags": {"vip, <b>bold</b>"}, "notes": {"<img src=x onerror=alert(1)>"}}
	if resp, _ := b.post("/clients", form); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("create without CSRF: %d", resp.StatusCode)
	}
	form.Set("csrf_token", csrf)
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("phone", "12")
	resp, body := b.post("/clients", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "not a valid phone number") {
		t.Fatalf("invalid phone: %d", resp.StatusCode)
	}
	if page, _ := s.store.Clients.ListClients(context.Background(), crm.ClientFilter{}); len(page.Items) != 0 {
		t.Fatalf("stored %d clients from rejected forms", len(page.Items))
	}
	resp, _ = b.post("/clients", form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/clients/") {
		t.Fatalf("create: %d %q", resp.StatusCode, loc)
	}
	_, body = b.get(loc)
	for _, want := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "&#39;; DROP TABLE clients;--", "7 916 555-12-34", "&lt;img src=x onerror=alert(1)&gt;", "prio-vip"} {
		if !strings.Contains(body, want) {
			t.Errorf("client page lacks %q", want)
		}
	}
	if strings.Contains(body, `<script>alert`) || strings.Contains(body, "<img src=x") || strings.Contains(body, "<b>bold") {
		t.Error("client page contains unescaped payload")
	}
	resp, _ = b.post(loc+"/notes", url.Values{"csrf_token": {csrf}, "body": {"Called back </textarea><script>x</script>"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("note: %d", resp.StatusCode)
	}
	resp, body = b.post(loc+"/contacts", url.Values{"csrf_token": {csrf}, "kind": {"phone"}, "value": {"abc"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "contact-error") {
		t.Fatalf("bad contact: %d", resp.StatusCode)
	}
	resp, _ = b.post(loc+"/contacts", url.Values{"csrf_token": {csrf}, "kind": {"email"}, "value": {"boss@example.com"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add contact: %d", resp.StatusCode)
	}
	_, body = b.get(loc)
	if !strings.Contains(body, "Called back &lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;") || !strings.Contains(body, "boss@example.com") {
		t.Error("note or contact missing from the page")
	}
	for _, q := range []string{"555-12", "drop table", "script"} {
		_, body = b.get("/clients?q=" + url.QueryEscape(q))
		if !strings.Contains(body, `href="`+loc+`"`) {
			t.Errorf("search %q does not find the client", q)
		}
	}
	_, body = b.get("/clients?partial=1&q=5551234")
	if strings.Contains(body, "<html") || !strings.Contains(body, loc) {
		t.Errorf("partial search: %.200s", body)
	}
	big := url.Values{"csrf_token": {csrf}, "name": {strings.Repeat("x", 1<<20)}}
	if resp, _ := b.post("/clients", big); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("form over 1 MiB: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", s.ts.URL+loc+"/notes", strings.NewReader("body=stale&csrf_token=old"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	resp, err := b.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	stale, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(stale), "This form has expired") {
		t.Errorf("stale form: %d %s", resp.StatusCode, stale)
	}
	if page, _ := s.store.Clients.ListClients(context.Background(), crm.ClientFilter{}); len(page.Items) != 1 {
		t.Errorf("%d clients after the rejected forms, want 1", len(page.Items))
	}
	if resp, _ := b.get("/clients/999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing client: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/static/app.css"); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("static: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestEditClient(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser()
	csrf := b.login("agent")
	c := crm.Client{Kind: crm.ClientPerson, Name: "Old Name", Priority: "C", Tags: []string{"old"},
		Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74951112233"}}}
	if err := s.store.Clients.CreateClient(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	path := "/clients/" + strconv.FormatInt(c.ID, 10)
	resp, body := b.get(path + "/edit")
	if resp.StatusCode != 200 || !strings.Contains(body, `value="Old Name"`) || !strings.Contains(body, "Anna Admin") {
		t.Fatalf("edit page: %d", resp.StatusCode)
	}
	admin, _, err := s.store.Users.GetUserByLogin(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"csrf_token": {csrf}, "name": {"New Name"}, "kind": {"company"}, "priority": {"A"},
		"owner": {strconv.FormatInt(admin.ID, 10)}, "tags": {"x, y"}, "notes": {"n"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("priority", "NOPE")
	if resp, _ := b.post(path, bad); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad priority: %d", resp.StatusCode)
	}
	if got, _ := s.store.Clients.GetClient(context.Background(), c.ID); got.Name != "Old Name" || got.Priority != "C" {
		t.Fatalf("rejected edit changed the client: %+v", got)
	}
	if resp, _ := b.post(path, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	got, err := s.store.Clients.GetClient(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "New Name" || got.Kind != crm.ClientCompany || got.Priority != "A" || got.OwnerID == nil ||
		*got.OwnerID != admin.ID || strings.Join(got.Tags, ",") != "x,y" || len(got.Contacts) != 1 {
		t.Fatalf("edited client %+v", got)
	}
}
