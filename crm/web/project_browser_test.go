package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
)

// TestBrowserProjectImportAndClient: a project for a client shows the
// client on its page and is listed on the client card; a supervisor
// uploads an MSPDI file in which the second task now starts before the
// first finishes: the dates are taken and the broken dependency is said.
func TestBrowserProjectImportAndClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountPlans(planPageDeps(st))
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	if _, err := auth.CreateUser(ctx, st.Users, crm.User{Login: "sveta", Name: "Светлана Супервизорова", Role: crm.RoleSupervisor, Language: "ru"}, adminPassword); err != nil {
		t.Fatal(err)
	}
	c := crm.Client{Kind: crm.ClientCompany, Name: "ООО «Ромашка»"}
	if err := st.Clients.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	p := resource.Project{Name: "Внедрение АТС", ClientID: &c.ID, Start: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC),
		Tasks: []resource.Task{{Name: "Монтаж", DurationDays: 2}, {Name: "Настройка", DurationDays: 1, DependsOn: []int64{1}}}}
	if err := st.Projects.CreateProject(ctx, &p); err != nil {
		t.Fatal(err)
	}
	p, err = st.Projects.GetProject(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var x bytes.Buffer
	if err := resource.ExportMSPDI(&x, p); err != nil {
		t.Fatal(err)
	}
	// The second task moved to the first's first day.
	second := p.Tasks[1]
	re := regexp.MustCompile(fmt.Sprintf(`(<UID>%d</UID>(?s:.*?)<Start>)[^<]*(</Start>\s*<Finish>)[^<]*(</Finish>)`, second.ID))
	moved := re.ReplaceAllString(x.String(), "${1}2026-12-07T08:00:00${2}2026-12-07T17:00:00${3}")
	if moved == x.String() {
		t.Fatalf("could not move the task in %s", x.String())
	}
	file := filepath.Join(t.TempDir(), "plan.xml")
	if err := os.WriteFile(file, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	bctx := newChrome(t)
	tctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	u := ts.URL + "/projects/" + strconv.FormatInt(p.ID, 10)
	err = chromedp.Do(tctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "sveta"), chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("mspdi-form")))
	if err != nil {
		t.Fatalf("project page: %v", err)
	}
	if got := textOf(t, tctx, "#project-client"); !strings.Contains(got, "ООО «Ромашка»") {
		t.Fatalf("project's client %q", got)
	}
	err = chromedp.Do(tctx, chromedp.SetUploadFiles(chromedp.ID("mspdi-file"), []string{file}))
	if err == nil {
		err = clickAndWait(tctx, "#mspdi-submit", "#project-broken")
	}
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if flash := textOf(t, tctx, ".alert-ok"); !strings.Contains(flash, "обновлен") {
		t.Fatalf("flash %q", flash)
	}
	if broken := textOf(t, tctx, "#project-broken"); !strings.Contains(broken, "«Настройка» начинается раньше, чем заканчивается «Монтаж»") {
		t.Fatalf("broken %q", broken)
	}
	screenshot(t, tctx, "project-import")
	err = chromedp.Do(tctx, chromedp.Navigate(ts.URL+"/clients/"+strconv.FormatInt(c.ID, 10)), chromedp.WaitVisible(chromedp.ID("client-projects")))
	if err != nil {
		t.Fatalf("card: %v", err)
	}
	if got := textOf(t, tctx, "#client-projects"); !strings.Contains(got, "Внедрение АТС") {
		t.Fatalf("card projects %q", got)
	}
}
