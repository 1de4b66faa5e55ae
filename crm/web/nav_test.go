package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserNavMenu: an admin opens the Reports menu and goes to the
// Money page; the bar keeps Sign out on screen; agents have no Reports menu.
func TestBrowserNavMenu(t *testing.T) {
	t.Parallel()
	m := newMoneySite(t)
	if _, body := m.browser().get("/reports/money"); strings.Contains(body, "nav-group") {
		t.Fatal("anonymous page shows the nav")
	}
	agent := m.browser()
	agent.login("agent")
	if resp, body := agent.get("/clients"); resp.StatusCode != http.StatusOK || strings.Contains(body, "<summary>Reports</summary>") {
		t.Errorf("agent's nav has a Reports menu (%d)", resp.StatusCode)
	}
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	must(t, chromedp.Do(tctx,
		chromedp.Navigate(m.ts.URL+"/clients"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("logout")),
	))
	overflow, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`document.getElementById("logout").getBoundingClientRect().right <= window.innerWidth`))
	if err != nil || !overflow {
		t.Errorf("Sign out is off screen (%v)", err)
	}
	must(t, chromedp.Do(tctx,
		chromedp.Click(chromedp.CSS(`details.nav-group summary`)),
		chromedp.WaitVisible(chromedp.CSS(`.nav-menu a[href="/reports/money"]`)),
		chromedp.Click(chromedp.CSS(`.nav-menu a[href="/reports/money"]`)),
		chromedp.WaitVisible(chromedp.ID("client-profit")),
	))
	active, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(`details.nav-group.active summary`)))
	if err != nil || strings.TrimSpace(active) != "Reports" {
		t.Errorf("active group %q (%v), want Reports", active, err)
	}
}
