package web_test

import (
	"context"
	"net/http"
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
)

// newDealSite is newDocSite with the funnel, deal and sales pages instead of the
// library (the same Russian-speaking people), and a client to sell to.
func newDealSite(t *testing.T) (*docSite, crm.Client) {
	t.Helper()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountFunnel(funnelDeps(st))
	pages.MountDeals(funnelDeps(st))
	pages.MountSales(funnelDeps(st))
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	s := &docSite{store: st, ts: ts, users: map[string]crm.User{}}
	for _, u := range []crm.User{
		{Login: "sveta", Name: "Светлана Супервизорова", Role: crm.RoleSupervisor, Language: "ru"},
		{Login: "ivan", Name: "Иван Операторов", Role: crm.RoleAgent, Language: "ru"},
		{Login: "petr", Name: "Пётр Без Доступа", Role: crm.RoleAgent, Language: "ru"},
	} {
		created, err := auth.CreateUser(context.Background(), st.Users, u, adminPassword)
		if err != nil {
			t.Fatal(err)
		}
		s.users[u.Login] = created
	}
	c := crm.Client{Kind: crm.ClientCompany, Name: "ООО «Ромашка»"}
	if err := st.Clients.CreateClient(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	return s, c
}

func signInTo(base, path, login, wait string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+path),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), login),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(wait)),
	)
}

// TestBrowserDealWonLost: an agent opens a deal from the funnel page,
// picking the client by name and typing the sum in roubles; moves it a
// stage on; marking it lost without a reason is refused in Russian and
// changes nothing, with a reason it is lost; a second deal, opened from
// the client card, is won and lands in the last stage; the card lists
// both. Another agent cannot open the first deal by URL.
func TestBrowserDealWonLost(t *testing.T) {
	t.Parallel()
	s, client := newDealSite(t)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	u := s.ts.URL
	err := chromedp.Do(tctx, signInTo(u, "/funnel", "ivan", "#new-deal"),
		chromedp.Click(chromedp.ID("new-deal")),
		chromedp.WaitVisible(chromedp.ID("deal-form")),
		chromedp.SendKeys(chromedp.ID("deal-client-q"), "Ромаш"),
		chromedp.WaitVisible(chromedp.CSS("#deal-client-picker .picker-item")),
		chromedp.Click(chromedp.CSS("#deal-client-picker .picker-item")),
		chromedp.SendKeys(chromedp.ID("deal-title"), "Поставка маршрутизаторов"),
		chromedp.SendKeys(chromedp.ID("deal-amount-input"), "1 200,50"),
	)
	if err == nil {
		err = clickAndWait(tctx, "#deal-save", "#deal-card")
	}
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if amount := textOf(t, tctx, "#deal-amount"); !strings.Contains(amount, "1\u00a0200,50") && !strings.Contains(amount, "1 200,50") {
		t.Fatalf("amount shown %q", amount)
	}
	deals, err := s.store.Funnel.ListDeals(context.Background(), funnel.DealFilter{ClientID: client.ID})
	if err != nil || len(deals) != 1 || deals[0].Amount != 120050 || deals[0].OwnerID != s.users["ivan"].ID || deals[0].Currency != "RUB" {
		t.Fatalf("stored %+v %v", deals, err)
	}
	first := deals[0]
	f, _ := s.store.Funnel.GetFunnel(context.Background(), 0)
	err = chromedp.Do(tctx, chromedp.SetValue(chromedp.ID("move-stage"), strconv.FormatInt(f.Stages[1].ID, 10)))
	if err == nil {
		err = clickAndWait(tctx, "#move-submit", ".alert-ok")
	}
	if err != nil {
		t.Fatalf("move: %v", err)
	}
	if stage := textOf(t, tctx, "#deal-stage"); stage != f.Stages[1].Name {
		t.Fatalf("stage %q, want %q", stage, f.Stages[1].Name)
	}
	err = chromedp.Do(tctx, chromedp.SetValue(chromedp.ID("deal-status-input"), "lost"))
	if err == nil {
		err = clickAndWait(tctx, "#deal-save", "#page-error")
	}
	if err != nil {
		t.Fatalf("lost without reason: %v", err)
	}
	if msg := textOf(t, tctx, "#page-error"); !strings.Contains(msg, "укажите, почему сделка проиграна") {
		t.Fatalf("error %q", msg)
	}
	if d, _ := s.store.Funnel.GetDeal(context.Background(), first.ID); d.Status != funnel.StatusOpen {
		t.Fatalf("a refused form changed the deal: %+v", d)
	}
	err = chromedp.Do(tctx, chromedp.SetValue(chromedp.ID("deal-status-input"), "lost"),
		chromedp.SendKeys(chromedp.ID("deal-lost-reason-input"), "Выбрали другого поставщика"))
	if err == nil {
		err = clickAndWait(tctx, "#deal-save", ".alert-ok")
	}
	if err != nil {
		t.Fatalf("lost: %v", err)
	}
	if st := textOf(t, tctx, "#deal-status"); !strings.Contains(st, "Выбрали другого поставщика") {
		t.Fatalf("status %q", st)
	}
	screenshot(t, tctx, "deal-lost")

	// A second deal from the client card, won.
	err = chromedp.Do(tctx, chromedp.Navigate(u+"/clients/"+strconv.FormatInt(client.ID, 10)),
		chromedp.WaitVisible(chromedp.ID("client-new-deal")))
	if err == nil {
		err = clickAndWait(tctx, "#client-new-deal", "#deal-form")
	}
	if err == nil {
		err = chromedp.Do(tctx, chromedp.SendKeys(chromedp.ID("deal-title"), "Сервисный контракт"),
			chromedp.SendKeys(chromedp.ID("deal-amount-input"), "50000"))
	}
	if err == nil {
		err = clickAndWait(tctx, "#deal-save", "#deal-card")
	}
	if err == nil {
		err = chromedp.Do(tctx, chromedp.SetValue(chromedp.ID("deal-status-input"), "won"))
	}
	if err == nil {
		err = clickAndWait(tctx, "#deal-save", ".alert-ok")
	}
	if err != nil {
		t.Fatalf("second deal: %v", err)
	}
	if stage := textOf(t, tctx, "#deal-stage"); stage != f.Last().Name {
		t.Fatalf("won deal in stage %q", stage)
	}
	err = chromedp.Do(tctx, chromedp.Navigate(u+"/clients/"+strconv.FormatInt(client.ID, 10)), chromedp.WaitVisible(chromedp.ID("client-deals")))
	if err != nil {
		t.Fatalf("card: %v", err)
	}
	card := textOf(t, tctx, "#client-deals")
	if !strings.Contains(card, "Поставка маршрутизаторов") || !strings.Contains(card, "Сервисный контракт") || !strings.Contains(card, "Выбрали другого поставщика") {
		t.Fatalf("card deals %q", card)
	}
	screenshot(t, tctx, "client-deals")

	// Petr: not his deal.
	b := (&site{t: t, store: s.store, ts: s.ts}).browser()
	b.login("petr")
	if resp, _ := b.get("/funnel/deals/" + strconv.FormatInt(first.ID, 10)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("petr opens ivan's deal: %d", resp.StatusCode)
	}
}

// TestFunnelForecastTarget: with no plan the forecast says so; a target
// typed on the page is the forecast's target.
func TestFunnelForecastTarget(t *testing.T) {
	t.Parallel()
	s, _ := newDealSite(t)
	b := (&site{t: t, store: s.store, ts: s.ts}).browser()
	b.login("sveta")
	_, body := b.get("/funnel")
	if !strings.Contains(body, `id="forecast-no-plan"`) || !strings.Contains(body, "план не задан") {
		t.Fatalf("no plan not said: %s", body)
	}
	_, body = b.get("/funnel?target=12")
	if strings.Contains(body, `id="forecast-no-plan"`) || !strings.Contains(body, "для 12 договоров") || !strings.Contains(body, `id="forecast-target" min="0" max="1000000" value="12"`) {
		t.Fatalf("typed target: %s", body)
	}
}
