package web_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/internal/testneed"
)

const chromiumPath = "/usr/bin/chromium"

// chromium is the package's one headless Chromium, started by the first
// test that needs it and stopped by TestMain: starting a browser costs a
// test several hundred milliseconds (seconds on a busy machine), a browser
// context of its own a few tens.
var chromium struct {
	sync.Mutex
	ctx  context.Context // done once the browser has exited
	stop func()
}

// sharedChrome returns the running Chromium's context, starting it (again,
// if it has died) when needed.
func sharedChrome(t *testing.T) context.Context {
	t.Helper()
	chromium.Lock()
	defer chromium.Unlock()
	if chromium.ctx != nil && chromium.ctx.Err() == nil {
		return chromium.ctx
	}
	if chromium.stop != nil {
		chromium.stop() // release what the dead browser held
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil { // start the browser without a deadline
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	chromium.ctx, chromium.stop = ctx, func() { cancelCtx(); cancelAlloc() }
	return ctx
}

// TestMain stops the shared Chromium after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	chromium.Lock()
	if chromium.stop != nil {
		chromium.stop()
	}
	chromium.Unlock()
	os.Exit(code)
}

// newChrome opens a tab for one test in a browser context of its own (what
// an incognito window has: its own cookies, storage and cache), so that
// tests, and the users of one test, share no session. The tab and its
// context are closed when the test ends.
func newChrome(t *testing.T) context.Context {
	t.Helper()
	testneed.Tool(t, chromiumPath, "chromium")
	ctx, cancel := chromedp.NewContext(sharedChrome(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // open the tab without a deadline
		t.Fatalf("open a chromium tab: %v", err)
	}
	return ctx
}

// TestBrowserAddAndFindClient is the newcomer's path: sign in as admin, add a
// client with a phone number, find it by part of the number, open the card.
func TestBrowserAddAndFindClient(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	u := s.ts.URL
	err := chromedp.Do(tctx,
		chromedp.Navigate(u+"/clients"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("new-client")),
		chromedp.Click(chromedp.ID("new-client")),
		chromedp.WaitVisible(chromedp.ID("client-form")),
		chromedp.SendKeys(chromedp.ID("name"), "Maria Sidorova"),
		chromedp.SendKeys(chromedp.ID("company"), "Vector Ltd"),
		chromedp.SetValue(chromedp.ID("priority"), "VIP"),
		chromedp.SendKeys(chromedp.ID("phone"), "8 (912) 345-67-89"),
		chromedp.Click(chromedp.ID("save-client")),
		chromedp.WaitVisible(chromedp.ID("client-card")),
		chromedp.Navigate(u+"/clients"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "345-67"),
		chromedp.WaitVisible(chromedp.CSS("#results a.client-link")),
		chromedp.Click(chromedp.CSS("#results a.client-link")),
		chromedp.WaitVisible(chromedp.ID("client-name")),
	)
	if err != nil {
		t.Fatalf("browser flow: %v", err)
	}
	name, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID("client-name")))
	if err != nil || name != "Maria Sidorova" {
		t.Fatalf("card name %q: %v", name, err)
	}
	prio, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID("client-priority")))
	if err != nil || !strings.Contains(prio, "VIP") {
		t.Fatalf("card priority %q: %v", prio, err)
	}
	contacts, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID("contacts")))
	if err != nil || !strings.Contains(contacts, "+7 912 345-67-89") {
		t.Fatalf("card contacts %q: %v", contacts, err)
	}
	// Add a note and see it at the top of the timeline.
	err = chromedp.Do(tctx,
		chromedp.SendKeys(chromedp.CSS("#note-form textarea"), "Asked for a callback"),
		chromedp.Click(chromedp.ID("add-note")),
		chromedp.WaitVisible(chromedp.CSS(".events .event-note")),
	)
	if err != nil {
		t.Fatalf("add note: %v", err)
	}
	note, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(".events .event-note .event-summary")))
	if err != nil || note != "Asked for a callback" {
		t.Fatalf("note %q: %v", note, err)
	}
}

// waitVisibleAfterSubmit waits for sel on the page a form submission leads
// to: a query that meets the old document while the browser replaces it
// ("Could not find node with given id") is asked again, until ctx ends.
func waitVisibleAfterSubmit(ctx context.Context, sel string) error {
	for {
		err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel)))
		if err == nil || !strings.Contains(err.Error(), "Could not find node") || ctx.Err() != nil {
			return err
		}
	}
}

// pageLoaded waits until the page has loaded: its deferred scripts have run
// and attached the handlers that the test's next clicks and keys rely on
// (an upload form clicked before documents.js runs is posted without its
// CSRF header; a picker typed into before picker.js runs never searches).
func pageLoaded() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === "complete" || null`))
		return err
	})
}
