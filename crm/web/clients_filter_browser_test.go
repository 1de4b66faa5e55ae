package web_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
)

// TestBrowserClientFilters narrows the clients list by priority class, by
// owner picked by name, and by tag; each filter stays selected after the
// search and live search keeps the filters beside the box.
func TestBrowserClientFilters(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	agent, _, err := s.store.Users.GetUserByLogin(ctx, "agent")
	must(t, err)
	for _, c := range []crm.Client{
		{Kind: crm.ClientPerson, Name: "Irina VIP", Priority: "VIP", OwnerID: &agent.ID, Tags: []string{"wholesale"}},
		{Kind: crm.ClientPerson, Name: "Oleg VIP", Priority: "VIP", Tags: []string{"retail"}},
		{Kind: crm.ClientPerson, Name: "Pavel B", Priority: "B", OwnerID: &agent.ID, Tags: []string{"retail"}},
		{Kind: crm.ClientPerson, Name: "Sergey C", Priority: "C"},
	} {
		must(t, s.store.Clients.CreateClient(ctx, &c))
	}
	bctx := newChrome(t)
	tctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	u := s.ts.URL
	names := func() []string {
		t.Helper()
		got, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#results a.client-link")).map(a => a.textContent)`))
		if err != nil {
			t.Fatalf("read results: %v", err)
		}
		return got
	}
	expect := func(step string, want ...string) {
		t.Helper()
		if got := names(); !slices.Equal(got, want) {
			t.Fatalf("%s: clients %q, want %q", step, got, want)
		}
	}
	must(t, chromedp.Do(tctx,
		chromedp.Navigate(u+"/clients"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("filter-priority")),
	))
	expect("no filter", "Irina VIP", "Oleg VIP", "Pavel B", "Sergey C")

	// Priority class.
	must(t, chromedp.Do(tctx,
		chromedp.SetValue(chromedp.ID("filter-priority"), "VIP"),
		chromedp.Click(chromedp.ID("search-submit")),
		chromedp.WaitReady(chromedp.CSS(`#filter-priority option[value="VIP"][selected]`)),
	))
	expect("priority VIP", "Irina VIP", "Oleg VIP")

	// Owner, picked by the name shown in the list, with the priority kept.
	picked, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`(() => {
		const sel = document.getElementById("filter-owner");
		const o = Array.from(sel.options).find(o => o.textContent.trim() === "Alex Agent");
		if (!o) return false;
		sel.value = o.value;
		return true;
	})()`))
	if err != nil || !picked {
		t.Fatalf("pick owner by name: %v %v", picked, err)
	}
	must(t, chromedp.Do(tctx,
		chromedp.Click(chromedp.ID("search-submit")),
		chromedp.WaitReady(chromedp.CSS(`#filter-owner option[selected]`)),
	))
	expect("VIP owned by Alex Agent", "Irina VIP")

	// Tag alone.
	must(t, chromedp.Do(tctx,
		chromedp.Navigate(u+"/clients"),
		chromedp.WaitVisible(chromedp.ID("filter-tag")),
		chromedp.SendKeys(chromedp.ID("filter-tag"), "retail"),
		chromedp.Click(chromedp.ID("search-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#filter-tag[value="retail"]`)),
	))
	expect("tag retail", "Oleg VIP", "Pavel B")

	// Live search keeps the tag: typing a name narrows within "retail".
	must(t, chromedp.Do(tctx, chromedp.SendKeys(chromedp.ID("q"), "Pavel")))
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Equal(names(), []string{"Pavel B"}) {
		if time.Now().After(deadline) {
			t.Fatalf("live search with tag: clients %q", names())
		}
		time.Sleep(100 * time.Millisecond)
	}
	loc, err := chromedp.Run(tctx, chromedp.Evaluate[string](`location.search`))
	if err != nil || !strings.Contains(loc, "tag=retail") || !strings.Contains(loc, "q=Pavel") {
		t.Fatalf("address after live search %q: %v", loc, err)
	}

	// A filter nobody matches says so.
	must(t, chromedp.Do(tctx,
		chromedp.Navigate(u+"/clients?tag=nosuch"),
		chromedp.WaitVisible(chromedp.CSS("#results .empty")),
	))
	msg, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("#results .empty")))
	if err != nil || !strings.Contains(msg, "No client matches these filters") {
		t.Fatalf("empty message %q: %v", msg, err)
	}
}

// TestClientFilterBadOwner: an owner that is not a user id is a clear 422 naming the field.
func TestClientFilterBadOwner(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.login("admin")
	resp, body := b.get("/clients?owner=abc")
	if resp.StatusCode != 422 || !strings.Contains(body, "owner") {
		t.Fatalf("status %d, body %.300s", resp.StatusCode, body)
	}
}
