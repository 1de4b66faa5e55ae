package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strconv"
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
	"hotline/telephony/screenpop"
)

// availSite is the web front with the console (card builder with the stock
// store as its ProductLister), the service desk and stock mounted, and:
// client Ivan Petrov (+79161234567) with an open request about SW-8, a
// switch out of stock with 6 expected in 5 days; RT-100, a router with 10
// free in MSK and 4 in SPB; agent anna on PJSIP/1001.
type availSite struct {
	store   *postgres.Services
	ts      *httptest.Server
	popper  *screenpop.Popper
	client  crm.Client
	ticket  service.Ticket
	router  resource.Product
	sw      resource.Product
	arrives time.Time
}

func newAvailSite(t *testing.T) *availSite {
	t.Helper()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	hub := screenpop.NewLocalHub(0)
	t.Cleanup(func() { _ = hub.Close() })
	cards := screenpop.NewCardBuilder(screenpop.CardSources{Clients: st.Clients, Recent: st.ScreenPop, Directory: st.ScreenPop, Tickets: st.Tickets, Products: st.Stock})
	popper := screenpop.NewPopper(screenpop.Options{Cards: cards, Hub: hub, Agents: st.ScreenPop, Status: screenpop.NewLocalStatusBoard()})
	httpapi.RegisterScreenPop(api, httpapi.ScreenPopDeps{Hub: hub, Popper: popper, Cards: cards, Timeline: st.Clients, Calls: st.ScreenPop})
	pages.MountConsole()
	pages.MountTickets(ticketPageDeps(st, true))
	httpapi.RegisterStock(api, httpapi.StockDeps{Catalogue: st.Stock, Stock: st.Stock, Reservations: st.Stock, Access: st.DB, Purchases: st.Stock})
	pages.MountStock(stockPageDeps(st))
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)

	anna, err := auth.CreateUser(ctx, st.Users, crm.User{Login: "anna", Name: "Anna Agent", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1001"}}, consolePassword)
	if err != nil {
		t.Fatal(err)
	}
	s := &availSite{store: st, ts: ts, popper: popper}
	s.client = crm.Client{Kind: crm.ClientPerson, Name: "Ivan Petrov", Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+79161234567"}}}
	must(t, st.Clients.CreateClient(ctx, &s.client))
	var wh [2]int64
	for i, code := range []string{"MSK", "SPB"} {
		w := resource.Warehouse{Code: code, Name: code + " store"}
		must(t, st.Stock.CreateWarehouse(ctx, &w))
		wh[i] = w.ID
	}
	s.router = resource.Product{SKU: "RT-100", Name: "Router RT-100", LeadTimeDays: 5}
	s.sw = resource.Product{SKU: "SW-8", Name: "Switch SW-8", LeadTimeDays: 30}
	must(t, st.Stock.CreateProduct(ctx, &s.router))
	must(t, st.Stock.CreateProduct(ctx, &s.sw))
	for i, qty := range []int64{10, 4} {
		if _, err := st.Stock.Receive(ctx, resource.ReceiptInput{ProductID: s.router.ID, WarehouseID: wh[i], Batch: "B" + strconv.Itoa(i), Qty: qty, UnitCost: 100}); err != nil {
			t.Fatal(err)
		}
	}
	s.arrives = time.Now().Add(5 * 24 * time.Hour)
	if _, err := st.Stock.ExpectReceipt(ctx, s.sw.ID, wh[0], 6, s.arrives, "PO-17"); err != nil {
		t.Fatal(err)
	}
	s.ticket = service.Ticket{ClientID: s.client.ID, Subject: "Switch dead", ProductID: &s.sw.ID, CreatedBy: &anna.ID}
	must(t, st.Tickets.CreateTicket(ctx, &s.ticket))
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// waitText polls the text of sel until it contains want.
func waitText(ctx context.Context, sel, want string) (string, error) {
	var got string
	for deadline := time.Now().Add(20 * time.Second); ; {
		txt, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.AtLeast(0)))
		got = txt
		if err == nil && strings.Contains(txt, want) {
			return txt, nil
		}
		if time.Now().After(deadline) {
			return got, fmt.Errorf("%s: %q does not contain %q (%v)", sel, got, want, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkAndReserve uses the check-availability box under root: finds the
// product by part of its name, asks for qty, reads the answer and reserves
// qty from the warehouse with the most free stock.
func checkAndReserve(ctx context.Context, root string, p resource.Product, search string, qty int) (answer string, err error) {
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	err = chromedp.Do(sctx,
		chromedp.WaitVisible(chromedp.CSS(root+" .stock-q")),
		chromedp.SendKeys(chromedp.CSS(root+" .stock-q"), search),
		chromedp.WaitReady(chromedp.CSS(fmt.Sprintf(`%s .stock-product option[value="%d"]`, root, p.ID))),
		chromedp.SetValue(chromedp.CSS(root+" .stock-qty"), strconv.Itoa(qty)),
		chromedp.Click(chromedp.CSS(root+" .stock-check")),
	)
	if err != nil {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){const q=document.querySelector('`+root+
			` .stock-q');const s=document.querySelector('`+root+` .stock-product');return (q?q.value:"no input")+" | "+(s?s.innerHTML:"no select")})()`))
		return "", fmt.Errorf("check (box: %s): %w", state, err)
	}
	if answer, err = waitText(ctx, root+" .stock-answer", fmt.Sprintf("(%d wanted)", qty)); err != nil {
		return answer, err
	}
	if err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(root+" .stock-reserve"))); err != nil {
		return answer, fmt.Errorf("reserve: %w", err)
	}
	_, err = waitText(ctx, root+" .stock-msg.ok", "Reserved "+strconv.Itoa(qty))
	return answer, err
}

// TestBrowserCardAvailability: the client calls; the agent's card shows the
// switch on the client's open request as short with its delivery date
// (fetched after the pop), a product list that says what to type, checks the router (14 free: 10 MSK, 4 SPB) and
// reserves 3 for the client from the card; the reservation is in the store
// and on the Stock page.
func TestBrowserCardAvailability(t *testing.T) {
	t.Parallel()
	s := newAvailSite(t)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	must(t, signInToConsole(tctx, s.ts.URL, "anna"))
	must(t, s.popper.Ringing(context.Background(), screenpop.Ringing{CallID: "1764100000.1", Endpoint: "PJSIP/1001", Caller: "89161234567"}))
	card := `.popcard[data-call-id="1764100000.1"]`
	item := fmt.Sprintf(`%s .pop-stock .stock-item[data-product-id="%d"]`, card, s.sw.ID)
	must(t, chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS(item))))
	line, _ := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(item)))
	date := s.arrives.UTC().Format("2 Jan 2006") // the page's language and the centre's zone: English, UTC here
	if !strings.Contains(line, "SW-8") || !strings.Contains(line, "Only 0 free now") || !strings.Contains(line, "available from "+date) ||
		!strings.Contains(line, fmt.Sprintf("open request #%d", s.ticket.ID)) {
		t.Errorf("card stock line %q: want SW-8 short, available from %s, on request #%d", line, date, s.ticket.ID)
	}
	// Before a search the product list says what to type, and Check asks for a product.
	if hint, err := waitText(tctx, card+" .pop-stock .stock-product", "type a SKU or name"); err != nil {
		t.Errorf("product list before a search %q: %v", hint, err)
	}
	must(t, chromedp.Do(tctx, chromedp.Click(chromedp.CSS(card+" .pop-stock .stock-check"))))
	if _, err := waitText(tctx, card+" .pop-stock .stock-result", "Choose a product first"); err != nil {
		t.Error(err)
	}
	answer, err := checkAndReserve(tctx, card+" .pop-stock", s.router, "Router", 3)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(answer, "In stock: 14 free now") {
		t.Errorf("router answer %q", answer)
	}
	free, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('`+card+
		` .stock-warehouses tbody tr')).map(r => r.cells[0].textContent + "=" + r.cells[1].textContent).join(",")`))
	if free != "MSK store=7,SPB store=4" {
		t.Errorf("warehouses after reserving 3 from MSK: %q", free)
	}
	res, err := s.store.Stock.ListReservations(context.Background(), resource.ReservationFilter{ClientID: s.client.ID, ActiveOnly: true})
	if err != nil || len(res) != 1 || res[0].ProductID != s.router.ID || res[0].Qty != 3 || res[0].TicketID != nil {
		t.Fatalf("client reservations %+v, %v; want 3 routers for the client", res, err)
	}
	// The list on the card now names the reservation.
	if _, err := waitText(tctx, fmt.Sprintf(`%s .stock-item[data-product-id="%d"]`, card, s.router.ID), "reserved 3 until"); err != nil {
		t.Error(err)
	}
	must(t, chromedp.Do(tctx, chromedp.Navigate(fmt.Sprintf("%s/stock?product_id=%d", s.ts.URL, s.router.ID)),
		chromedp.WaitVisible(chromedp.ID("reservations"))))
	onPage, _ := chromedp.Run(tctx, chromedp.Text(chromedp.ID("reservations")))
	if !strings.Contains(onPage, fmt.Sprintf("client %d", s.client.ID)) {
		t.Errorf("Stock page reservations %q lack client %d", onPage, s.client.ID)
	}
}

// TestBrowserClientAndTicketAvailability: on the client page the agent sees
// the short switch with its date and reserves 2 routers for the client; on
// the ticket page the same box reserves 1 router for the request, which the
// API lists by ticket and the Stock page shows.
func TestBrowserClientAndTicketAvailability(t *testing.T) {
	t.Parallel()
	s := newAvailSite(t)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	must(t, signInToConsole(tctx, s.ts.URL, "anna"))
	date := s.arrives.UTC().Format("2 Jan 2006") // the page's language and the centre's zone: English, UTC here

	must(t, chromedp.Do(tctx, chromedp.Navigate(fmt.Sprintf("%s/clients/%d", s.ts.URL, s.client.ID))))
	item := fmt.Sprintf(`#client-stock-box .stock-item[data-product-id="%d"]`, s.sw.ID)
	if line, err := waitText(tctx, item, "available from "+date); err != nil || !strings.Contains(line, "Only 0 free now") {
		t.Errorf("client page stock line %q: %v", line, err)
	}
	// "Check" on the short product: the answer repeats the date and offers no reservation.
	must(t, chromedp.Do(tctx, chromedp.Click(chromedp.CSS(item+" .stock-pick"))))
	if a, err := waitText(tctx, "#client-stock-box .stock-answer", "SW-8"); err != nil || !strings.Contains(a, "available from "+date) {
		t.Errorf("check of the short product %q: %v", a, err)
	}
	if n, _ := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll("#client-stock-box .stock-reserve").length`)); n != 0 {
		t.Errorf("%d reserve buttons for a product with nothing free", n)
	}
	if _, err := checkAndReserve(tctx, "#client-stock-box", s.router, "RT-1", 2); err != nil {
		t.Fatal(err)
	}

	must(t, chromedp.Do(tctx, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", s.ts.URL, s.ticket.ID))))
	if line, err := waitText(tctx, fmt.Sprintf(`#ticket-stock-box .stock-item[data-product-id="%d"]`, s.sw.ID), "available from "+date); err != nil {
		t.Errorf("ticket page stock line %q: %v", line, err)
	}
	answer, err := checkAndReserve(tctx, "#ticket-stock-box", s.router, "Router", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(answer, "In stock: 12 free now") {
		t.Errorf("router on the ticket page %q: want 12 free after the client's 2", answer)
	}
	if _, err := waitText(tctx, "#ticket-stock-box .stock-ticket-reservations", "1 of product "+strconv.FormatInt(s.router.ID, 10)); err != nil {
		t.Error(err)
	}
	res, err := s.store.Stock.ListReservations(context.Background(), resource.ReservationFilter{TicketID: s.ticket.ID})
	if err != nil || len(res) != 1 || res[0].Qty != 1 || res[0].ClientID == nil || *res[0].ClientID != s.client.ID {
		t.Fatalf("ticket reservations %+v, %v", res, err)
	}
	must(t, chromedp.Do(tctx, chromedp.Navigate(fmt.Sprintf("%s/stock?product_id=%d", s.ts.URL, s.router.ID)),
		chromedp.WaitVisible(chromedp.ID("reservations"))))
	onPage, _ := chromedp.Run(tctx, chromedp.Text(chromedp.ID("reservations")))
	if !strings.Contains(onPage, fmt.Sprintf("ticket %d", s.ticket.ID)) || strings.Count(onPage, fmt.Sprintf("client %d", s.client.ID)) != 2 {
		t.Errorf("Stock page reservations %q: want the client's and the ticket's", onPage)
	}
}
