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
	"hotline/crm/resource"
)

// TestBrowserReserveAcrossWarehouses: 22 routers are free in Moscow and 12
// in Saint Petersburg. A supervisor asks for 30 for a client picked by
// name: the warehouse with most free refuses ("only 22 of 30"), changing
// nothing; across warehouses it reserves 22 + 8 and says which lots; the
// movement journal shows both reservations with who made them, costs as
// money; the in-transit table names the product by SKU and name.
func TestBrowserReserveAcrossWarehouses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountStock(stockPageDeps(st))
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	if _, err := auth.CreateUser(ctx, st.Users, crm.User{Login: "sveta", Name: "Светлана Супервизорова", Role: crm.RoleSupervisor, Language: "ru"}, adminPassword); err != nil {
		t.Fatal(err)
	}
	c := crm.Client{Kind: crm.ClientCompany, Name: "ООО «Ромашка»"}
	if err := st.Clients.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	p := resource.Product{SKU: "RT-100", Name: "Маршрутизатор RT-100", Price: 1250000}
	if err := st.Stock.CreateProduct(ctx, &p); err != nil {
		t.Fatal(err)
	}
	var wh [2]int64
	for i, w := range []resource.Warehouse{{Code: "MSK", Name: "Москва"}, {Code: "SPB", Name: "Санкт-Петербург"}} {
		if err := st.Stock.CreateWarehouse(ctx, &w); err != nil {
			t.Fatal(err)
		}
		wh[i] = w.ID
	}
	for _, in := range []resource.ReceiptInput{
		{ProductID: p.ID, WarehouseID: wh[0], Batch: "M-1", Qty: 22, UnitCost: 850050},
		{ProductID: p.ID, WarehouseID: wh[1], Batch: "S-1", Qty: 12, UnitCost: 870000},
		{ProductID: p.ID, WarehouseID: wh[1], Batch: "S-2", Qty: 2, UnitCost: 870000},
	} {
		if _, err := st.Stock.Receive(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Stock.StartTransfer(ctx, resource.TransferInput{ProductID: p.ID, FromWarehouseID: wh[1], ToWarehouseID: wh[0], Qty: 2,
		ExpectedAt: time.Now().AddDate(0, 0, 2)}, 0); err != nil {
		t.Fatal(err)
	}
	bctx := newChrome(t)
	tctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	pid := strconv.FormatInt(p.ID, 10)
	err = chromedp.Do(tctx,
		chromedp.Navigate(ts.URL+"/stock?product_id="+pid+"&qty=30"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "sveta"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("reserve-form")),
		chromedp.SendKeys(chromedp.ID("rs-client-q"), "Ромаш"),
		chromedp.WaitVisible(chromedp.CSS("#rs-client-picker .picker-item")),
		chromedp.Click(chromedp.CSS("#rs-client-picker .picker-item")),
	)
	if err == nil {
		err = clickAndWait(tctx, "#rs-submit", "#page-error")
	}
	if err != nil {
		t.Fatalf("reserve from one warehouse: %v", err)
	}
	if msg := textOf(t, tctx, "#page-error"); !strings.Contains(msg, "только 22 из 30") {
		t.Fatalf("refusal %q", msg)
	}
	if rs, _ := st.Stock.ListReservations(ctx, resource.ReservationFilter{ProductID: p.ID}); len(rs) != 0 {
		t.Fatalf("a refused reservation holds stock: %+v", rs)
	}
	err = chromedp.Do(tctx,
		chromedp.SetValue(chromedp.ID("rs-qty"), "30"),
		chromedp.SendKeys(chromedp.ID("rs-client-q"), "Ромаш"),
		chromedp.WaitVisible(chromedp.CSS("#rs-client-picker .picker-item")),
		chromedp.Click(chromedp.CSS("#rs-client-picker .picker-item")),
		chromedp.SetValue(chromedp.ID("rs-warehouse"), "all"))
	if err == nil {
		err = clickAndWait(tctx, "#rs-submit", ".alert-ok")
	}
	if err != nil {
		t.Fatalf("reserve across: %v", err)
	}
	flash := textOf(t, tctx, ".alert-ok")
	if !strings.Contains(flash, "Зарезервировано 30 шт.") || !strings.Contains(flash, "Москва, партия M-1 — 22") || !strings.Contains(flash, "Санкт-Петербург, партия S-1 — 8") {
		t.Fatalf("flash %q", flash)
	}
	rs, err := st.Stock.ListReservations(ctx, resource.ReservationFilter{ProductID: p.ID, ActiveOnly: true})
	if err != nil || len(rs) != 2 || rs[0].Qty+rs[1].Qty != 30 || *rs[0].ClientID != c.ID {
		t.Fatalf("reservations %+v %v", rs, err)
	}
	if err := st.Stock.CheckStockLedger(ctx); err != nil {
		t.Fatal(err)
	}
	transit := textOf(t, tctx, "#transfers")
	if !strings.Contains(transit, "RT-100") || !strings.Contains(transit, "Маршрутизатор RT-100") {
		t.Fatalf("in transit %q", transit)
	}
	screenshot(t, tctx, "stock-across")
	err = chromedp.Do(tctx, chromedp.Click(chromedp.ID("stock-journal-link")), chromedp.WaitVisible(chromedp.ID("journal")))
	if err != nil {
		t.Fatalf("journal: %v", err)
	}
	journal := textOf(t, tctx, "#journal")
	for _, want := range []string{"резерв", "приход", "отправлено на другой склад", "Светлана Супервизорова", "ООО «Ромашка»", "8\u00a0500,50\u00a0₽", "M-1"} {
		if !strings.Contains(journal, want) {
			t.Errorf("journal lacks %q:\n%s", want, journal)
		}
	}
	screenshot(t, tctx, "stock-journal")
}
