package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/crm/service"
	"hotline/telephony/screenpop"
)

// defaultPlan is the ID of the default SLA plan ("Standard").
func defaultPlan(t *testing.T, s *site) service.SLAPlan {
	t.Helper()
	plans, err := s.store.SLA.ListSLAPlans(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		if p.Default {
			return p
		}
	}
	t.Fatal("no default SLA plan")
	return service.SLAPlan{}
}

// TestProductFormSupportTerms: staff add a product with a support priority
// and SLA plan from the stock page and the catalogue shows them; an
// unknown plan, a priority without support months and a bad number come
// back as a filled-in form naming the field; agents cannot post the form.
func TestProductFormSupportTerms(t *testing.T) {
	t.Parallel()
	s, _, _ := stockSite(t)
	plan := defaultPlan(t, s)
	admin := s.browser()
	csrf := admin.login("admin")
	form := func(kv ...string) url.Values {
		v := url.Values{"csrf_token": {csrf}, "sku": {"PBX-1"}, "name": {"PBX appliance"}, "support": {"24/7"},
			"support_months": {"36"}, "support_priority": {"critical"}, "support_plan_id": {strconv.FormatInt(plan.ID, 10)}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	for _, bad := range []struct {
		form  url.Values
		field string
	}{
		{form("support_plan_id", "987654"), "support_plan_id: is not a known SLA plan"},
		{form("support_months", "0"), "support_months: a support priority or SLA plan needs support months"},
		{form("support_months", "three"), "support_months: must be a whole number"},
		{form("support_priority", "urgent"), "support_priority: must be one of critical, high, normal, low"},
	} {
		resp, body := admin.post("/stock/products", bad.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, bad.field) ||
			!strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, `value="PBX-1"`) {
			t.Errorf("form %v: %d, want 422 naming %q with the form filled in:\n%s", bad.form, resp.StatusCode, bad.field, body)
		}
	}
	resp, _ := admin.post("/stock/products", form())
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "done=") {
		t.Fatalf("add product: %d %s", resp.StatusCode, loc)
	}
	list, err := s.store.Stock.ListProducts(context.Background(), "PBX-1", 5)
	if err != nil || len(list) != 1 || list[0].SupportPriority != service.PriorityCritical || list[0].SupportPlan != plan.Name {
		t.Fatalf("stored product %+v, %v", list, err)
	}
	_, body := admin.get(loc)
	if !strings.Contains(body, `id="edit-product-form"`) ||
		!strings.Contains(body, "24/7, 36 months after the sale; requests get <span class=\"tag prio-critical\">critical priority</span> and the SLA plan “"+plan.Name+"”") {
		t.Fatalf("stock page of the new product lacks its support terms:\n%s", body)
	}
	agent := s.browser()
	acsrf := agent.login("agent")
	if resp, _ := agent.post("/stock/products/"+strconv.FormatInt(list[0].ID, 10), url.Values{"csrf_token": {acsrf}, "sku": {"PBX-1"}, "name": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("agent changing a product: %d, want 403", resp.StatusCode)
	}
	if _, body := agent.get("/stock"); strings.Contains(body, "new-product-form") || !strings.Contains(body, `id="catalogue"`) {
		t.Fatalf("agent's stock page: product form shown or catalogue missing")
	}
}

// TestBrowserEditProductSupport: an admin opens a product on the stock
// page, gives it high priority on the default plan and saves; the
// catalogue row says so.
func TestBrowserEditProductSupport(t *testing.T) {
	t.Parallel()
	s, p, _ := stockSite(t)
	plan := defaultPlan(t, s)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	row := `#catalogue tr[data-product-id="` + strconv.FormatInt(p.ID, 10) + `"] .product-support`
	err := chromedp.Do(tctx,
		chromedp.Navigate(s.ts.URL+"/stock?product_id="+strconv.FormatInt(p.ID, 10)),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("edit-product-form")),
		chromedp.SetValue(chromedp.CSS(`#edit-product-form input[name="support_months"]`), "12"),
		chromedp.SetValue(chromedp.CSS(`#edit-product-form select[name="support_priority"]`), "high"),
		chromedp.SetValue(chromedp.CSS(`#edit-product-form select[name="support_plan_id"]`), strconv.FormatInt(plan.ID, 10)),
		chromedp.Click(chromedp.CSS(`#edit-product-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")), // "Saved product ...": the page after the save
	)
	if err != nil {
		t.Fatal(err)
	}
	support, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(row)))
	if err != nil {
		t.Fatal(err)
	}
	if want := "12 months after the sale; requests get high priority and the SLA plan “" + plan.Name + "”"; support != want {
		t.Fatalf("catalogue row %q, want %q", support, want)
	}
	got, err := s.store.Stock.GetProduct(context.Background(), p.ID)
	if err != nil || got.SupportPriority != service.PriorityHigh || got.SupportMonths != 12 || got.LeadTimeDays != 5 || got.SKU != p.SKU {
		t.Fatalf("saved product %+v, %v; want the other fields kept", got, err)
	}
}

// TestTicketPageShowsSupportTerms: a request opened under a product's
// support says so among its facts and in its history.
func TestTicketPageShowsSupportTerms(t *testing.T) {
	t.Parallel()
	s := newDeskSite(t)
	ctx := context.Background()
	c := crm.Client{Name: "PBX owner"}
	if err := s.store.Clients.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	product := int64(7)
	until := time.Now().AddDate(0, 6, 0)
	tk := service.Ticket{ClientID: c.ID, ProductID: &product, Subject: "PBX down",
		Terms: &service.SupportTerms{ProductID: product, Product: "PBX appliance", Priority: service.PriorityCritical, Until: until}}
	if err := s.store.Tickets.CreateTicket(ctx, &tk); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	b.login("admin")
	resp, body := b.get("/tickets/" + strconv.FormatInt(tk.ID, 10))
	want := "priority critical from support of PBX appliance until " + until.Format("2 Jan 2006")
	if resp.StatusCode != 200 || !strings.Contains(body, `<dd id="ticket-support">`+want+`</dd>`) ||
		!strings.Contains(body, `<b>Support terms</b>: `+want) || !strings.Contains(body, `id="ticket-priority">critical<`) {
		t.Fatalf("ticket page: %d, want the support terms %q:\n%s", resp.StatusCode, want, body)
	}
}

// TestBrowserCardShowsSupport: the screen pop's "Products and support"
// says a product's support is active, until when and with what priority,
// and that another's has expired.
func TestBrowserCardShowsSupport(t *testing.T) {
	t.Parallel()
	s := newConsoleSite(t)
	bg := context.Background()
	cl := crm.Client{Kind: crm.ClientPerson, Name: "Olga Buyer",
		Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+79161230000", Raw: "+7 916 123-00-00"}}}
	if err := s.store.Clients.CreateClient(bg, &cl); err != nil {
		t.Fatal(err)
	}
	wh := resource.Warehouse{Code: "MSK", Name: "Moscow"}
	if err := s.store.Stock.CreateWarehouse(bg, &wh); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	bought := map[string]time.Time{"PBX appliance": now.AddDate(0, -1, 0), "SIP trunk": now.AddDate(0, -3, 0)}
	for name, months := range map[string]int{"PBX appliance": 36, "SIP trunk": 1} {
		p := resource.Product{SKU: strings.ReplaceAll(name, " ", "-"), Name: name, Support: "24/7", SupportMonths: months, SupportPriority: service.PriorityCritical}
		if err := s.store.Stock.CreateProduct(bg, &p); err != nil {
			t.Fatal(err)
		}
		if _, err := s.store.Stock.Receive(bg, resource.ReceiptInput{ProductID: p.ID, WarehouseID: wh.ID, Batch: "B", Qty: 1, At: now.AddDate(-1, 0, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.store.Stock.Ship(bg, resource.OutInput{ProductID: p.ID, WarehouseID: wh.ID, Qty: 1, ClientID: &cl.ID, At: bought[name]}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := signInToConsole(tctx, s.ts.URL, "anna"); err != nil {
		t.Fatal(err)
	}
	if err := s.popper.Ringing(bg, screenpop.Ringing{CallID: "1764000000.9", Endpoint: "PJSIP/1001", Caller: "+79161230000", Dialled: "100"}); err != nil {
		t.Fatal(err)
	}
	card := `.popcard[data-call-id="1764000000.9"]`
	if err := chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS(card+` .pop-client-name`))); err != nil {
		t.Fatal(err)
	}
	lines, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('`+card+` .pop-section')).
		filter(s => s.querySelector("h4").textContent === "Products and support").
		flatMap(s => Array.from(s.querySelectorAll("li"), li => li.textContent))`))
	if err != nil || len(lines) != 2 {
		t.Fatalf("products on the card: %q, %v", lines, err)
	}
	if !strings.HasPrefix(lines[0], "PBX appliance — 24/7 — support active until ") || !strings.HasSuffix(lines[0], ", critical priority") {
		t.Errorf("supported product on the card: %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], "SIP trunk — 24/7 — support expired ") {
		t.Errorf("expired product on the card: %q", lines[1])
	}
}
