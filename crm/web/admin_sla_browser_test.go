package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/service"
)

// TestBrowserSLAPlanCriticalTarget: an admin opens the default plan from
// the Admin menu, makes it 24/7 and sets the critical targets to 45m and
// 3h; an agent's new critical request then shows the new due times.
func TestBrowserSLAPlanCriticalTarget(t *testing.T) {
	t.Parallel()
	a := newAdminSiteWith(t, true)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	u := a.ts.URL
	plan := a.plan(t)
	pid := strconv.FormatInt(plan.ID, 10)
	c := crm.Client{Name: "Critical client", Kind: crm.ClientCompany}
	must(t, a.store.Clients.CreateClient(context.Background(), &c))

	runSteps(t, ctx, tctx,
		chromedp.Navigate(u+"/clients"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("logout")),
		chromedp.Click(chromedp.CSS(`details.nav-group:has(a[href="/admin/sla-plans"]) summary`)),
		chromedp.WaitVisible(chromedp.CSS(`.nav-menu a[href="/admin/sla-plans"]`)),
		chromedp.Click(chromedp.CSS(`.nav-menu a[href="/admin/sla-plans"]`)),
		chromedp.WaitVisible(chromedp.ID("edit-plan-"+pid)),
		chromedp.Click(chromedp.ID("edit-plan-"+pid)),
		chromedp.WaitVisible(chromedp.ID("plan-form")),
		chromedp.Click(chromedp.ID("plan-all-day")),
		chromedp.Clear(chromedp.ID("response_critical")),
		chromedp.SendKeys(chromedp.ID("response_critical"), "45m"),
		chromedp.Clear(chromedp.ID("resolution_critical")),
		chromedp.SendKeys(chromedp.ID("resolution_critical"), "3h"),
		chromedp.Click(chromedp.ID("save-plan")),
	)
	if err := chromedp.Do(tctx, chromedp.WaitVisible(chromedp.ID("plan-"+pid))); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("after saving the plan: %v at %s: %s", err, loc, html)
	}
	targets, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("#plan-"+pid+" tr.target-critical")))
	if err != nil || !strings.Contains(targets, "45m") || !strings.Contains(targets, "3h") {
		t.Fatalf("critical targets on the list: %q, %v", targets, err)
	}
	hours, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("#plan-"+pid+" .plan-hours")))
	if err != nil || hours != "24/7" {
		t.Fatalf("hours on the list: %q, %v", hours, err)
	}

	runSteps(t, ctx, tctx,
		chromedp.Navigate(u+"/tickets/new?client="+strconv.FormatInt(c.ID, 10)),
		chromedp.WaitVisible(chromedp.ID("new-ticket")),
		chromedp.SendKeys(chromedp.ID("ticket-subject"), "Whole office offline"),
		chromedp.SetValue(chromedp.ID("ticket-priority-choice"), "critical"),
		chromedp.Click(chromedp.ID("create-ticket")),
		chromedp.WaitVisible(chromedp.ID("response-due")),
	)
	page, err := a.store.Tickets.ListTickets(context.Background(), service.TicketFilter{ClientID: c.ID})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("tickets of the client: %+v, %v", page, err)
	}
	tk := page.Items[0]
	if tk.Priority != "critical" || tk.SLA.ResponseDue == nil || tk.SLA.ResolveDue == nil ||
		!tk.SLA.ResponseDue.Equal(tk.CreatedAt.Add(45*time.Minute)) || !tk.SLA.ResolveDue.Equal(tk.CreatedAt.Add(3*time.Hour)) {
		t.Fatalf("new critical request %+v, want due 45m and 3h after %s", tk.SLA, tk.CreatedAt)
	}
	for id, want := range map[string]time.Time{"response-due": *tk.SLA.ResponseDue, "resolve-due": *tk.SLA.ResolveDue} {
		got, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID(id)))
		if err != nil || got != want.UTC().Format("2 Jan 2006 15:04") { // the centre's zone: UTC in these tests
			t.Errorf("%s on the request page: %q, %v; want %s", id, got, err, want.UTC().Format("2 Jan 2006 15:04"))
		}
	}
}

// runSteps runs browser steps in order; when one fails it reports which,
// with the page it was on (read through ctx, as tctx may have expired).
func runSteps(t *testing.T, ctx, tctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for i, step := range steps {
		if err := chromedp.Do(tctx, step); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			main, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("step %d: %v at %s: %s", i+1, err, loc, main)
		}
	}
}
