package web_test

import (
	"context"
	"html"
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
)

// boughtProducts is a client's purchases on the service desk site: a PBX
// appliance under critical 24/7 support (plan "Premium 24/7") for 3 years
// from a month ago, a SIP trunk whose month of support ended two months
// ago, and a cable box without support; the catalogue also has two
// routers, RT-100 and RT-200, the client never bought.
type boughtProducts struct {
	client                 crm.Client
	plan                   service.SLAPlan
	pbx, sip, cable        resource.Product
	router100, router200   resource.Product
	pbxUntil, sipExpiredOn time.Time
}

func newBoughtProducts(t *testing.T, s *site) *boughtProducts {
	t.Helper()
	ctx := context.Background()
	b := &boughtProducts{client: crm.Client{Name: "Olga Buyer"}}
	must(t, s.store.Clients.CreateClient(ctx, &b.client))
	b.plan = service.StandardPlan()
	b.plan.Name, b.plan.Default = "Premium 24/7", false
	allDay := []service.Span{{From: 0, To: 24 * 60}}
	b.plan.Hours = service.WeekHours{allDay, allDay, allDay, allDay, allDay, allDay, allDay}
	must(t, s.store.SLA.SaveSLAPlan(ctx, &b.plan))
	wh := resource.Warehouse{Code: "MSK", Name: "Moscow"}
	must(t, s.store.Stock.CreateWarehouse(ctx, &wh))
	b.pbx = resource.Product{SKU: "PBX-1", Name: "PBX appliance", Support: "24/7", SupportMonths: 36,
		SupportPriority: service.PriorityCritical, SupportPlanID: &b.plan.ID}
	b.sip = resource.Product{SKU: "SIP-1", Name: "SIP trunk", Support: "business hours", SupportMonths: 1, SupportPriority: service.PriorityHigh}
	b.cable = resource.Product{SKU: "CABLE-1", Name: "Cable box"}
	b.router100 = resource.Product{SKU: "RT-100", Name: "Router 100"}
	b.router200 = resource.Product{SKU: "RT-200", Name: "Router 200", SupportMonths: 12, SupportPriority: service.PriorityHigh}
	now := time.Now()
	bought := map[*resource.Product]time.Time{&b.pbx: now.AddDate(0, -1, 0), &b.sip: now.AddDate(0, -3, 0), &b.cable: now.AddDate(0, 0, -2)}
	for _, p := range []*resource.Product{&b.pbx, &b.sip, &b.cable, &b.router100, &b.router200} {
		must(t, s.store.Stock.CreateProduct(ctx, p))
		at, ok := bought[p]
		if !ok {
			continue
		}
		if _, err := s.store.Stock.Receive(ctx, resource.ReceiptInput{ProductID: p.ID, WarehouseID: wh.ID, Batch: "B", Qty: 1, At: now.AddDate(-1, 0, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.store.Stock.Ship(ctx, resource.OutInput{ProductID: p.ID, WarehouseID: wh.ID, Qty: 1, ClientID: &b.client.ID, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	b.pbxUntil, b.sipExpiredOn = bought[&b.pbx].AddDate(0, 36, 0), bought[&b.sip].AddDate(0, 1, 0)
	return b
}

func id(v int64) string { return strconv.FormatInt(v, 10) }

// ticketOf reads back the ticket a create redirected to.
func ticketOf(t *testing.T, s *site, resp *http.Response) service.Ticket {
	t.Helper()
	loc := resp.Header.Get("Location")
	n, err := strconv.ParseInt(strings.TrimPrefix(loc, "/tickets/"), 10, 64)
	if resp.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("create: %d %q, want a redirect to the new request", resp.StatusCode, loc)
	}
	tk, err := s.store.Tickets.GetTicket(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestNewRequestFormOffersPurchasedProducts: the form lists the client's
// purchases labelled with their support (active until when, at which
// priority; expired; none) above "Other product", and an agent's request
// about the supported PBX gets critical priority, the premium plan and the
// support history line.
func TestNewRequestFormOffersPurchasedProducts(t *testing.T) {
	t.Parallel()
	s := newDeskSite(t)
	bp := newBoughtProducts(t, s)
	b := s.browser()
	csrf := b.login("agent")
	resp, body := b.get("/tickets/new?client=" + id(bp.client.ID) + "&call=1764140000.7")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("form: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`<option value="` + id(bp.pbx.ID) + `" data-support="active">PBX appliance — support active until ` + bp.pbxUntil.UTC().Format("2 Jan 2006") + `, critical priority</option>`,
		`<option value="` + id(bp.sip.ID) + `" data-support="expired">SIP trunk — support expired ` + bp.sipExpiredOn.UTC().Format("2 Jan 2006") + `</option>`,
		`<option value="` + id(bp.cable.ID) + `" data-support="none">Cable box — no support contract</option>`,
		`<option value="other">Other product (by SKU or name)…</option>`,
		`name="product_q"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("form lacks %s", want)
		}
	}
	if strings.Contains(body, "Router 100") {
		t.Errorf("form lists a product the client never bought among the purchases")
	}
	if t.Failed() {
		t.Fatalf("form:\n%s", body)
	}

	resp, _ = b.post("/tickets", url.Values{"csrf_token": {csrf}, "client_id": {id(bp.client.ID)}, "call": {"1764140000.7"},
		"subject": {"PBX reboots"}, "product_id": {id(bp.pbx.ID)}})
	tk := ticketOf(t, s, resp)
	if tk.ProductID == nil || *tk.ProductID != bp.pbx.ID || tk.Priority != service.PriorityCritical || tk.PlanID == nil || *tk.PlanID != bp.plan.ID {
		t.Fatalf("ticket %+v: want product %d, critical, plan %d", tk, bp.pbx.ID, bp.plan.ID)
	}
	_, body = b.get("/tickets/" + id(tk.ID))
	want := html.EscapeString(`priority critical and SLA plan "Premium 24/7" from support of PBX appliance until ` + bp.pbxUntil.Format("2 Jan 2006"))
	if !strings.Contains(body, `id="ticket-priority">critical<`) || !strings.Contains(body, `<dd id="ticket-support">`+want+`</dd>`) ||
		!strings.Contains(body, `<b>Support terms</b>: `+want) {
		t.Fatalf("ticket page lacks critical priority and %q:\n%s", want, body)
	}
}

// TestNewRequestProductRules: a priority chosen by hand is kept while the
// support's plan applies; expired support only leaves a history line; a
// product the client did not buy is found by SKU; an ambiguous or unknown
// search, an unknown id or a bad id come back as the filled-in form naming
// the field; no product is fine; a post without the CSRF token is refused.
func TestNewRequestProductRules(t *testing.T) {
	t.Parallel()
	s := newDeskSite(t)
	bp := newBoughtProducts(t, s)
	b := s.browser()
	csrf := b.login("agent")
	form := func(kv ...string) url.Values {
		v := url.Values{"csrf_token": {csrf}, "client_id": {id(bp.client.ID)}, "subject": {"Help <now>"},
			"description": {"Details stay"}, "category": {"hardware"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}

	resp, _ := b.post("/tickets", form("product_id", id(bp.pbx.ID), "priority", "low"))
	if tk := ticketOf(t, s, resp); tk.Priority != service.PriorityLow || tk.PlanID == nil || *tk.PlanID != bp.plan.ID {
		t.Errorf("hand-set low priority: ticket priority %s plan %v, want low on plan %d", tk.Priority, tk.PlanID, bp.plan.ID)
	}
	resp, _ = b.post("/tickets", form("product_id", id(bp.sip.ID)))
	tk := ticketOf(t, s, resp)
	if tk.Priority != service.PriorityNormal || tk.ProductID == nil || *tk.ProductID != bp.sip.ID {
		t.Errorf("expired support: priority %s product %v, want normal about the SIP trunk", tk.Priority, tk.ProductID)
	}
	if _, body := b.get("/tickets/" + id(tk.ID)); !strings.Contains(body, "support of SIP trunk ended on "+bp.sipExpiredOn.Format("2 Jan 2006")+": normal handling") {
		t.Errorf("expired support: the ticket page lacks the history line:\n%s", body)
	}
	resp, _ = b.post("/tickets", form("product_id", "other", "product_q", "rt-100"))
	if tk := ticketOf(t, s, resp); tk.ProductID == nil || *tk.ProductID != bp.router100.ID || tk.Priority != service.PriorityNormal {
		t.Errorf("other product by SKU: product %v priority %s, want RT-100 at normal", tk.ProductID, tk.Priority)
	}
	resp, _ = b.post("/tickets", form("product_id", "other", "product_q", "Router", "other_product_id", id(bp.router200.ID)))
	if tk := ticketOf(t, s, resp); tk.ProductID == nil || *tk.ProductID != bp.router200.ID {
		t.Errorf("other product picked among matches: product %v, want RT-200", tk.ProductID)
	}
	resp, _ = b.post("/tickets", form())
	if tk := ticketOf(t, s, resp); tk.ProductID != nil {
		t.Errorf("no product: product %v", *tk.ProductID)
	}

	for _, bad := range []struct {
		name  string
		form  url.Values
		error string
		field string
		kept  []string
	}{
		{"unknown id", form("product_id", "987654", "priority", "high"), "Product: is not a known product", "ticket-product",
			[]string{`<option value="high" selected>`}},
		{"not a number", form("product_id", "PBX"), "Product: &#34;PBX&#34; is not a product", "ticket-product", nil},
		{"ambiguous search", form("product_id", "other", "product_q", "router"), "other_product_id: 2 products match &#34;router&#34;: choose one", "ticket-other-id",
			[]string{`<option value="` + id(bp.router100.ID) + `">RT-100 — Router 100</option>`, `<option value="other" selected>`, `value="router"`}},
		{"no match", form("product_q", "nothing-like-it"), "product_q: no product has the SKU or name &#34;nothing-like-it&#34;", "ticket-product-q",
			[]string{`value="nothing-like-it"`}},
		{"other without a search", form("product_id", "other"), "product_q: type the product&#39;s SKU or name", "ticket-product-q", nil},
		{"bad subject keeps the product", form("product_id", id(bp.pbx.ID), "subject", " "), "Subject: is required", "ticket-subject",
			[]string{`<option value="` + id(bp.pbx.ID) + `" data-support="active" selected>`}},
	} {
		resp, body := b.post("/tickets", bad.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, bad.error) {
			t.Errorf("%s: %d, want 422 saying %q:\n%s", bad.name, resp.StatusCode, bad.error, body)
			continue
		}
		kept := append([]string{`id="` + bad.field + `"`, "Details stay", `value="hardware"`}, bad.kept...)
		if bad.field != "ticket-subject" {
			kept = append(kept, `value="Help &lt;now&gt;"`)
		}
		for _, k := range kept {
			if !strings.Contains(body, k) {
				t.Errorf("%s: the form back lacks %s", bad.name, k)
			}
		}
		if i := strings.Index(body, `id="`+bad.field+`"`); i < 0 || !strings.Contains(body[i:i+300], `aria-invalid="true"`) {
			t.Errorf("%s: %s not marked invalid", bad.name, bad.field)
		}
	}

	before, err := s.store.Tickets.ListTickets(context.Background(), service.TicketFilter{ClientID: bp.client.ID})
	if err != nil {
		t.Fatal(err)
	}
	noCSRF := form("product_id", id(bp.pbx.ID))
	noCSRF.Del("csrf_token")
	if resp, _ := b.post("/tickets", noCSRF); resp.StatusCode != http.StatusForbidden {
		t.Errorf("post without CSRF: %d, want 403", resp.StatusCode)
	}
	if after, err := s.store.Tickets.ListTickets(context.Background(), service.TicketFilter{ClientID: bp.client.ID}); err != nil || len(after.Items) != len(before.Items) {
		t.Errorf("post without CSRF created a ticket: %d before, %d after (%v)", len(before.Items), len(after.Items), err)
	}
}

// TestBrowserNewRequestUnderSupport: an agent opens "New request" from the
// client's page, looks up another product (the search lists both routers),
// changes their mind and picks the PBX with critical support; the request
// opens with critical priority and says which support terms gave it.
func TestBrowserNewRequestUnderSupport(t *testing.T) {
	t.Parallel()
	s := newDeskSite(t)
	bp := newBoughtProducts(t, s)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	pick := func(value string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(function () { const s = document.getElementById("ticket-product");
			s.value = ` + strconv.Quote(value) + `; s.dispatchEvent(new Event("change")); })()`)
	}
	err := chromedp.Do(tctx,
		chromedp.Navigate(s.ts.URL+"/clients/"+id(bp.client.ID)),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "agent"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("new-request")),
		chromedp.Click(chromedp.ID("new-request")),
		chromedp.WaitVisible(chromedp.ID("ticket-product")),
		chromedp.WaitNotVisible(chromedp.ID("ticket-other-product")), // shown only for "Other product"
		pick("other"),
		chromedp.WaitVisible(chromedp.ID("ticket-product-q")),
		chromedp.SendKeys(chromedp.ID("ticket-product-q"), "RT-"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := waitText(tctx, "#ticket-other-id", "RT-200 — Router 200"); err != nil || !strings.Contains(got, "RT-100 — Router 100") {
		t.Fatalf("other product search: %q, %v", got, err)
	}
	err = chromedp.Do(tctx,
		pick(id(bp.pbx.ID)),
		chromedp.WaitNotVisible(chromedp.ID("ticket-other-product")),
		chromedp.SendKeys(chromedp.ID("ticket-subject"), "PBX does not boot"),
		chromedp.Click(chromedp.ID("create-ticket")),
		chromedp.WaitVisible(chromedp.ID("ticket-support")),
	)
	if err != nil {
		t.Fatal(err)
	}
	prio, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID("ticket-priority")))
	if err != nil || prio != "critical" {
		t.Fatalf("ticket priority %q, %v; want critical", prio, err)
	}
	support, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID("ticket-support")))
	want := `priority critical and SLA plan "Premium 24/7" from support of PBX appliance until ` + bp.pbxUntil.Format("2 Jan 2006")
	if err != nil || support != want {
		t.Fatalf("support terms %q, %v; want %q", support, err, want)
	}
	history, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(".ticket-support")))
	if err != nil || history != "Support terms: "+want {
		t.Fatalf("history line %q, %v", history, err)
	}
}
