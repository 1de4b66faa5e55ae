package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
)

func TestPriorityClasses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	seeded, err := s.Priority.List(ctx)
	if err != nil || len(seeded) != 4 || seeded[0].Code != "VIP" || seeded[3].Code != "C" {
		t.Fatalf("classes seeded by the migration = %+v, %v", seeded, err)
	}
	rev, n := int64(5e8), 3
	if err := s.Priority.Save(ctx, crm.PriorityClass{Code: "gold", Name: "Gold", Rank: 1, MinRevenue: &rev, MinPurchases: &n}); err != nil {
		t.Fatal(err)
	}
	if err := s.Priority.Save(ctx, crm.PriorityClass{Code: "C", Name: "Class C", Rank: 9, Description: "the rest"}); err != nil {
		t.Fatal(err)
	}
	list, err := s.Priority.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, p := range list {
		codes = append(codes, p.Code)
	}
	if !slices.Equal(codes, []string{"VIP", "A", "GOLD", "B", "C"}) {
		t.Fatalf("classes = %v", codes)
	}
	if list[2].MinRevenue == nil || *list[2].MinRevenue != 5e8 || *list[2].MinPurchases != 3 ||
		list[4].Description != "the rest" || list[4].MinRevenue != nil {
		t.Fatalf("saved classes = %+v", list)
	}
	if list[0].MinRevenue == nil || *list[0].MinRevenue != 1e9 {
		t.Fatalf("seeded VIP rule in kopecks = %+v", list[0])
	}
	wantKind(t, s.Priority.Save(ctx, crm.PriorityClass{Code: "no spaces", Name: "x"}), crm.KindInvalid, "code")
	wantKind(t, s.Priority.Save(ctx, crm.PriorityClass{Code: "X", Name: ""}), crm.KindInvalid, "name")
	// The new class is usable at once, and a class given is kept by hand.
	c := mustClient(t, s, crm.Client{Name: "Gold client", Priority: "GOLD"})
	if c.Priority != "GOLD" || !c.PriorityManual {
		t.Fatalf("priority = %q, manual %v", c.Priority, c.PriorityManual)
	}
	wantKind(t, s.Clients.CreateClient(ctx, &crm.Client{Name: "Nowhere", Priority: "NOPE"}), crm.KindInvalid, "priority")
	// Deleting a class hands its clients back to the rules.
	if err := s.Priority.Delete(ctx, "GOLD"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Clients.GetClient(ctx, c.ID); got.Priority != "C" || got.PriorityManual {
		t.Fatalf("after delete: %q manual %v", got.Priority, got.PriorityManual)
	}
	wantKind(t, s.Priority.Delete(ctx, "GOLD"), crm.KindNotFound, "")
}

// rules sets the test classes: VIP from 1 000 000 RUB, A from 300 000 RUB,
// B from 5 purchases, C the default.
func rules(t *testing.T, s *postgres.Services) {
	t.Helper()
	rub := func(v int64) *int64 { v *= 100; return &v }
	five := 5
	for _, c := range []crm.PriorityClass{
		{Code: "VIP", Name: "VIP", Rank: 0, MinRevenue: rub(1_000_000)},
		{Code: "A", Name: "A", Rank: 1, MinRevenue: rub(300_000)},
		{Code: "B", Name: "B", Rank: 2, MinPurchases: &five},
		{Code: "C", Name: "C", Rank: 3},
	} {
		if err := s.Priority.Save(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
}

func income(t *testing.T, s *postgres.Services, clientID, minor int64, currency string, at time.Time) {
	t.Helper()
	tx := resource.Transaction{At: at, Direction: resource.Income, Amount: minor, Currency: currency,
		Category: resource.CategorySale, ClientID: &clientID}
	if err := s.Money.AddTransaction(context.Background(), &tx); err != nil {
		t.Fatal(err)
	}
}

func priorityOf(t *testing.T, s *postgres.Services, id int64) crm.ClientPriority {
	t.Helper()
	p, err := s.Priority.ClientPriority(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIncomeMovesAClientUpAndManualStays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	rules(t, s)
	auto := mustClient(t, s, crm.Client{Name: "Automatic"})
	byHand := mustClient(t, s, crm.Client{Name: "By hand", Priority: "B"})
	if auto.Priority != "C" || auto.PriorityManual {
		t.Fatalf("new client: %q manual %v", auto.Priority, auto.PriorityManual)
	}
	now := time.Now()
	income(t, s, auto.ID, 350_000_00, "RUB", now.Add(-time.Hour))
	income(t, s, byHand.ID, 2_000_000_00, "RUB", now.Add(-time.Hour))
	if p := priorityOf(t, s, auto.ID); p.Code != "A" || p.Manual || p.Standing.Revenue != 350_000_00 || p.Standing.Purchases != 1 {
		t.Fatalf("after 350 000: %+v", p)
	}
	if p := priorityOf(t, s, byHand.ID); p.Code != "B" || !p.Manual {
		t.Fatalf("by hand moved: %+v", p)
	}
	// Income older than 12 months does not count.
	old := mustClient(t, s, crm.Client{Name: "Old money"})
	income(t, s, old.ID, 5_000_000_00, "RUB", now.AddDate(-1, 0, -2))
	if p := priorityOf(t, s, old.ID); p.Code != "C" || p.Standing.Revenue != 0 {
		t.Fatalf("old income counted: %+v", p)
	}
	// Handing the manual client back to the rules classifies it at once.
	p, err := s.Priority.SetClientPriority(ctx, byHand.ID, "", false)
	if err != nil || p.Code != "VIP" || p.Manual {
		t.Fatalf("back to the rules: %+v, %v", p, err)
	}
	if p, err = s.Priority.SetClientPriority(ctx, auto.ID, "C", true); err != nil || p.Code != "C" || !p.Manual {
		t.Fatalf("by hand: %+v, %v", p, err)
	}
	_, err = s.Priority.SetClientPriority(ctx, auto.ID, "NOPE", true)
	wantKind(t, err, crm.KindInvalid, "priority")
	income(t, s, auto.ID, 5_000_000_00, "RUB", now.Add(-time.Minute))
	if p := priorityOf(t, s, auto.ID); p.Code != "C" {
		t.Fatalf("manual client reclassified by money: %+v", p)
	}
	sizes, err := s.Priority.ClassSizes(ctx)
	if err != nil || sizes["C"].Clients != 2 || sizes["C"].Manual != 1 || sizes["VIP"].Clients != 1 {
		t.Fatalf("sizes = %+v, %v", sizes, err)
	}
}

func TestPurchasesRuleAndCurrencyConversion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	rules(t, s)
	now := time.Now()
	buyer := mustClient(t, s, crm.Client{Name: "Frequent buyer"})
	for i := range 5 {
		income(t, s, buyer.ID, 1_000_00, "RUB", now.Add(-time.Duration(i+1)*time.Hour))
		if want := map[bool]string{true: "B", false: "C"}[i == 4]; priorityOf(t, s, buyer.ID).Code != want {
			t.Fatalf("after %d purchases: %+v, want %s", i+1, priorityOf(t, s, buyer.ID), want)
		}
	}
	// 4 000 USD at 90 RUB = 360 000 RUB: class A. A currency without a rate adds nothing.
	day := now.AddDate(0, 0, -10)
	if _, err := s.DB.Pool().Exec(ctx, `INSERT INTO currency_rates (currency, day, rate_micros) VALUES ('USD', $1, 90000000)`,
		day.Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	dollars := mustClient(t, s, crm.Client{Name: "Pays in dollars"})
	income(t, s, dollars.ID, 4_000_00, "USD", now.Add(-time.Hour))
	income(t, s, dollars.ID, 9_000_000_00, "EUR", now.Add(-time.Hour))
	if p := priorityOf(t, s, dollars.ID); p.Code != "A" || p.Standing.Revenue != 360_000_00 || p.Standing.Purchases != 2 {
		t.Fatalf("converted: %+v", p)
	}
}

func TestNightlyBatchReclassifies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := time.Now()
	s := pgtest.NewStoreWith(t, postgres.Options{Now: func() time.Time { return clk }})
	rules(t, s)
	var ids []int64
	for _, name := range []string{"One", "Two", "Three"} {
		ids = append(ids, mustClient(t, s, crm.Client{Name: name}).ID)
	}
	income(t, s, ids[0], 1_200_000_00, "RUB", clk.Add(-time.Hour))
	income(t, s, ids[1], 400_000_00, "RUB", clk.Add(-time.Hour))
	if _, err := s.Priority.SetClientPriority(ctx, ids[2], "VIP", true); err != nil {
		t.Fatal(err)
	}
	// Rules change without reclassifying: the batch applies them.
	if _, err := s.DB.Pool().Exec(ctx, `UPDATE priority_classes SET min_revenue_minor = 50000000 WHERE code = 'A'`); err != nil {
		t.Fatal(err)
	}
	n, err := s.Priority.Reclassify(ctx)
	if err != nil || n != 1 {
		t.Fatalf("moved %d, %v; want 1 (Two is no longer A)", n, err)
	}
	// A year later the money is out of the window: back to the default,
	// except the client chosen by hand.
	clk = clk.AddDate(1, 0, 1)
	if n, err = s.Priority.Reclassify(ctx); err != nil || n != 1 {
		t.Fatalf("a year later moved %d, %v; want 1", n, err)
	}
	for i, want := range []string{"C", "C", "VIP"} {
		if p := priorityOf(t, s, ids[i]); p.Code != want {
			t.Errorf("client %d: %+v, want %s", i, p, want)
		}
	}
	if n, err = s.Priority.Reclassify(ctx); err != nil || n != 0 {
		t.Fatalf("second run moved %d, %v", n, err)
	}
}

func TestPriorityMigrationKeepsExplicitClasses(t *testing.T) {
	t.Parallel()
	s := pgtest.NewStore(t)
	// Clients created with a class are by hand; without one, by the rules.
	a := mustClient(t, s, crm.Client{Name: "Was A", Priority: "A"})
	c := mustClient(t, s, crm.Client{Name: "Default"})
	if !a.PriorityManual || c.PriorityManual {
		t.Fatalf("manual flags: %v %v", a.PriorityManual, c.PriorityManual)
	}
	// Updating with the stored class keeps the flag; another class is by hand.
	c.Priority = "C"
	if err := s.Clients.UpdateClient(context.Background(), &c); err != nil || c.PriorityManual {
		t.Fatalf("same class: manual %v, %v", c.PriorityManual, err)
	}
	c.Priority = "B"
	if err := s.Clients.UpdateClient(context.Background(), &c); err != nil || !c.PriorityManual {
		t.Fatalf("other class: manual %v, %v", c.PriorityManual, err)
	}
}
