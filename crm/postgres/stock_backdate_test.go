package postgres_test

import (
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/resource"
)

// testBackdatedMovements: a receipt and a shipment loaded from history keep
// their dates (so the profitability of past months has its cost of goods),
// a backdated shipment takes no lot received after it nor one expired by
// then, and a date in the future is taken as now.
func testBackdatedMovements(t *testing.T, dsn string) {
	e := newStockEnv(t, dsn)
	wh := e.warehouse("HIST")
	p := e.product("HIST-1", resource.FEFO, 0)
	now := e.clk.Now()
	monthAgo, weekAgo := now.AddDate(0, -1, 0), now.AddDate(0, 0, -7)
	expired := resource.DateOf(now.AddDate(0, 0, -10)) // still good a month ago
	old, err := e.st.Stock.Receive(e.ctx, resource.ReceiptInput{ProductID: p.ID, WarehouseID: wh, Batch: "OLD", Qty: 5, UnitCost: 100,
		ExpiresOn: &expired, At: monthAgo.AddDate(0, 0, -5)})
	if err != nil || !old.ReceivedAt.Equal(monthAgo.AddDate(0, 0, -5)) {
		t.Fatalf("backdated receipt %+v: %v", old, err)
	}
	recent, err := e.st.Stock.Receive(e.ctx, resource.ReceiptInput{ProductID: p.ID, WarehouseID: wh, Batch: "NEW", Qty: 5, UnitCost: 130, At: weekAgo})
	if err != nil {
		t.Fatal(err)
	}
	// A month ago only the old lot existed: 5 can go, 6 cannot.
	if _, err := e.st.Stock.Ship(e.ctx, resource.OutInput{ProductID: p.ID, WarehouseID: wh, Qty: 6, ClientID: &e.client, At: monthAgo}); !crm.IsKind(err, crm.KindConflict) {
		t.Fatalf("shipping 6 a month ago: %v, want conflict (the newer lot was not there yet)", err)
	}
	lines, err := e.st.Stock.Ship(e.ctx, resource.OutInput{ProductID: p.ID, WarehouseID: wh, Qty: 3, ClientID: &e.client, At: monthAgo})
	if err != nil || len(lines) != 1 || lines[0].LotID != old.ID {
		t.Fatalf("shipment a month ago took %+v (%v), want 3 of the old lot", lines, err)
	}
	// Today the old lot has expired: shipping takes the new one only.
	lines, err = e.st.Stock.Ship(e.ctx, resource.OutInput{ProductID: p.ID, WarehouseID: wh, Qty: 2, ClientID: &e.client, At: now.Add(time.Hour)})
	if err != nil || len(lines) != 1 || lines[0].LotID != recent.ID {
		t.Fatalf("shipment now took %+v (%v), want 2 of the new lot", lines, err)
	}
	moves, err := e.st.Stock.ListMovements(e.ctx, p.ID, 10)
	if err != nil || len(moves) != 4 || !moves[0].At.Equal(now) || !moves[1].At.Equal(monthAgo) {
		t.Fatalf("movements %+v (%v): want the future one at now, the old one a month ago", moves, err)
	}
	prof, err := e.st.Money.ProductProfitability(e.ctx, resource.Period{From: monthAgo.AddDate(0, 0, -1), To: monthAgo.AddDate(0, 0, 1), Currency: "RUB"})
	if err != nil || len(prof) != 1 || prof[0].COGS != 300 || prof[0].Units != 3 {
		t.Fatalf("profitability a month ago %+v (%v): want the 3 units at 100", prof, err)
	}
	e.checkLedger()
}
