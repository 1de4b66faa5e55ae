package web_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/funnel"
	"hotline/crm/httpapi"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
)

// TestBrowserProjectCreateTasksResources: a supervisor creates a project
// on the projects page (a client typed but not picked is refused; then the
// client and the deal are picked by name), adds two tasks, the second
// after the first (it starts the working day after the first finishes
// although its start was typed earlier), and two resources, material and
// equipment; the page lists them and the MSPDI export gives material its
// Material type. An agent's page has no form and a POST is refused.
func TestBrowserProjectCreateTasksResources(t *testing.T) {
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
	users := map[string]crm.User{}
	for _, u := range []crm.User{
		{Login: "sveta", Name: "Светлана Супервизорова", Role: crm.RoleSupervisor, Language: "ru"},
		{Login: "ivan", Name: "Иван Операторов", Role: crm.RoleAgent, Language: "ru"},
	} {
		if users[u.Login], err = auth.CreateUser(ctx, st.Users, u, adminPassword); err != nil {
			t.Fatal(err)
		}
	}
	c := crm.Client{Kind: crm.ClientCompany, Name: "ООО «Ромашка»"}
	if err := st.Clients.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	d := funnel.Deal{ClientID: c.ID, OwnerID: users["ivan"].ID, Title: "Внедрение колл-центра", Amount: 500_000_00, Currency: "RUB"}
	if err := st.Funnel.CreateDeal(ctx, &d, nil, time.Now()); err != nil {
		t.Fatal(err)
	}

	bctx := newChrome(t)
	tctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	u := ts.URL
	if err := chromedp.Do(tctx, signInTo(u, "/projects", "sveta", "#project-form")); err != nil {
		t.Fatalf("projects page: %v", err)
	}
	// The client's name typed, not picked from the list: refused.
	err = chromedp.Do(tctx, chromedp.SendKeys(chromedp.ID("project-name"), "Запуск линии"),
		chromedp.SetValue(chromedp.ID("project-start"), "2026-12-07"),
		chromedp.SendKeys(chromedp.ID("project-client-q"), "Ромашка"))
	if err == nil {
		err = clickAndWait(tctx, "#project-create", "#page-error")
	}
	if err != nil {
		t.Fatalf("unpicked client: %v", err)
	}
	if msg := textOf(t, tctx, "#page-error"); !strings.Contains(msg, "Клиент") || !strings.Contains(msg, "из списка") {
		t.Fatalf("unpicked client said %q", msg)
	}
	if list, _ := st.Projects.ListProjects(ctx, 0); len(list) != 0 {
		t.Fatalf("a refused form made %+v", list)
	}
	err = chromedp.Do(tctx, chromedp.Clear(chromedp.ID("project-client-q")),
		chromedp.SendKeys(chromedp.ID("project-client-q"), "Ромаш"),
		chromedp.WaitVisible(chromedp.CSS("#project-client-picker .picker-item")),
		chromedp.Click(chromedp.CSS("#project-client-picker .picker-item")),
		chromedp.SendKeys(chromedp.ID("project-deal-q"), "колл-центр"),
		chromedp.WaitVisible(chromedp.CSS("#project-deal-picker .picker-item")),
		chromedp.Click(chromedp.CSS("#project-deal-picker .picker-item")))
	if err == nil {
		err = clickAndWait(tctx, "#project-create", "#task-form")
	}
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if got := textOf(t, tctx, "#project-client"); !strings.Contains(got, "ООО «Ромашка»") || !strings.Contains(got, "сделка №"+strconv.FormatInt(d.ID, 10)) {
		t.Fatalf("project's client and deal %q", got)
	}
	list, err := st.Projects.ListProjects(ctx, c.ID)
	if err != nil || len(list) != 1 || list[0].Name != "Запуск линии" || list[0].DealID == nil || *list[0].DealID != d.ID {
		t.Fatalf("stored projects %+v: %v", list, err)
	}
	id := list[0].ID

	addTask := func(name, start, days, after string) {
		t.Helper()
		err := chromedp.Do(tctx, chromedp.SendKeys(chromedp.ID("task-name"), name),
			chromedp.SetValue(chromedp.ID("task-start"), start),
			chromedp.SetValue(chromedp.ID("task-duration"), days),
			chromedp.SetValue(chromedp.ID("task-after"), after))
		if err == nil {
			err = clickAndWait(tctx, "#task-add", ".alert-ok")
		}
		if err != nil {
			t.Fatalf("task %s: %v", name, err)
		}
	}
	addTask("Монтаж", "2026-12-07", "2", "")
	p, err := st.Projects.GetProject(ctx, id)
	if err != nil || len(p.Tasks) != 1 {
		t.Fatalf("after the first task %+v: %v", p, err)
	}
	addTask("Настройка", "2026-12-07", "1", strconv.FormatInt(p.Tasks[0].ID, 10))
	if p, err = st.Projects.GetProject(ctx, id); err != nil || len(p.Tasks) != 2 {
		t.Fatalf("after the second task %+v: %v", p, err)
	}
	// Монтаж: Mon 7 and Tue 8 December; Настройка after it on Wed 9.
	second := p.Tasks[1]
	if !p.Tasks[0].Finish.Equal(time.Date(2026, 12, 8, 17, 0, 0, 0, time.UTC)) ||
		!second.Start.Equal(time.Date(2026, 12, 9, 8, 0, 0, 0, time.UTC)) || len(second.DependsOn) != 1 || second.DependsOn[0] != p.Tasks[0].ID {
		t.Fatalf("tasks %+v", p.Tasks)
	}
	if rows := textOf(t, tctx, "#tasks tbody"); !strings.Contains(rows, "Настройка\t1\t09.12.2026") || !strings.Contains(rows, "Монтаж\n") && !strings.HasSuffix(rows, "Монтаж") {
		t.Fatalf("tasks table %q", rows)
	}

	for _, r := range []struct{ name, kind string }{{"Кабель UTP, 300 м", "material"}, {"Сервер АТС", "equipment"}} {
		err := chromedp.Do(tctx, chromedp.SendKeys(chromedp.ID("resource-name"), r.name), chromedp.SetValue(chromedp.ID("resource-kind"), r.kind))
		if err == nil {
			err = clickAndWait(tctx, "#resource-add", "#resources")
		}
		if err != nil {
			t.Fatalf("resource %s: %v", r.name, err)
		}
	}
	if got := textOf(t, tctx, "#resources"); !strings.Contains(got, "Кабель UTP, 300 м\tМатериал") || !strings.Contains(got, "Сервер АТС\tОборудование") {
		t.Fatalf("resources %q", got)
	}
	screenshot(t, tctx, "project-edit")
	if p, err = st.Projects.GetProject(ctx, id); err != nil || len(p.Resources) != 2 {
		t.Fatalf("stored resources %+v: %v", p.Resources, err)
	}
	var x bytes.Buffer
	if err := resource.ExportMSPDI(&x, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(x.String(), "<Name>Кабель UTP, 300 м</Name>\n      <Type>0</Type>") || !strings.Contains(x.String(), "<Name>Сервер АТС</Name>\n      <Type>1</Type>") {
		t.Fatalf("MSPDI resources in\n%s", x.String())
	}

	// An agent sees the projects but no form, and cannot post one.
	actx, acancel := context.WithTimeout(newChrome(t), 60*time.Second)
	defer acancel()
	if err := chromedp.Do(actx, signInTo(u, "/projects", "ivan", "#projects")); err != nil {
		t.Fatalf("agent: %v", err)
	}
	n, err := chromedp.Run(actx, chromedp.Evaluate[int](`document.querySelectorAll("#project-form, #task-form").length`))
	if err != nil || n != 0 {
		t.Fatalf("agent sees %d forms: %v", n, err)
	}
	status, err := chromedp.Run(actx, chromedp.Evaluate[int](`(async () => (await fetch("/projects/`+strconv.FormatInt(id, 10)+`/resources",
		{method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "name=X&kind=material&csrf_token=" + encodeURIComponent(document.querySelector("input[name=csrf_token]").value)})).status)()`,
		chromedp.EvalAwaitPromise))
	if err != nil || status != 403 {
		t.Fatalf("agent's POST answered %d: %v", status, err)
	}
	if p, _ = st.Projects.GetProject(ctx, id); len(p.Resources) != 2 {
		t.Fatalf("the agent's POST changed %+v", p.Resources)
	}
}
