package web_test

import (
	"context"
	"net/http/httptest"
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
	"hotline/crm/service"
)

// TestBrowserTicketProject: a supervisor picks a project on a request's
// page from its client's projects (another client's is not offered and
// naming it is refused); the request links the project and the project
// page lists the request, but not to an agent who may not see it.
func TestBrowserTicketProject(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountTickets(ticketPageDeps(st, true))
	pages.MountPlans(planPageDeps(st))
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	for _, u := range []crm.User{
		{Login: "sveta", Name: "Светлана Супервизорова", Role: crm.RoleSupervisor, Language: "ru"},
		{Login: "ivan", Name: "Иван Операторов", Role: crm.RoleAgent, Language: "ru"},
	} {
		if _, err := auth.CreateUser(ctx, st.Users, u, adminPassword); err != nil {
			t.Fatal(err)
		}
	}
	var clients [2]crm.Client
	var projects [2]resource.Project
	for i, name := range []string{"ООО «Ромашка»", "ИП Лютиков"} {
		clients[i] = crm.Client{Kind: crm.ClientCompany, Name: name}
		if err := st.Clients.CreateClient(ctx, &clients[i]); err != nil {
			t.Fatal(err)
		}
		projects[i] = resource.Project{Name: "Проект " + name, ClientID: &clients[i].ID, Start: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}
		if err := st.Projects.CreateProject(ctx, &projects[i]); err != nil {
			t.Fatal(err)
		}
	}
	tk := service.Ticket{ClientID: clients[0].ID, Subject: "Не работает переадресация"}
	if err := st.Tickets.CreateTicket(ctx, &tk); err != nil {
		t.Fatal(err)
	}
	if err := st.Tickets.SetTicketProject(ctx, tk.ID, &projects[1].ID); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("another client's project: %v", err)
	}

	bctx := newChrome(t)
	tctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	u := ts.URL
	if err := chromedp.Do(tctx, signInTo(u, "/tickets/"+strconv.FormatInt(tk.ID, 10), "sveta", "#ticket-project-form")); err != nil {
		t.Fatalf("request page: %v", err)
	}
	if opts := textOf(t, tctx, "#ticket-project-select"); !strings.Contains(opts, "Проект ООО «Ромашка»") || strings.Contains(opts, "Лютиков") {
		t.Fatalf("offered projects %q", opts)
	}
	err = chromedp.Do(tctx, chromedp.SetValue(chromedp.ID("ticket-project-select"), strconv.FormatInt(projects[0].ID, 10)))
	if err == nil {
		err = clickAndWait(tctx, "#ticket-project-save", "#ticket-project")
	}
	if err != nil {
		t.Fatalf("set project: %v", err)
	}
	href, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.getElementById("ticket-project").getAttribute("href")`))
	if err != nil || href != "/projects/"+strconv.FormatInt(projects[0].ID, 10) {
		t.Fatalf("project link %q: %v", href, err)
	}
	if err := clickAndWait(tctx, "#ticket-project", "#project-requests"); err != nil {
		t.Fatalf("project page: %v", err)
	}
	if got := textOf(t, tctx, "#project-requests"); !strings.Contains(got, "Не работает переадресация") {
		t.Fatalf("project's requests %q", got)
	}
	screenshot(t, tctx, "ticket-project")
	// An agent the request is not assigned to does not see it listed.
	actx, acancel := context.WithTimeout(newChrome(t), 60*time.Second)
	defer acancel()
	if err := chromedp.Do(actx, signInTo(u, "/projects/"+strconv.FormatInt(projects[0].ID, 10), "ivan", "#no-requests")); err != nil {
		t.Fatalf("agent's project page: %v", err)
	}
}
