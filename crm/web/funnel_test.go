package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/funnel"
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/web"
)

// funnelNow is the funnel page's clock: Wednesday 25 November 2026 (week 2026-W48).
func funnelNow() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }

// funnelDeps are st's funnel services on the funnel pages' clock.
func funnelDeps(st *postgres.Services) web.FunnelPageDeps {
	return web.FunnelPageDeps{Funnels: st.Funnel, Deals: st.Funnel, Sales: st.Funnel, Base: "RUB", Now: funnelNow}
}

// newFunnelSite mounts the funnel page and API. Its week holds five deals
// of the agent: all entered first contact, four presentation, one needs
// analysis. With the plan 5, 5, 4, none, 1 the colours are green, amber
// (80%), red (25%), none, red (0%).
func newFunnelSite(t *testing.T) (*site, funnel.Funnel) {
	t.Helper()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	httpapi.RegisterFunnel(api, httpapi.FunnelDeps{Funnels: st.Funnel, Deals: st.Funnel, Now: funnelNow})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountFunnel(funnelDeps(st))
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	var agent crm.User
	for _, u := range []crm.User{{Login: "admin", Name: "Anna Admin", Role: crm.RoleAdmin}, {Login: "agent", Name: "Alex Agent", Role: crm.RoleAgent}} {
		if agent, err = auth.CreateUser(ctx, st.Users, u, adminPassword); err != nil {
			t.Fatal(err)
		}
	}
	f, err := st.Funnel.GetFunnel(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i := range 5 {
		c := crm.Client{Kind: crm.ClientCompany, Name: fmt.Sprintf("Buyer %d", i)}
		if err := st.Clients.CreateClient(ctx, &c); err != nil {
			t.Fatal(err)
		}
		d := funnel.Deal{ClientID: c.ID, OwnerID: agent.ID, Amount: 1000_00, Title: fmt.Sprintf("Order %d", i)}
		at := start.Add(time.Duration(i) * time.Hour)
		if err := st.Funnel.CreateDeal(ctx, &d, nil, at); err != nil {
			t.Fatal(err)
		}
		for pos := 2; pos <= 3 && (pos == 2 && i < 4 || i == 0); pos++ {
			if _, err := st.Funnel.MoveDeal(ctx, d.ID, f.Stages[pos-1].ID, nil, at.Add(time.Duration(pos)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &site{t: t, store: st, ts: ts}, f
}

func TestFunnelPagePlanFormAndRoles(t *testing.T) {
	s, f := newFunnelSite(t)
	admin := s.browser()
	csrf := admin.login("admin")
	form := url.Values{"csrf_token": {csrf}, "period": {"week"}, "date": {"2026-11-25"}, "salesperson_id": {"0"},
		"funnel_id": {fmt.Sprint(f.ID)}}
	for i, v := range []string{"5", "5", "4", "", "1"} {
		form.Set(fmt.Sprintf("target_%d", f.Stages[i].ID), v)
	}
	resp, body := admin.post("/funnel/plan", form)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/funnel?") {
		t.Fatalf("save plan: %d %s", resp.StatusCode, body)
	}
	resp, body = admin.get(resp.Header.Get("Location"))
	if resp.StatusCode != 200 || !strings.Contains(body, `id="funnel-chart"`) || !strings.Contains(body, "Plan saved.") ||
		!strings.Contains(body, `id="bar-2" data-color="amber"`) || !strings.Contains(body, `id="salespeople-table"`) {
		t.Fatalf("funnel page after saving: %d %s", resp.StatusCode, body)
	}
	// The admin turns on opening deals from first calls; a bad zone is refused.
	resp, _ = admin.post("/funnel/settings", url.Values{"csrf_token": {csrf}, "time_zone": {"Europe/Moscow"}, "auto_open_deals": {"on"}})
	if set, _ := s.store.Funnel.FunnelSettings(context.Background()); resp.StatusCode != http.StatusSeeOther || !set.AutoOpenDeals || set.TimeZone != "Europe/Moscow" {
		t.Errorf("settings: %d %+v", resp.StatusCode, set)
	}
	if resp, _ := admin.post("/funnel/settings", url.Values{"csrf_token": {csrf}, "time_zone": {"Mars/Base"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad zone: %d", resp.StatusCode)
	}
	set := funnel.Settings{TimeZone: "UTC"}
	if err := s.store.Funnel.SaveFunnelSettings(context.Background(), &set); err != nil {
		t.Fatal(err)
	}
	// A bad target is refused with the form shown again.
	form.Set(fmt.Sprintf("target_%d", f.Stages[0].ID), "-3")
	if resp, _ := admin.post("/funnel/plan", form); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("negative target: %d", resp.StatusCode)
	}
	// The agent sees their own funnel, no plan form, and may not save plans.
	agent := s.browser()
	acsrf := agent.login("agent")
	resp, body = agent.get("/funnel?period=week&date=2026-11-25&salesperson_id=1")
	if resp.StatusCode != 200 || !strings.Contains(body, `<span id="funnel-subject">Alex Agent</span>`) || strings.Contains(body, `id="plan-form"`) ||
		!strings.Contains(body, `href="/funnel"`) {
		t.Fatalf("agent page: %d %s", resp.StatusCode, body)
	}
	form.Set("csrf_token", acsrf)
	if resp, _ := agent.post("/funnel/settings", url.Values{"csrf_token": {acsrf}, "time_zone": {"UTC"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent changed settings: %d", resp.StatusCode)
	}
	if resp, _ := agent.post("/funnel/plan", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent saved a plan: %d", resp.StatusCode)
	}
	if resp, _ := s.browser().get("/funnel"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous /funnel: %d, want a redirect to the login page", resp.StatusCode)
	}
}

// TestBrowserFunnelChartColours signs in as the admin, sets the week's plan
// in the form and checks the bars' colours as the browser draws them.
func TestBrowserFunnelChartColours(t *testing.T) {
	t.Parallel()
	s, _ := newFunnelSite(t)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	err := chromedp.Do(tctx,
		chromedp.Navigate(s.ts.URL+"/funnel?period=week&date=2026-11-25"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("plan-form")),
		chromedp.SendKeys(chromedp.ID("target-1"), "5"),
		chromedp.SendKeys(chromedp.ID("target-2"), "5"),
		chromedp.SendKeys(chromedp.ID("target-3"), "4"),
		chromedp.SendKeys(chromedp.ID("target-5"), "1"),
		chromedp.Click(chromedp.ID("save-plan")),
		chromedp.WaitVisible(chromedp.ID("funnel-flash")),
		chromedp.WaitVisible(chromedp.ID("funnel-chart")),
	)
	if err != nil {
		t.Fatalf("browser flow: %v", err)
	}
	colours, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#funnel-chart rect.actual')]
		.map(r => r.dataset.color + ' ' + getComputedStyle(r).fill + ' ' + r.getBBox().width)`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"green rgb(46, 157, 87)", "amber rgb(224, 165, 38)", "red rgb(214, 69, 69)", "none rgb(122, 135, 153)", "red rgb(214, 69, 69)"}
	if len(colours) != len(want) {
		t.Fatalf("bars %v", colours)
	}
	for i, w := range want {
		if !strings.HasPrefix(colours[i], w+" ") {
			t.Errorf("bar %d is %q, want %q", i+1, colours[i], w)
		}
	}
	// The widest bar is the 5 first contacts; 4 presentations are 80% of it.
	if !strings.HasSuffix(colours[0], " 360") || !strings.HasSuffix(colours[1], " 288") || !strings.HasSuffix(colours[3], " 0") {
		t.Errorf("bar widths %v", colours)
	}
	cells, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#funnel-table .fulfil')].map(e => e.textContent.trim())`))
	if err != nil || strings.Join(cells, ",") != "100%,80%,25%,–,0%" {
		t.Errorf("fulfilment cells %v: %v", cells, err)
	}
}
