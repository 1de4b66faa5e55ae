package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
)

// stockClock is a settable clock for the stock store.
type stockClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stockClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stockClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type stockEnv struct {
	t      testing.TB
	prefix string
	ctx    context.Context
	st     *postgres.Services
	clk    *stockClock
	client int64
}

// TestStock runs the warehouse tests on one database (each its own store
// with its own clock, and its own SKUs and warehouse codes): databases cost
// seconds to migrate on a busy machine.
func TestStock(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDSN(t)
	for name, fn := range map[string]func(*testing.T, string){
		"ShipFIFOAndFEFO":            testShipFIFOAndFEFO,
		"BackdatedMovements":         testBackdatedMovements,
		"TransferInTransit":          testTransferInTransit,
		"AvailabilityDates":          testAvailabilityDates,
		"ClientAvailability":         testClientAvailability,
		"ReservationExpiryAndFulfil": testReservationExpiryAndFulfil,
		"StockBadInput":              testStockBadInput,
		"ConcurrentStockInvariants":  testConcurrentStockInvariants,
		"Profitability":              testProfitability,
		"DocumentAccess":             testDocumentAccess,
		"DocumentUploadChecks":       testDocumentUploadChecks,
		"TeamOpensTicketsAndDocs":    testTeamMembershipOpensTicketsAndDocuments,
		"DeleteTeamRemovesGrants":    testDeleteTeamRemovesGrants,
		"ProjectRoundTrip":           testProjectRoundTrip,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, dsn)
		})
	}
}

var stockPrefix atomic.Int64

func newStockEnv(tb testing.TB, dsn string) *stockEnv {
	tb.Helper()
	ctx := context.Background()
	clk := &stockClock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	st := pgtest.Open(tb, dsn, postgres.Options{Now: clk.Now, MaxConns: 20})
	c := &crm.Client{Name: "Stock buyer", Kind: crm.ClientCompany}
	if err := st.Clients.CreateClient(ctx, c); err != nil {
		tb.Fatal(err)
	}
	return &stockEnv{t: tb, prefix: fmt.Sprintf("T%d", stockPrefix.Add(1)), ctx: ctx, st: st, clk: clk, client: c.ID}
}

func (e *stockEnv) newClient(name string) int64 {
	e.t.Helper()
	c := &crm.Client{Name: name, Kind: crm.ClientCompany}
	if err := e.st.Clients.CreateClient(e.ctx, c); err != nil {
		e.t.Fatal(err)
	}
	return c.ID
}

func (e *stockEnv) product(sku string, method resource.CostMethod, lead int) resource.Product {
	e.t.Helper()
	p := resource.Product{SKU: e.prefix + sku, Name: "Product " + sku, Price: 1000, CostMethod: method, LeadTimeDays: lead,
		Support: "8x5", SupportMonths: 12}
	if err := e.st.Stock.CreateProduct(e.ctx, &p); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *stockEnv) warehouse(code string) int64 {
	e.t.Helper()
	w := resource.Warehouse{Code: e.prefix + code, Name: "Warehouse " + code}
	if err := e.st.Stock.CreateWarehouse(e.ctx, &w); err != nil {
		e.t.Fatal(err)
	}
	return w.ID
}

func (e *stockEnv) receive(p, wh int64, batch string, qty, cost int64, expires string) resource.Lot {
	e.t.Helper()
	in := resource.ReceiptInput{ProductID: p, WarehouseID: wh, Batch: batch, Qty: qty, UnitCost: cost}
	if expires != "" {
		d, _ := resource.ParseDate(expires)
		in.ExpiresOn = &d
	}
	lot, err := e.st.Stock.Receive(e.ctx, in)
	if err != nil {
		e.t.Fatal(err)
	}
	e.clk.Add(time.Hour) // lots received in order
	return lot
}

func (e *stockEnv) checkLedger() {
	e.t.Helper()
	if err := e.st.Stock.CheckStockLedger(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

func testShipFIFOAndFEFO(t *testing.T, dsn string) {
	e := newStockEnv(t, dsn)
	wh := e.warehouse("MAIN")
	fifo := e.product("FIFO-1", resource.FIFO, 0)
	a := e.receive(fifo.ID, wh, "A", 5, 100, "2026-12-31")
	b := e.receive(fifo.ID, wh, "B", 5, 120, "2026-04-01")
	lines, err := e.st.Stock.Ship(e.ctx, resource.OutInput{ProductID: fifo.ID, WarehouseID: wh, Qty: 7, ClientID: &e.client})
	if err != nil {
		t.Fatal(err)
	}
	want := []resource.LotQty{{LotID: a.ID, Qty: 5, UnitCost: 100}, {LotID: b.ID, Qty: 2, UnitCost: 120}}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Fatalf("FIFO took %v, want %v", lines, want)
	}

	fefo := e.product("FEFO-1", resource.FEFO, 0)
	noExp := e.receive(fefo.ID, wh, "N", 5, 100, "")
	late := e.receive(fefo.ID, wh, "L", 5, 100, "2026-12-31")
	soon := e.receive(fefo.ID, wh, "S", 5, 100, "2026-04-01")
	gone := e.receive(fefo.ID, wh, "X", 5, 100, "2026-03-01") // already expired: never used
	lines, err = e.st.Stock.Ship(e.ctx, resource.OutInput{ProductID: fefo.ID, WarehouseID: wh, Qty: 12})
	if err != nil {
		t.Fatal(err)
	}
	want = []resource.LotQty{{LotID: soon.ID, Qty: 5, UnitCost: 100}, {LotID: late.ID, Qty: 5, UnitCost: 100}, {LotID: noExp.ID, Qty: 2, UnitCost: 100}}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Fatalf("FEFO took %v, want %v (expired lot %d must be skipped)", lines, want, gone.ID)
	}
	_, err = e.st.Stock.Ship(e.ctx, resource.OutInput{ProductID: fefo.ID, WarehouseID: wh, Qty: 4})
	if !crm.IsKind(err, crm.KindConflict) {
		t.Fatalf("shipping more than the unexpired free stock: %v, want conflict", err)
	}
	if _, err := e.st.Stock.WriteOff(e.ctx, resource.OutInput{ProductID: fefo.ID, WarehouseID: wh, LotID: gone.ID, Qty: 5, Note: "expired"}); err == nil {
		t.Fatal("write-off of an expired lot through lot choice should be refused; use an adjustment")
	}
	if err := e.st.Stock.Adjust(e.ctx, resource.AdjustInput{LotID: gone.ID, WarehouseID: wh, Qty: -5, Note: "expired, destroyed"}); err != nil {
		t.Fatal(err)
	}
	err = e.st.Stock.Adjust(e.ctx, resource.AdjustInput{LotID: gone.ID, WarehouseID: wh, Qty: -1, Note: "one more"})
	if !crm.IsKind(err, crm.KindConflict) {
		t.Fatalf("adjusting below zero: %v, want conflict from stock_on_hand_check", err)
	}
	e.checkLedger()
}

func testTransferInTransit(t *testing.T, dsn string) {
	e := newStockEnv(t, dsn)
	msk, spb := e.warehouse("MSK"), e.warehouse("SPB")
	p := e.product("TR-1", resource.FIFO, 30)
	e.receive(p.ID, msk, "A", 10, 100, "")
	eta := e.clk.Now().Add(48 * time.Hour)
	tr, err := e.st.Stock.StartTransfer(e.ctx, resource.TransferInput{ProductID: p.ID, FromWarehouseID: msk, ToWarehouseID: spb, Qty: 6, ExpectedAt: eta}, 0)
	if err != nil {
		t.Fatal(err)
	}
	av, err := e.st.Stock.Availability(e.ctx, p.ID, 8)
	if err != nil {
		t.Fatal(err)
	}
	if av.FreeNow != 4 || av.InStock || !av.AvailableAt.Equal(eta) || av.FromSupplier {
		t.Fatalf("in transit: %+v, want 4 free and available at the transfer's arrival %v", av, eta)
	}
	if len(av.Incoming) != 1 || av.Incoming[0].Source != "transfer" || av.Incoming[0].WarehouseID != spb {
		t.Fatalf("incoming %+v", av.Incoming)
	}
	if _, err := e.st.Stock.Ship(e.ctx, resource.OutInput{ProductID: p.ID, WarehouseID: spb, Qty: 1}); !crm.IsKind(err, crm.KindConflict) {
		t.Fatalf("shipping from the destination before arrival: %v", err)
	}
	if _, err := e.st.Stock.ArriveTransfer(e.ctx, tr.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Stock.ArriveTransfer(e.ctx, tr.ID, 0); !crm.IsKind(err, crm.KindConflict) {
		t.Fatalf("second arrival: %v", err)
	}
	av, _ = e.st.Stock.Availability(e.ctx, p.ID, 8)
	if av.FreeNow != 10 || !av.InStock || len(av.Incoming) != 0 {
		t.Fatalf("after arrival: %+v", av)
	}
	if av.Warehouses[0].WarehouseID != spb || av.Warehouses[0].Free != 6 {
		t.Fatalf("per warehouse: %+v", av.Warehouses)
	}
	e.checkLedger()
}

func testAvailabilityDates(t *testing.T, dsn string) {
	e := newStockEnv(t, dsn)
	wh := e.warehouse("MAIN")
	p := e.product("AV-1", resource.FIFO, 14)
	e.receive(p.ID, wh, "A", 3, 100, "")
	now := e.clk.Now()
	d5, d9 := now.Add(5*24*time.Hour), now.Add(9*24*time.Hour)
	if _, err := e.st.Stock.ExpectReceipt(e.ctx, p.ID, wh, 4, d9, "PO-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Stock.ExpectReceipt(e.ctx, p.ID, wh, 2, d5, "PO-1"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		qty      int64
		at       time.Time
		supplier bool
	}{
		{3, now, false}, {5, d5, false}, {9, d9, false}, {10, now.AddDate(0, 0, 14), true},
	} {
		av, err := e.st.Stock.Availability(e.ctx, p.ID, c.qty)
		if err != nil {
			t.Fatal(err)
		}
		if !av.AvailableAt.Equal(c.at) || av.FromSupplier != c.supplier {
			t.Errorf("qty %d: available %v (supplier %v), want %v (%v)", c.qty, av.AvailableAt, av.FromSupplier, c.at, c.supplier)
		}
	}
	if _, err := e.st.Stock.Availability(e.ctx, p.ID, 0); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("qty 0: %v", err)
	}
	if _, err := e.st.Stock.Availability(e.ctx, 999999, 1); !crm.IsKind(err, crm.KindNotFound) {
		t.Fatalf("unknown product: %v", err)
	}
}

func testReservationExpiryAndFulfil(t *testing.T, dsn string) {
	e := newStockEnv(t, dsn)
	wh := e.warehouse("MAIN")
	p := e.product("RS-1", resource.FIFO, 0)
	e.receive(p.ID, wh, "A", 10, 100, "")
	r1, err := e.st.Stock.Reserve(e.ctx, resource.ReserveInput{ProductID: p.ID, Qty: 8, ClientID: &e.client, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if r1.WarehouseID != wh {
		t.Fatalf("warehouse chosen %d, want %d", r1.WarehouseID, wh)
	}
	if _, err := e.st.Stock.Reserve(e.ctx, resource.ReserveInput{ProductID: p.ID, Qty: 3, ClientID: &e.client, TTL: time.Hour}); !crm.IsKind(err, crm.KindConflict) {
		t.Fatalf("over-reservation: %v, want conflict", err)
	}
	if _, err := e.st.Stock.Ship(e.ctx, resource.OutInput{ProductID: p.ID, WarehouseID: wh, Qty: 3}); !crm.IsKind(err, crm.KindConflict) {
		t.Fatalf("shipping reserved stock: %v, want conflict", err)
	}
	e.clk.Add(61 * time.Minute)
	if av, _ := e.st.Stock.Availability(e.ctx, p.ID, 10); av.FreeNow != 10 {
		t.Fatalf("overdue reservation still held in availability: %+v", av)
	}
	if _, err := e.st.Stock.FulfilReservation(e.ctx, r1.ID, 0); !crm.IsKind(err, crm.KindConflict) {
		t.Fatalf("fulfilling an expired reservation: %v", err)
	}
	r2, err := e.st.Stock.Reserve(e.ctx, resource.ReserveInput{ProductID: p.ID, Qty: 9, ClientID: &e.client, TTL: time.Hour})
	if err != nil {
		t.Fatalf("reserve after expiry: %v", err)
	}
	if got, _ := e.st.Stock.GetReservation(e.ctx, r1.ID); got.State != resource.ReservationExpired {
		t.Fatalf("first reservation is %s, want expired", got.State)
	}
	if _, err := e.st.Stock.FulfilReservation(e.ctx, r2.ID, 0); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Stock.ReleaseReservation(e.ctx, r2.ID); !crm.IsKind(err, crm.KindConflict) {
		t.Fatalf("release after fulfil: %v", err)
	}
	bal, _ := e.st.Stock.Balances(e.ctx, resource.BalanceFilter{ProductID: p.ID})
	if len(bal) != 1 || bal[0].OnHand != 1 || bal[0].Reserved != 0 {
		t.Fatalf("balances %+v, want 1 on hand, 0 reserved", bal)
	}
	bought, err := e.st.Stock.PurchasedProducts(e.ctx, e.client, 5)
	if err != nil || len(bought) != 1 || bought[0].Name != p.Name || bought[0].Support != "8x5" ||
		!bought[0].SupportUntil.Equal(bought[0].PurchasedAt.AddDate(1, 0, 0)) {
		t.Fatalf("purchased products %+v %v", bought, err)
	}
	r3, _ := e.st.Stock.Reserve(e.ctx, resource.ReserveInput{ProductID: p.ID, Qty: 1, TicketID: ptr(int64(7)), TTL: time.Minute})
	e.clk.Add(2 * time.Minute)
	if n, err := e.st.Stock.ExpireReservations(e.ctx); err != nil || n < 1 {
		t.Fatalf("sweeper freed %d (%v), want at least reservation %d", n, err, r3.ID)
	}
	if got, _ := e.st.Stock.GetReservation(e.ctx, r3.ID); got.State != resource.ReservationExpired {
		t.Fatalf("swept reservation is %s", got.State)
	}
	e.checkLedger()
}

func testStockBadInput(t *testing.T, dsn string) {
	e := newStockEnv(t, dsn)
	wh := e.warehouse("MAIN")
	p := e.product("BAD-1", resource.FIFO, 0)
	dup := resource.Product{SKU: p.SKU, Name: "again"}
	cases := map[string]struct {
		err  error
		kind crm.ErrorKind
	}{
		"duplicate sku": {e.st.Stock.CreateProduct(e.ctx, &dup), crm.KindConflict},
		"bad sku":       {e.st.Stock.CreateProduct(e.ctx, &resource.Product{SKU: "a b", Name: "x"}), crm.KindInvalid},
		"zero receipt": {func() error {
			_, err := e.st.Stock.Receive(e.ctx, resource.ReceiptInput{ProductID: p.ID, WarehouseID: wh, Batch: "Z"})
			return err
		}(), crm.KindInvalid},
		"unknown wh": {func() error {
			_, err := e.st.Stock.Receive(e.ctx, resource.ReceiptInput{ProductID: p.ID, WarehouseID: 9999, Batch: "Z", Qty: 1})
			return err
		}(), crm.KindInvalid},
		"no holder": {func() error {
			_, err := e.st.Stock.Reserve(e.ctx, resource.ReserveInput{ProductID: p.ID, Qty: 1, TTL: time.Hour})
			return err
		}(), crm.KindInvalid},
		"same warehouse": {func() error {
			_, err := e.st.Stock.StartTransfer(e.ctx, resource.TransferInput{ProductID: p.ID, FromWarehouseID: wh, ToWarehouseID: wh, Qty: 1, ExpectedAt: time.Now()}, 0)
			return err
		}(), crm.KindInvalid},
		"unknown reservation": {e.st.Stock.ReleaseReservation(e.ctx, 424242), crm.KindNotFound},
	}
	for name, c := range cases {
		if !crm.IsKind(c.err, c.kind) {
			t.Errorf("%s: %v, want %s", name, c.err, c.kind)
		}
	}
	// The ledger is append-only, and the database refuses direct damage.
	e.receive(p.ID, wh, "A", 2, 10, "")
	if _, err := e.st.DB.Pool().Exec(e.ctx, `UPDATE stock_movements SET qty = 100 WHERE product_id = $1`, p.ID); err == nil {
		t.Error("movements can be rewritten")
	}
	if _, err := e.st.DB.Pool().Exec(e.ctx, `UPDATE stock SET reserved = on_hand + 1 WHERE product_id = $1`, p.ID); err == nil {
		t.Error("the database accepts reserved above on hand")
	}
}

func ptr[T any](v T) *T { return &v }

// TestConcurrentStockInvariants runs many goroutines that reserve, ship,
// release, fulfil and transfer the same product at once, then checks that
// nothing went negative, nothing was over-reserved, balances equal the sums
// of movements, and every unit is accounted for.
func testConcurrentStockInvariants(t *testing.T, dsn string) {
	e := newStockEnv(t, dsn)
	w1, w2 := e.warehouse("W1"), e.warehouse("W2")
	p := e.product("HOT-1", resource.FIFO, 0)
	for i := range 5 {
		e.receive(p.ID, w1, fmt.Sprintf("A%d", i), 20, int64(100+i), "")
		e.receive(p.ID, w2, fmt.Sprintf("B%d", i), 10, int64(100+i), "")
	}
	const workers, rounds = 24, 15
	var shipped, conflicts atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for range rounds {
				if err := concurrentStep(e, rng, p.ID, w1, w2, &shipped); err != nil {
					if !crm.IsKind(err, crm.KindConflict) {
						errs <- err
						return
					}
					conflicts.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	e.checkLedger()
	bal, err := e.st.Stock.Balances(e.ctx, resource.BalanceFilter{ProductID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	var onHand int64
	for _, b := range bal {
		if b.OnHand < 0 || b.Reserved < 0 || b.Reserved > b.OnHand {
			t.Fatalf("invariant broken: %+v", b)
		}
		onHand += b.OnHand
	}
	var inTransit int64
	_ = e.st.DB.Pool().QueryRow(e.ctx, `SELECT coalesce(sum(qty), 0) FROM stock_transfers WHERE state = 'in_transit' AND product_id = $1`, p.ID).Scan(&inTransit)
	if onHand+inTransit+shipped.Load() != 150 {
		t.Fatalf("on hand %d + in transit %d + shipped %d != 150 received", onHand, inTransit, shipped.Load())
	}
	t.Logf("%d operations, %d refused for lack of stock", workers*rounds, conflicts.Load())
}

func concurrentStep(e *stockEnv, rng *rand.Rand, p, w1, w2 int64, shipped *atomic.Int64) error {
	wh := []int64{w1, w2}[rng.IntN(2)]
	qty := int64(1 + rng.IntN(4))
	switch rng.IntN(5) {
	case 0, 1:
		r, err := e.st.Stock.Reserve(e.ctx, resource.ReserveInput{ProductID: p, Qty: qty, ClientID: &e.client, TTL: time.Hour})
		if err != nil {
			return err
		}
		if rng.IntN(2) == 0 {
			return e.st.Stock.ReleaseReservation(e.ctx, r.ID)
		}
		if _, err := e.st.Stock.FulfilReservation(e.ctx, r.ID, 0); err != nil {
			return err
		}
		shipped.Add(qty)
	case 2:
		if _, err := e.st.Stock.Ship(e.ctx, resource.OutInput{ProductID: p, WarehouseID: wh, Qty: qty, ClientID: &e.client}); err != nil {
			return err
		}
		shipped.Add(qty)
	case 3:
		other := w1 + w2 - wh
		tr, err := e.st.Stock.StartTransfer(e.ctx, resource.TransferInput{ProductID: p, FromWarehouseID: wh, ToWarehouseID: other, Qty: qty, ExpectedAt: e.clk.Now()}, 0)
		if err != nil {
			return err
		}
		if rng.IntN(2) == 0 {
			_, err = e.st.Stock.ArriveTransfer(e.ctx, tr.ID, 0)
		}
		return err
	default:
		_, err := e.st.Stock.Reserve(e.ctx, resource.ReserveInput{ProductID: p, WarehouseID: wh, Qty: qty, DealID: ptr(int64(1)), TTL: time.Hour})
		return err
	}
	return nil
}
