package demo_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"hotline/crm/demo"
	"hotline/crm/kb"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
	"hotline/crm/service"
)

var _ demo.ResourceStore = otherFeatures{}

// otherFeatures are the services of other features SeedResources uses:
// clients, deals, requests and SLA plans.
type otherFeatures struct {
	*postgres.ClientService
	*postgres.FunnelService
	*postgres.TicketService
	*postgres.SLAService
}

// resourcesOf are the store's resource services.
func resourcesOf(s *postgres.Services) demo.Resources {
	return demo.Resources{Catalogue: s.Stock, Stock: s.Stock, Reservations: s.Stock,
		Money: s.Money, Documents: s.Documents, Projects: s.Projects}
}

// seededResources is a store with the whole demo (300 clients, the funnel,
// the resources) seeded at now by a store whose clock says now.
func seededResources(t *testing.T) *postgres.Services {
	t.Helper()
	ctx := context.Background()
	clock := func() time.Time { return now }
	s := pgtest.NewStoreWith(t, postgres.Options{Now: clock})
	if _, err := demo.Seed(ctx, s.Clients, demo.Staff{Users: s.Users, Teams: s.Teams}, demo.Options{Now: clock, HashPassword: fastHash}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedFunnel(ctx, funnelSeedDeps(s), demo.FunnelOptions{Now: clock}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := demo.SeedResources(ctx, otherFeatures{s.Clients, s.Funnel, s.Tickets, s.SLA}, resourcesOf(s), demo.Staff{Users: s.Users, Teams: s.Teams}, s.KB, now); err != nil {
		t.Fatal(err)
	}
	t.Logf("SeedResources took %v", time.Since(start))
	return s
}

func TestSeedResources(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := seededResources(t)
	history := resource.Period{From: now.AddDate(0, 0, -200), To: now.Add(time.Hour), Currency: "RUB"}
	before, err := s.Money.ClientProfitability(ctx, history)
	if err != nil {
		t.Fatal(err)
	}
	moves, _ := s.Stock.ListMovements(ctx, 0, 1000)
	if err := demo.SeedResources(ctx, otherFeatures{s.Clients, s.Funnel, s.Tickets, s.SLA}, resourcesOf(s), demo.Staff{Users: s.Users, Teams: s.Teams}, s.KB, now); err != nil { // second run: nothing to do
		t.Fatal(err)
	}
	after, _ := s.Money.ClientProfitability(ctx, history)
	moves2, _ := s.Stock.ListMovements(ctx, 0, 1000)
	if !reflect.DeepEqual(before, after) || len(moves) != len(moves2) {
		t.Fatalf("second seeding changed the data: %d→%d clients, %d→%d movements", len(before), len(after), len(moves), len(moves2))
	}
	if err := s.Stock.CheckStockLedger(ctx); err != nil {
		t.Fatal(err)
	}

	// A third of the clients bought; the demo as a whole makes money; the
	// most profitable clients come first.
	var buyers int
	var revenue, cost int64
	for i, p := range before {
		if i > 0 && p.Profit > before[i-1].Profit {
			t.Fatalf("client profitability out of order at %d: %+v after %+v", i, p, before[i-1])
		}
		if p.Units > 0 {
			buyers++
		}
		revenue += p.Revenue
		cost += p.COGS + p.Expenses
	}
	if buyers < 80 || revenue <= cost {
		t.Errorf("%d clients with purchases (want ≥ 80); revenue %d, cost of goods and expenses %d", buyers, revenue, cost)
	}

	// Short products answer with a date: a supplier order, a transfer, the lead time.
	for _, c := range []struct {
		sku          string
		qty, free    int64
		days         int
		fromSupplier bool
	}{{"IPPHONE-T54", 5, 2, 9, false}, {"PBX-AST100", 1, 0, 3, false}, {"GW-HT818", 1, 0, 30, true}} {
		prods, err := s.Stock.ListProducts(ctx, c.sku, 1)
		if err != nil || len(prods) != 1 {
			t.Fatalf("product %s: %v", c.sku, err)
		}
		a, err := s.Stock.Availability(ctx, prods[0].ID, c.qty)
		if err != nil || a.InStock || a.FreeNow != c.free || a.FromSupplier != c.fromSupplier ||
			resource.DateOf(a.AvailableAt) != resource.DateOf(now.AddDate(0, 0, c.days)) {
			t.Errorf("%s ×%d: %+v %v; want %d free, available in %d days", c.sku, c.qty, a, err, c.free, c.days)
		}
	}
	checkDemoCaller(t, s)
	checkCards(t, s)
	checkMoneyByMonth(t, s)
	checkDocumentsAndTeams(t, s)
	checkSupportTerms(t, s)
	checkKnowledgeBase(t, s)
}

// checkKnowledgeBase: at least 30 articles, mostly Russian, some English,
// found by a Russian word in another form than the article's.
func checkKnowledgeBase(t *testing.T, s *postgres.Services) {
	t.Helper()
	var ru, en int
	if err := s.DB.Pool().QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE lang::text = 'russian'), count(*) FILTER (WHERE lang::text = 'english') FROM kb_articles`).Scan(&ru, &en); err != nil {
		t.Fatal(err)
	}
	if ru+en < 30 || ru <= en || en == 0 {
		t.Errorf("knowledge base: %d Russian and %d English articles, want at least 30, mostly Russian, some English", ru, en)
	}
	hits, err := s.KB.SearchArticles(context.Background(), kb.ArticleQuery{Text: "гарнитуры", Limit: 5})
	if err != nil || len(hits) == 0 {
		t.Errorf("searching «гарнитуры» finds %d articles (%v)", len(hits), err)
	}
}

// checkSupportTerms: the demo's open requests about products were opened
// under their support terms: those about the PBX appliance are critical on
// the "Premium 24/7" plan, phones' requests run on the business-hours
// plan while supported, and each request's history says so.
func checkSupportTerms(t *testing.T, s *postgres.Services) {
	t.Helper()
	ctx := context.Background()
	plans, err := s.SLA.ListSLAPlans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	planIDs := map[string]int64{}
	for _, p := range plans {
		planIDs[p.Name] = p.ID
	}
	products, err := s.Stock.ListProducts(ctx, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	bySKU := map[int64]resource.Product{}
	for _, p := range products {
		bySKU[p.ID] = p
	}
	page, err := s.Tickets.ListTickets(ctx, service.TicketFilter{OpenOnly: true, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, tk := range page.Items {
		if tk.ProductID == nil {
			continue
		}
		p := bySKU[*tk.ProductID]
		thread, err := s.Tickets.Thread(ctx, tk.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		var note string
		for _, ev := range thread {
			if ev.Kind == service.EventSupport {
				note = ev.Body
			}
		}
		switch {
		case p.SKU == "PBX-AST100":
			seen["pbx"]++
			if tk.Priority != service.PriorityCritical || *tk.PlanID != planIDs["Premium 24/7"] ||
				!strings.HasPrefix(note, `priority critical and SLA plan "Premium 24/7" from support of `+p.Name) {
				t.Errorf("PBX request #%d: %s on plan %d, note %q; want critical on Premium 24/7", tk.ID, tk.Priority, *tk.PlanID, note)
			}
		case p.SKU == "IPPHONE-T46" && strings.Contains(note, "from support"):
			seen["phone"]++
			if *tk.PlanID != planIDs["Business hours, next business day"] {
				t.Errorf("T46U request #%d on plan %d, note %q; want the business-hours plan", tk.ID, *tk.PlanID, note)
			}
		case note == "" && p.SupportMonths > 0:
			t.Errorf("request #%d about %s has no support line in its history", tk.ID, p.SKU)
		}
	}
	if seen["pbx"] == 0 || seen["phone"] == 0 {
		t.Errorf("requests under support: %v; want PBX and phone requests", seen)
	}
}

// checkDemoCaller: Ivan's card lists his request, his reservation and his
// purchases, with support terms.
func checkDemoCaller(t *testing.T, s *postgres.Services) {
	t.Helper()
	ctx := context.Background()
	ivan, _ := s.Clients.FindClientsByPhone(ctx, demo.CallerNumber)
	bought, err := s.Stock.PurchasedProducts(ctx, ivan[0].ID, 5)
	if err != nil || len(bought) != 2 || bought[0].Support == "" || bought[0].SupportUntil.IsZero() {
		t.Fatalf("Ivan's purchases %+v %v", bought, err)
	}
	list, err := s.Stock.ClientAvailability(ctx, ivan[0].ID, 5)
	if err != nil || len(list) != 3 || list[0].SKU != "IPPHONE-T46" || list[0].Reasons[0].Kind != resource.InterestTicket ||
		list[1].SKU != "HEADSET-H2" || list[1].Reasons[0].Kind != resource.InterestReservation {
		t.Fatalf("Ivan's stock list %+v %v", list, err)
	}
}

// checkCards goes through every client's stock list as the card shows it:
// many list products, and between them all three reasons appear, some
// products in stock and some short with a delivery date.
func checkCards(t *testing.T, s *postgres.Services) {
	t.Helper()
	ctx := context.Background()
	kinds := map[resource.InterestKind]int{}
	var withProducts, short, inStock int
	for _, c := range allClients(t, s) {
		list, err := s.Stock.ClientAvailability(ctx, c.ID, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) > 0 {
			withProducts++
		}
		for _, p := range list {
			for _, r := range p.Reasons {
				kinds[r.Kind]++
			}
			if p.InStock {
				inStock++
			} else if p.AvailableAt.After(now) {
				short++
			}
		}
	}
	if withProducts < 80 || kinds[resource.InterestTicket] < 10 || kinds[resource.InterestReservation] < 5 ||
		kinds[resource.InterestPurchase] < 80 || short == 0 || inStock == 0 {
		t.Errorf("%d cards with products; reasons %v; %d products short with a date, %d in stock", withProducts, kinds, short, inStock)
	}
	res, err := s.Stock.ListReservations(ctx, resource.ReservationFilter{ActiveOnly: true})
	if err != nil || len(res) < 6 {
		t.Fatalf("active reservations %d: %v", len(res), err)
	}
	var forTicket, forDeal bool
	for _, r := range res {
		forTicket = forTicket || r.TicketID != nil
		forDeal = forDeal || r.DealID != nil
	}
	if !forTicket || !forDeal {
		t.Errorf("reservations %+v: want one for a request and one for a deal", res)
	}
	bal, err := s.Stock.Balances(ctx, resource.BalanceFilter{NonZero: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	expiring := 0
	for _, b := range bal {
		if b.ExpiresOn != nil && b.ExpiresOn.After(now) {
			expiring++
		}
	}
	if expiring == 0 {
		t.Errorf("no lot on hand with an expiry date in %d balances", len(bal))
	}
}

// checkMoneyByMonth: this month and each of the five before have sales
// with their cost of goods, marketing and service spending; every campaign
// has leads and won deals over the history, and won funnel deals are paid.
func checkMoneyByMonth(t *testing.T, s *postgres.Services) {
	t.Helper()
	ctx := context.Background()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for m := 0; m < 6; m++ {
		from := first.AddDate(0, -m, 0)
		p := resource.Period{From: from, To: from.AddDate(0, 1, 0), Currency: "RUB"}
		prods, err := s.Money.ProductProfitability(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		var revenue, cogs int64
		for _, x := range prods {
			revenue, cogs = revenue+x.Revenue, cogs+x.COGS
		}
		svc, err := s.Money.ServiceCosts(ctx, p)
		t.Logf("%s: %d products sold, revenue %d, cost of goods %d, service %d", from.Format("2006-01"), len(prods), revenue/100, cogs/100, svc.Total/100)
		if err != nil || revenue <= cogs || cogs == 0 || svc.Total == 0 {
			t.Errorf("%s: revenue %d, cost of goods %d, service %+v (%v)", from.Format("2006-01"), revenue, cogs, svc, err)
		}
		camps, _ := s.Money.CampaignEfficiency(ctx, p)
		var spend int64
		for _, c := range camps {
			spend += c.Spend
		}
		if spend == 0 {
			t.Errorf("%s: no marketing spending", from.Format("2006-01"))
		}
	}
	this := resource.Period{From: first, To: now.Add(time.Hour), Currency: "RUB"}
	if svc, _ := s.Money.ServiceCosts(ctx, this); svc.Tickets == 0 {
		t.Errorf("this month's service costs %+v: want request costs", svc)
	}
	camps, err := s.Money.CampaignEfficiency(ctx, resource.Period{From: now.AddDate(0, -7, 0), To: now.Add(time.Hour), Currency: "RUB"})
	if err != nil || len(camps) != 3 {
		t.Fatalf("campaigns %+v %v", camps, err)
	}
	for _, c := range camps {
		if c.Leads == 0 || c.Won == 0 || c.Revenue == 0 || c.Spend == 0 {
			t.Errorf("campaign %+v: want spending, leads, won deals and revenue", c)
		}
	}
	txs, err := s.Money.ListTransactions(ctx, resource.TransactionFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	paidDeals := 0
	for _, x := range txs {
		if x.DealID != nil {
			paidDeals++
		}
	}
	if paidDeals == 0 {
		t.Errorf("no income tied to a won deal among %d transactions", len(txs))
	}
}

// checkDocumentsAndTeams: agent3 reads only the offer template; agent1, in
// the Sales team, finds its call script and may edit it.
func checkDocumentsAndTeams(t *testing.T, s *postgres.Services) {
	t.Helper()
	ctx := context.Background()
	agent3 := resource.Reader{UserID: 6, Role: "agent"}
	docs, err := s.Documents.ListDocuments(ctx, agent3, resource.DocumentFilter{})
	if err != nil || len(docs) != 1 || docs[0].Category != resource.DocTemplate {
		t.Fatalf("agent3 sees %+v %v", docs, err)
	}
	teams, err := s.Teams.ListTeams(ctx)
	if err != nil || len(teams) != 1 || teams[0].Name != "Отдел продаж" || fmt.Sprint(teams[0].Members) != "[4 5]" || teams[0].LeadID == nil || *teams[0].LeadID != 2 {
		t.Fatalf("teams %+v %v", teams, err)
	}
	docs, err = s.Documents.ListDocuments(ctx, resource.Reader{UserID: 4, Role: "agent"}, resource.DocumentFilter{Query: "скрипт"})
	if err != nil || len(docs) != 1 || docs[0].Title != "Скрипт звонка для продаж" || !docs[0].CanWrite {
		t.Fatalf("agent1 finds %+v %v", docs, err)
	}
}
