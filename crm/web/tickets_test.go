package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/kb"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
	"hotline/crm/web"
)

// The store's ticket service links requests and projects.
var _ web.TicketProjects = (*postgres.TicketService)(nil)

// ticketAPI are the service desk's API services over st.
func ticketAPI(st *postgres.Services) httpapi.TicketDeps {
	return httpapi.TicketDeps{Tickets: st.Tickets, Messages: st.Tickets, Costs: st.Tickets, SLA: st.SLA,
		Articles: st.KB, Outbox: st.Notify, Products: st.SLA}
}

// ticketPageDeps are the service desk's pages' services over st, with the
// new-request form's product picker when products (without costs).
func ticketPageDeps(st *postgres.Services, products bool) web.TicketPageDeps {
	d := web.TicketPageDeps{Tickets: st.Tickets, Messages: st.Tickets}
	if products {
		d.Products = productsOf(st)
	}
	return d
}

func newDeskSite(t *testing.T) *site {
	t.Helper()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	httpapi.RegisterTickets(api, ticketAPI(st))
	httpapi.RegisterStock(api, httpapi.StockDeps{Catalogue: st.Stock, Stock: st.Stock, Reservations: st.Stock, Access: st.DB, Purchases: st.Stock}) // the new-request form's product search
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountTickets(ticketPageDeps(st, true))
	pages.MountKB(web.KBPageDeps{KB: st.KB, Tickets: st.Tickets}) // the knowledge base's search page
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	for _, u := range []crm.User{{Login: "admin", Name: "Anna Admin", Role: crm.RoleAdmin}, {Login: "agent", Name: "Alex Agent", Role: crm.RoleAgent}} {
		if _, err := auth.CreateUser(context.Background(), st.Users, u, adminPassword); err != nil {
			t.Fatal(err)
		}
	}
	return &site{t: t, store: st, ts: ts}
}

func TestTicketPagesFromPopToStatusLink(t *testing.T) {
	t.Parallel()
	s := newDeskSite(t)
	ctx := context.Background()
	c := crm.Client{Name: "Pop <Client>", Priority: "A"}
	if err := s.store.Clients.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	csrf := b.login("agent")
	cid := strconv.FormatInt(c.ID, 10)

	// The screen pop's "New request" link: client and call filled in.
	resp, body := b.get("/tickets/new?client=" + cid + "&call=1764140000.3")
	if resp.StatusCode != 200 || !strings.Contains(body, "Pop &lt;Client&gt;") || !strings.Contains(body, `value="1764140000.3"`) {
		t.Fatalf("new form: %d %s", resp.StatusCode, body)
	}
	resp, body = b.post("/tickets", url.Values{"csrf_token": {csrf}, "client_id": {cid}, "call": {"1764140000.3"}, "subject": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "subject") {
		t.Fatalf("empty subject: %d", resp.StatusCode)
	}
	resp, _ = b.post("/tickets", url.Values{"client_id": {cid}, "subject": {"no csrf"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("post without CSRF: %d", resp.StatusCode)
	}
	resp, _ = b.post("/tickets", url.Values{"csrf_token": {csrf}, "client_id": {cid}, "call": {"1764140000.3"},
		"subject": {"<b>Интернет</b> не работает"}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/tickets/") {
		t.Fatalf("create: %d %s", resp.StatusCode, loc)
	}
	resp, body = b.get(loc)
	if resp.StatusCode != 200 || !strings.Contains(body, "&lt;b&gt;Интернет") || !strings.Contains(body, "1764140000.3") ||
		!strings.Contains(body, `id="ticket-priority">high`) {
		t.Fatalf("ticket page: %d %s", resp.StatusCode, body)
	}
	resp, _ = b.post(loc+"/status", url.Values{"csrf_token": {csrf}, "status": {"waiting"}, "comment": {"asked for the router model"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status change: %d", resp.StatusCode)
	}
	b.post(loc+"/comments", url.Values{"csrf_token": {csrf}, "body": {"Please tell us the model"}, "public": {"on"}})
	b.post(loc+"/comments", url.Values{"csrf_token": {csrf}, "body": {"internal only note"}})
	_, body = b.get(loc)
	if !strings.Contains(body, "paused: waiting for the customer") || !strings.Contains(body, "internal only note") {
		t.Fatalf("ticket page after changes: %s", body)
	}
	resp, body = b.post(loc+"/status", url.Values{"csrf_token": {csrf}, "status": {"new"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "cannot go from waiting to new") {
		t.Fatalf("bad transition: %d", resp.StatusCode)
	}

	// The customer's link works without signing in and hides internal notes.
	id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/tickets/"), 10, 64)
	tk, _ := s.store.Tickets.GetTicket(ctx, id)
	resp, body = s.browser().get("/status/" + tk.PublicToken)
	if resp.StatusCode != 200 || !strings.Contains(body, "Please tell us the model") || strings.Contains(body, "internal only") ||
		!strings.Contains(body, `id="public-state">waiting`) {
		t.Fatalf("public status: %d %s", resp.StatusCode, body)
	}
	if resp, _ := s.browser().get("/status/" + strings.Repeat("A", 32)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("guessed link: %d", resp.StatusCode)
	}

	// Lists: the agent sees their own ticket; another team's is hidden.
	other := service.Ticket{ClientID: c.ID, Subject: "Someone else's"}
	if err := s.store.Tickets.CreateTicket(ctx, &other); err != nil {
		t.Fatal(err)
	}
	_, body = b.get("/tickets?status=all")
	if !strings.Contains(body, "Интернет") || strings.Contains(body, "Someone else") {
		t.Fatalf("agent's list: %s", body)
	}
	if resp, _ := b.get("/tickets/" + strconv.FormatInt(other.ID, 10)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("other ticket: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/reports/service"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("report for an agent: %d", resp.StatusCode)
	}
	adm := s.browser()
	adm.login("admin")
	if resp, body := adm.get("/reports/service?by=team"); resp.StatusCode != 200 || !strings.Contains(body, "(no team)") {
		t.Fatalf("report: %d %s", resp.StatusCode, body)
	}
	if resp, body := adm.get("/tickets?status=all"); resp.StatusCode != 200 || !strings.Contains(body, "Someone else") {
		t.Fatalf("admin list: %d", resp.StatusCode)
	}
}

func TestKnowledgeBasePageHighlights(t *testing.T) {
	t.Parallel()
	s := newDeskSite(t)
	a := kb.Article{Title: "Настройка <VPN>", Body: "Для настройки VPN <script>alert(1)</script> скачайте клиент.",
		Lang: kb.LangRussian, Visibility: kb.VisibilityInternal}
	if err := s.store.KB.SaveArticle(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	b.login("agent")
	resp, body := b.get("/kb?q=" + url.QueryEscape("настройки vpn"))
	if resp.StatusCode != 200 || !strings.Contains(body, "<mark>") || strings.Contains(body, "<script>alert") ||
		!strings.Contains(body, "Настройка &lt;VPN&gt;") {
		t.Fatalf("kb page: %d %s", resp.StatusCode, body)
	}
}
