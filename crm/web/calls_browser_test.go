package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screenshot saves the whole page as PNG into $HOTLINE_SCREENSHOTS, when
// set, for a person to look at.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("HOTLINE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func signInAs(base, login string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), login),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("logout")),
	)
}

// TestBrowserCallLog: a supervisor finds the missed calls of a day in the
// call log, opens one, then finds a client's calls by name; an agent sees
// only their own call and cannot open another agent's.
func TestBrowserCallLog(t *testing.T) {
	t.Parallel()
	s := newCallSite(t)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	u := s.ts.URL
	rowCount := func() int {
		n, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll("#calls tr.call-row").length`))
		must(t, err)
		return n
	}
	must(t, chromedp.Do(tctx,
		signInAs(u, "sup"),
		chromedp.Click(chromedp.CSS(`nav a[href="/calls"]`)),
		chromedp.WaitVisible(chromedp.ID("call-filters")),
	))
	if n := rowCount(); n != 3 {
		t.Fatalf("the call log lists %d calls, want 3", n)
	}
	screenshot(t, tctx, "calls-all")
	must(t, chromedp.Do(tctx,
		chromedp.SetValue(chromedp.ID("f-from"), "2026-12-06"),
		chromedp.SetValue(chromedp.ID("f-to"), "2026-12-06"),
		chromedp.SetValue(chromedp.ID("f-outcome"), "missed"),
		chromedp.Click(chromedp.ID("f-apply")),
		// the unfiltered list has the missed call too: wait until the
		// answered call of 7 December is gone
		chromedp.WaitNotPresent(chromedp.ID("call-"+strconv.FormatInt(s.ids["1733558400.9"], 10))),
		chromedp.WaitVisible(chromedp.CSS(`#calls tr.call-missed`)),
	))
	if n := rowCount(); n != 1 {
		t.Fatalf("missed calls of 6 December: %d rows, want 1", n)
	}
	href, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.getElementById("calls-csv").getAttribute("href")`))
	must(t, err)
	if href != "/calls.csv?from=2026-12-06&outcome=missed&to=2026-12-06" {
		t.Errorf("CSV link %q does not carry the filter", href)
	}
	must(t, chromedp.Do(tctx,
		chromedp.Click(chromedp.CSS(`#calls a.call-link`)),
		chromedp.WaitVisible(chromedp.ID("call-timeline")),
	))
	outcome, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID("call-outcome")))
	must(t, err)
	if outcome != "брошен" {
		t.Errorf("the call's outcome reads %q", outcome)
	}
	must(t, chromedp.Do(tctx,
		chromedp.Navigate(u+"/calls"),
		chromedp.WaitVisible(chromedp.ID("f-q")),
		chromedp.SendKeys(chromedp.ID("f-q"), "Сидорова"),
		chromedp.Click(chromedp.ID("f-apply")),
		chromedp.WaitVisible(chromedp.ID("client-found")),
	))
	if n := rowCount(); n != 2 {
		t.Errorf("Мария Сидорова's calls: %d rows, want 2", n)
	}
	must(t, chromedp.Do(tctx,
		chromedp.Navigate(u+"/calls/"+strconv.FormatInt(s.ids["1733434200.1"], 10)),
		chromedp.WaitVisible(chromedp.ID("call-legs")),
	))
	screenshot(t, tctx, "call")

	// The agent: one call of their own; another agent's is not found.
	ctx2 := newChrome(t)
	actx, cancel2 := context.WithTimeout(ctx2, 60*time.Second)
	defer cancel2()
	must(t, chromedp.Do(actx,
		signInAs(u, "agent"),
		chromedp.Navigate(u+"/calls"),
		chromedp.WaitVisible(chromedp.ID("call-filters")),
	))
	n, err := chromedp.Run(actx, chromedp.Evaluate[int](`document.querySelectorAll("#calls tr.call-row").length`))
	must(t, err)
	if n != 1 {
		t.Errorf("the agent sees %d calls, want 1", n)
	}
	must(t, chromedp.Do(actx,
		chromedp.Navigate(u+"/calls/"+strconv.FormatInt(s.ids["1733558400.9"], 10)),
		chromedp.WaitVisible(chromedp.ID("page-error")),
	))
	if txt, _ := chromedp.Run(actx, chromedp.Text(chromedp.ID("page-error"))); strings.Contains(txt, "+7") {
		t.Errorf("the error page shows the call: %q", txt)
	}
}
