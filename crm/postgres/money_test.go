package postgres_test

import (
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/resource"
)

// testProfitability checks the reports against a case computed by hand:
//
//	lots A 10 @ 100.00, B 10 @ 120.00; X gets 12 (10 A + 2 B), Y gets 3 (B)
//	COGS X = 10*100 + 2*120 = 1240.00, COGS Y = 3*120 = 360.00
//	X: sale 2400.00, delivery 50.00, service ticket 30.00 -> profit 1080.00
//	Y: sale 600.00, service ticket 70.00               -> profit 170.00
//	product: revenue 3000.00 - COGS 1600.00             -> profit 1400.00, 15 units
//	campaign: spend 200.00, leads X (won) and Y -> 100.00/lead, 200.00/won,
//	          revenue of leads 3000.00 -> return 1400 %
//	service: 100.00 over 2 tickets and 2 clients -> 50.00 each
//
// Outside the period or in another currency: ignored.
func testProfitability(t *testing.T, dsn string) {
	e := newStockEnv(t, dsn)
	ctx := e.ctx
	wh := e.warehouse("MONEY")
	p := e.product("PRF-1", resource.FIFO, 0)
	e.receive(p.ID, wh, "A", 10, 10000, "")
	e.receive(p.ID, wh, "B", 10, 12000, "")
	x, y := e.client, e.newClient("Client Y")
	if _, err := e.st.Stock.Ship(ctx, resource.OutInput{ProductID: p.ID, WarehouseID: wh, Qty: 12, ClientID: &x}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Stock.Ship(ctx, resource.OutInput{ProductID: p.ID, WarehouseID: wh, Qty: 3, ClientID: &y}); err != nil {
		t.Fatal(err)
	}
	camp := resource.MarketingCampaign{Name: e.prefix + " spring mailing", Channel: "email"}
	if err := e.st.Money.CreateMarketingCampaign(ctx, &camp); err != nil {
		t.Fatal(err)
	}
	mar := func(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }
	for _, l := range []struct {
		client int64
		at     time.Time
		won    bool
	}{{x, mar(2), true}, {y, mar(3), false}, {e.newClient("Client Z"), mar(0), false}} {
		if err := e.st.Money.AddLead(ctx, camp.ID, l.client, l.at, l.won); err != nil {
			t.Fatal(err)
		}
	}
	tx := []resource.Transaction{
		{At: mar(12), Direction: resource.Income, Amount: 240000, Category: "sale", ClientID: &x, ProductID: &p.ID},
		{At: mar(12), Direction: resource.Expense, Amount: 5000, Category: "delivery", ClientID: &x},
		{At: mar(13), Direction: resource.Expense, Amount: 3000, Category: "service", ClientID: &x, TicketID: ptr(int64(1))},
		{At: mar(14), Direction: resource.Income, Amount: 60000, Category: "sale", ClientID: &y, ProductID: &p.ID},
		{At: mar(14), Direction: resource.Expense, Amount: 7000, Category: "service", ClientID: &y, TicketID: ptr(int64(2))},
		{At: mar(1), Direction: resource.Expense, Amount: 20000, Category: "marketing", CampaignID: &camp.ID},
		{At: mar(0), Direction: resource.Income, Amount: 99999, Category: "sale", ClientID: &x},                  // February
		{At: mar(14), Direction: resource.Income, Amount: 1000, Currency: "USD", Category: "sale", ClientID: &y}, // other currency
	}
	for i := range tx {
		if err := e.st.Money.AddTransaction(ctx, &tx[i]); err != nil {
			t.Fatal(err)
		}
	}
	period := resource.Period{From: mar(1).Truncate(24 * time.Hour), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Currency: "RUB"}

	clients, err := e.st.Money.ClientProfitability(ctx, period)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]resource.Profit{
		x: {ID: x, Revenue: 240000, COGS: 124000, Expenses: 8000, Units: 12, Profit: 108000},
		y: {ID: y, Revenue: 60000, COGS: 36000, Expenses: 7000, Units: 3, Profit: 17000},
	}
	checkProfit(t, "client", clients, want)
	products, err := e.st.Money.ProductProfitability(ctx, period)
	if err != nil {
		t.Fatal(err)
	}
	checkProfit(t, "product", products, map[int64]resource.Profit{p.ID: {ID: p.ID, Revenue: 300000, COGS: 160000, Units: 15, Profit: 140000}})

	camps, err := e.st.Money.CampaignEfficiency(ctx, period)
	if err != nil {
		t.Fatal(err)
	}
	var ce *resource.CampaignEfficiency
	for i := range camps {
		if camps[i].ID == camp.ID {
			ce = &camps[i]
		}
	}
	if ce == nil || ce.Spend != 20000 || ce.Leads != 2 || ce.Won != 1 || ce.Revenue != 300000 ||
		ce.CostLead != 10000 || ce.CostWon != 20000 || ce.ReturnPct != 1400 {
		t.Fatalf("campaign %+v", ce)
	}
	svc, err := e.st.Money.ServiceCosts(ctx, period)
	if err != nil {
		t.Fatal(err)
	}
	if svc != (resource.ServiceCost{Total: 10000, TicketCost: 10000, Tickets: 2, Clients: 2, PerTicket: 5000, PerClient: 5000}) {
		t.Fatalf("service costs %+v", svc)
	}
	csv, err := resource.ProfitCSV("client", clients)
	if err != nil || !strings.Contains(string(csv), "2400.00,1240.00,80.00,1080.00") {
		t.Fatalf("csv %s %v", csv, err)
	}
	bad := resource.Transaction{Direction: resource.Income, Amount: -5, ClientID: &x, Category: "sale"}
	if err := e.st.Money.AddTransaction(ctx, &bad); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("negative amount: %v", err)
	}
	if _, err := e.st.Money.ClientProfitability(ctx, resource.Period{From: period.To, To: period.From, Currency: "RUB"}); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("reversed period: %v", err)
	}
}

func checkProfit(t *testing.T, kind string, got []resource.Profit, want map[int64]resource.Profit) {
	t.Helper()
	seen := 0
	for _, g := range got {
		w, ok := want[g.ID]
		if !ok {
			continue
		}
		seen++
		g.Name = ""
		if g != w {
			t.Errorf("%s %d: %+v, want %+v", kind, g.ID, g, w)
		}
	}
	if seen != len(want) {
		t.Errorf("%s report has %d of %d expected rows: %+v", kind, seen, len(want), got)
	}
}
