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
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// moneySite is the web front with the money API and page, an admin and an
// agent, and a case computed by hand (amounts in kopecks):
//
//	lots A 10 @ 100.00 and B 10 @ 120.00 of PRN-1; 12 shipped to Acme:
//	COGS = 10*100.00 + 2*120.00 = 1240.00
//	Acme: sale 2400.00, delivery 50.00 -> profit 2400 - 1240 - 50 = 1110.00
//	PRN-1: revenue 2400.00 - COGS 1240.00 -> 1160.00, 12 units
//	campaign: spend 200.00, Acme its one lead, won -> 200.00 per lead and per
//	won deal; revenue of its leads 2400.00 -> return (2400-200)/200 = 1100 %
type moneySite struct {
	*site
	acme    int64
	product resource.Product
	period  string
}

func newMoneySite(t *testing.T) *moneySite {
	t.Helper()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	httpapi.RegisterMoney(api, httpapi.MoneyDeps{Money: st.Money})
	httpapi.RegisterTickets(api, ticketAPI(st)) // the request picker searches them
	pages.MountMoney(moneyPageDeps(st))
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	for _, u := range []crm.User{{Login: "admin", Name: "Anna Admin", Role: crm.RoleAdmin}, {Login: "agent", Name: "Alex Agent", Role: crm.RoleAgent}} {
		if _, err := auth.CreateUser(ctx, st.Users, u, adminPassword); err != nil {
			t.Fatal(err)
		}
	}
	m := &moneySite{site: &site{t: t, store: st, ts: ts}}
	acme := crm.Client{Kind: crm.ClientCompany, Name: "Acme Trading"}
	must(t, st.Clients.CreateClient(ctx, &acme))
	m.acme = acme.ID
	must(t, st.Tickets.CreateTicket(ctx, &service.Ticket{ClientID: acme.ID, Subject: "Printer jams on every page"}))
	m.product = resource.Product{SKU: "PRN-1", Name: "Printer"}
	must(t, st.Stock.CreateProduct(ctx, &m.product))
	w := resource.Warehouse{Code: "MAIN", Name: "Main"}
	must(t, st.Stock.CreateWarehouse(ctx, &w))
	for _, lot := range []struct {
		batch string
		cost  int64
	}{{"A", 10000}, {"B", 12000}} {
		if _, err := st.Stock.Receive(ctx, resource.ReceiptInput{ProductID: m.product.ID, WarehouseID: w.ID, Batch: lot.batch, Qty: 10, UnitCost: lot.cost}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // lots received in order: FIFO takes A first
	}
	if _, err := st.Stock.Ship(ctx, resource.OutInput{ProductID: m.product.ID, WarehouseID: w.ID, Qty: 12, ClientID: &m.acme}); err != nil {
		t.Fatal(err)
	}
	camp := resource.MarketingCampaign{Name: "Spring mailing", Channel: "email"}
	must(t, st.Money.CreateMarketingCampaign(ctx, &camp))
	must(t, st.Money.AddLead(ctx, camp.ID, m.acme, time.Time{}, true))
	for _, tx := range []resource.Transaction{
		{Direction: resource.Income, Amount: 240000, Category: "sale", ClientID: &m.acme, ProductID: &m.product.ID},
		{Direction: resource.Expense, Amount: 5000, Category: "delivery", ClientID: &m.acme},
		{Direction: resource.Expense, Amount: 20000, Category: "marketing", CampaignID: &camp.ID},
	} {
		must(t, st.Money.AddTransaction(ctx, &tx))
	}
	today := time.Now().UTC()
	m.period = url.Values{"from": {today.AddDate(0, 0, -7).Format(time.DateOnly)}, "to": {today.AddDate(0, 0, 1).Format(time.DateOnly)}}.Encode()
	return m
}

// TestBrowserMoneyReport: the admin opens the money page for the period and
// finds Acme's profit of 1110.00 (computed by hand above), the product's
// 1160.00 and the campaign's figures; records a 30.00 service expense on a
// request from the form; Acme's profit becomes 1080.00 and service costs
// 30.00 per request. The CSV link answers the same figure.
func TestBrowserMoneyReport(t *testing.T) {
	t.Parallel()
	m := newMoneySite(t)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	acmeProfit := fmt.Sprintf(`#client-profit tr[data-id="%d"] .profit`, m.acme)
	must(t, chromedp.Do(tctx,
		chromedp.Navigate(m.ts.URL+"/reports/money?"+m.period),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("client-profit")),
	))
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	// amounts in the page's language (English here): RUB 1,110.00
	if got := text(acmeProfit); got != "RUB\u00a01,110.00" {
		t.Errorf("Acme profit %q, want 1110.00 (2400.00 - 1240.00 - 50.00)", got)
	}
	if got := text(fmt.Sprintf(`#product-profit tr[data-id="%d"]`, m.product.ID)); !strings.Contains(got, "1,240.00") || !strings.HasSuffix(got, "1,160.00") {
		t.Errorf("product row %q, want COGS 1240.00 and profit 1160.00", got)
	}
	if got := text("#marketing tbody tr"); !strings.Contains(got, "200.00\t1\t1\tRUB\u00a02,400.00\tRUB\u00a0200.00\tRUB\u00a0200.00\t1,100.0%") {
		t.Errorf("campaign row %q", got)
	}
	must(t, chromedp.Do(tctx,
		chromedp.SetValue(chromedp.ID("tx-direction"), "expense"),
		chromedp.SendKeys(chromedp.ID("tx-amount"), "30"),
		chromedp.SendKeys(chromedp.ID("tx-category"), "service"),
		chromedp.SendKeys(chromedp.ID("tx-client-q"), "Acme"), // the client is picked by name
		chromedp.WaitVisible(chromedp.CSS("#tx-client-picker .picker-item")),
		chromedp.Click(chromedp.CSS("#tx-client-picker .picker-item")),
		chromedp.SendKeys(chromedp.ID("tx-ticket-q"), "jams"), // and the request by its subject
		chromedp.WaitVisible(chromedp.CSS("#tx-ticket-picker .picker-item")),
		chromedp.Click(chromedp.CSS("#tx-ticket-picker .picker-item")),
		chromedp.Click(chromedp.ID("tx-submit")),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")),
	))
	if got := text(".alert-ok"); !strings.Contains(got, "Recorded expense of RUB\u00a030.00 (service)") {
		t.Errorf("flash %q", got)
	}
	if got := text(acmeProfit); got != "RUB\u00a01,080.00" {
		t.Errorf("Acme profit after the expense %q, want 1080.00", got)
	}
	if got := text("#service-per-ticket"); got != "RUB\u00a030.00" {
		t.Errorf("service cost per request %q, want 30.00", got)
	}
	href, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.getElementById("csv-clients").href`))
	if err != nil {
		t.Fatal(err)
	}
	b := m.browser()
	b.login("admin")
	resp, body := b.get(strings.TrimPrefix(href, m.ts.URL))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Acme Trading,12,2400.00,1240.00,80.00,1080.00") {
		t.Errorf("client CSV %d: %s", resp.StatusCode, body)
	}
}

// TestMoneyPageRolesAndBadInput: agents get 403 on the page and the form
// and no Money link; a refused transaction comes back with its values and
// the reason, and nothing is recorded.
func TestMoneyPageRolesAndBadInput(t *testing.T) {
	t.Parallel()
	m := newMoneySite(t)
	agent := m.browser()
	csrf := agent.login("agent")
	if resp, body := agent.get("/reports/money"); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "client-profit") {
		t.Errorf("agent GET /reports/money: %d", resp.StatusCode)
	}
	if resp, _ := agent.post("/reports/money/transactions", url.Values{"csrf_token": {csrf}, "direction": {"income"}, "amount": {"1"},
		"category": {"sale"}, "client_id": {fmt.Sprint(m.acme)}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent POST transaction: %d", resp.StatusCode)
	}
	if _, body := agent.get("/clients"); strings.Contains(body, `href="/reports/money"`) {
		t.Error("agent's nav links the money page")
	}
	before := transactions(t, m.store)
	admin := m.browser()
	csrf = admin.login("admin")
	for name, form := range map[string]url.Values{
		"three decimals":  {"amount": {"12.345"}, "category": {"service"}, "client_id": {fmt.Sprint(m.acme)}},
		"unknown client":  {"amount": {"12.34"}, "category": {"service"}, "client_id": {"99999999"}},
		"neither":         {"amount": {"12.34"}, "category": {"service"}},
		"bad category":    {"amount": {"12.34"}, "category": {"Free Text!"}, "client_id": {fmt.Sprint(m.acme)}},
		"bad client text": {"amount": {"12.34"}, "category": {"service"}, "client_id": {"abc"}},
	} {
		form.Set("csrf_token", csrf)
		form.Set("direction", "expense")
		form.Set("note", "kept <note>")
		resp, body := admin.post("/reports/money/transactions", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Transaction not recorded") ||
			!strings.Contains(body, `value="kept &lt;note&gt;"`) || !strings.Contains(body, `value="`+form.Get("amount")+`"`) {
			t.Errorf("%s: %d %s", name, resp.StatusCode, pageError(body))
		}
	}
	if after := transactions(t, m.store); after != before {
		t.Errorf("refused forms recorded %d transactions", after-before)
	}
	if resp, body := admin.get("/reports/money?from=2026-13-01"); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "From: want a day as YYYY-MM-DD") {
		t.Errorf("bad period: %d %s", resp.StatusCode, pageError(body))
	}
}

func transactions(t *testing.T, st *postgres.Services) int {
	t.Helper()
	list, err := st.Money.ListTransactions(context.Background(), resource.TransactionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// pageError is the page's error alert, for test messages.
func pageError(body string) string {
	i := strings.Index(body, `id="page-error"`)
	if i < 0 {
		return "(no error alert)"
	}
	rest := body[i:]
	if j := strings.Index(rest, "</div>"); j > 0 {
		rest = rest[:j]
	}
	return rest
}
