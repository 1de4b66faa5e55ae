package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/resource"
)

// TestBrowserPriorityRules is an admin tuning the priority classes in
// Russian: a bad number is refused next to its field, a saved rule moves a
// client at once, "reclassify now" says how many moved, and the client form
// chooses between "automatic, by the rules" and a class by hand.
func TestBrowserPriorityRules(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	bg := context.Background()
	if _, err := auth.CreateUser(bg, s.store.Users, crm.User{Login: "anna", Name: "Анна Админова", Role: crm.RoleAdmin, Language: "ru"}, adminPassword); err != nil {
		t.Fatal(err)
	}
	c := crm.Client{Name: "Ольга Покупателева"}
	if err := s.store.Clients.CreateClient(bg, &c); err != nil {
		t.Fatal(err)
	}
	tx := resource.Transaction{Direction: resource.Income, Amount: 400_000_00, Currency: "RUB", Category: "sale",
		ClientID: &c.ID, At: time.Now().Add(-time.Hour)}
	if err := s.store.Money.AddTransaction(bg, &tx); err != nil {
		t.Fatal(err)
	}
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	u := s.ts.URL
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	must(t, chromedp.Do(tctx,
		chromedp.Navigate(u+"/clients"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "anna"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("logout")),
		chromedp.Click(chromedp.CSS(`details.nav-group summary`)),
		chromedp.Click(chromedp.CSS(`.nav-menu a[href="/admin/priority"]`)),
		chromedp.WaitVisible(chromedp.ID("class-A")),
	))
	if h := text("h1"); h != "Классы приоритета клиентов" {
		t.Fatalf("title %q", h)
	}
	if got := text("#size-B"); !strings.Contains(got, "1 клиент") {
		t.Errorf("class B size %q: the client with 400 000 ₽ is in B by the seeded rule", got)
	}

	// A word where a number goes is refused next to its field.
	must(t, chromedp.Do(tctx,
		chromedp.SetValue(chromedp.ID("min_purchases-A"), "много"),
		chromedp.Click(chromedp.ID("save-A")),
		chromedp.WaitVisible(chromedp.ID("error-A-min_purchases")),
	))
	if got := text("#error-A-min_purchases"); !strings.Contains(got, "Число покупок") {
		t.Errorf("field error %q", got)
	}

	// Class A from 300 000 ₽: saving reclassifies, the client moves up.
	must(t, chromedp.Do(tctx,
		chromedp.Clear(chromedp.ID("min_purchases-A")),
		chromedp.SetValue(chromedp.ID("min_revenue-A"), "300 000"),
		chromedp.Click(chromedp.ID("save-A")),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")),
	))
	if got := text(".alert-ok"); !strings.Contains(got, "Класс A сохранён") {
		t.Errorf("flash after save %q", got)
	}
	if got, _ := s.store.Clients.GetClient(bg, c.ID); got.Priority != "A" {
		t.Fatalf("client after the rule: %q, want A", got.Priority)
	}

	// A rule changed behind the page's back: "reclassify now" moves her back.
	if _, err := s.store.DB.Pool().Exec(bg, `UPDATE priority_classes SET min_revenue_minor = 50000000 WHERE code = 'A'`); err != nil {
		t.Fatal(err)
	}
	must(t, chromedp.Do(tctx,
		chromedp.Navigate(u+"/admin/priority"),
		chromedp.WaitVisible(chromedp.ID("reclassify")),
		chromedp.Click(chromedp.ID("reclassify")),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")),
	))
	if got := text(".alert-ok"); got != "Пересчитано: класс сменил 1 клиент." {
		t.Errorf("reclassify flash %q", got)
	}

	// The client form: VIP by hand, then back to the rules.
	card := u + "/clients/" + strconv.FormatInt(c.ID, 10)
	must(t, chromedp.Do(tctx,
		chromedp.Navigate(card+"/edit"),
		chromedp.WaitVisible(chromedp.ID("priority")),
	))
	if got, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`document.getElementById('priority').selectedOptions[0].textContent`)); got != "Автоматически, по правилам" {
		t.Errorf("form's choice for an automatic client %q", got)
	}
	must(t, chromedp.Do(tctx,
		chromedp.SetValue(chromedp.ID("priority"), "VIP"),
		chromedp.Click(chromedp.ID("save-client")),
		chromedp.WaitVisible(chromedp.ID("client-priority-how")),
	))
	if code, how := text("#client-priority .prio-code"), text("#client-priority-how"); code != "VIP" || how != "вручную" {
		t.Errorf("card after choosing VIP: %q %q", code, how)
	}
	must(t, chromedp.Do(tctx,
		chromedp.Navigate(card+"/edit"),
		chromedp.WaitVisible(chromedp.ID("priority")),
	))
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.getElementById('priority').value = ''`)); err != nil {
		t.Fatal(err)
	}
	must(t, chromedp.Do(tctx,
		chromedp.Click(chromedp.ID("save-client")),
		chromedp.WaitVisible(chromedp.ID("client-priority-how")),
	))
	if code, how := text("#client-priority .prio-code"), text("#client-priority-how"); code != "B" || how != "по правилам" {
		t.Errorf("card back on the rules: %q %q, want B by the rules", code, how)
	}
}
