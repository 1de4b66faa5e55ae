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
)

// TestBrowserClientMoney: a supervisor records an income and an expense
// for a client picked by name on the money page's form; the client card
// shows the year's income, expenses and profit as money; an agent's card
// has no money box.
func TestBrowserClientMoney(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountMoney(moneyPageDeps(st))
	pages.MountClientMoney(moneyPageDeps(st))
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	for _, u := range []crm.User{{Login: "sveta", Name: "Светлана Супервизорова", Role: crm.RoleSupervisor, Language: "ru"},
		{Login: "ivan", Name: "Иван Операторов", Role: crm.RoleAgent, Language: "ru"}} {
		if _, err := auth.CreateUser(ctx, st.Users, u, adminPassword); err != nil {
			t.Fatal(err)
		}
	}
	c := crm.Client{Kind: crm.ClientCompany, Name: "ООО «Ромашка»"}
	other := crm.Client{Kind: crm.ClientCompany, Name: "ООО «Рога и копыта»"}
	for _, cl := range []*crm.Client{&c, &other} {
		if err := st.Clients.CreateClient(ctx, cl); err != nil {
			t.Fatal(err)
		}
	}
	bctx := newChrome(t)
	tctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	record := func(direction, amount, category string) error {
		err := chromedp.Do(tctx, chromedp.Navigate(ts.URL+"/reports/money"), chromedp.WaitVisible(chromedp.ID("tx-form")),
			chromedp.SetValue(chromedp.ID("tx-direction"), direction),
			chromedp.SendKeys(chromedp.ID("tx-amount"), amount),
			chromedp.SendKeys(chromedp.ID("tx-category"), category),
			chromedp.SendKeys(chromedp.ID("tx-client-q"), "Ромаш"),
			chromedp.WaitVisible(chromedp.CSS("#tx-client-picker .picker-item")),
			chromedp.Click(chromedp.CSS("#tx-client-picker .picker-item")))
		if err != nil {
			return err
		}
		return clickAndWait(tctx, "#tx-form button[type=submit]", ".alert-ok")
	}
	err = chromedp.Do(tctx,
		chromedp.Navigate(ts.URL+"/reports/money"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "sveta"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("tx-form")))
	if err == nil {
		err = record("income", "1 200,50", "продажа")
	}
	if err == nil {
		err = record("expense", "200", "доставка")
	}
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	err = chromedp.Do(tctx, chromedp.Navigate(ts.URL+"/clients/"+strconv.FormatInt(c.ID, 10)), chromedp.WaitVisible(chromedp.ID("client-money")))
	if err != nil {
		t.Fatalf("card: %v", err)
	}
	for id, want := range map[string]string{"#client-income": "1\u00a0200,50", "#client-expenses": "200,00", "#client-profit": "1\u00a0000,50"} {
		if got := textOf(t, tctx, id); !strings.Contains(got, want) || !strings.Contains(got, "₽") {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	screenshot(t, tctx, "client-money")
	sv := (&site{t: t, store: st, ts: ts}).browser()
	sv.login("sveta")
	if _, body := sv.get("/clients/" + strconv.FormatInt(other.ID, 10)); !strings.Contains(body, `id="client-money"`) || strings.Contains(body, "1\u00a0200,50") {
		t.Fatalf("the other client's card: %s", body)
	}
	b := (&site{t: t, store: st, ts: ts}).browser()
	b.login("ivan")
	if _, body := b.get("/clients/" + strconv.FormatInt(c.ID, 10)); strings.Contains(body, `id="client-money"`) {
		t.Fatal("an agent sees the client's money")
	}
}
