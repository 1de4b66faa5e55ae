package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
)

// BenchmarkConcurrentReservations fires 1,000 concurrent reservations of one
// unit at one product with 800 units in 20 lots: exactly 800 must succeed,
// 200 be refused, and the ledger must hold. Reports reservations per second.
func BenchmarkConcurrentReservations(b *testing.B) {
	if testing.Short() {
		b.Skip("database benchmark")
	}
	e := newStockEnv(b, pgtest.NewDSN(b))
	wh := e.warehouse("BENCH")
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p := e.product(fmt.Sprintf("RES-%d", i), resource.FIFO, 0)
		for l := range 20 {
			e.receive(p.ID, wh, fmt.Sprintf("L%d", l), 40, 100, "")
		}
		b.StartTimer()
		start := time.Now()
		var ok, refused atomic.Int64
		var wg sync.WaitGroup
		for range 1000 {
			wg.Go(func() {
				_, err := e.st.Stock.Reserve(e.ctx, resource.ReserveInput{ProductID: p.ID, WarehouseID: wh, Qty: 1, ClientID: &e.client, TTL: time.Hour})
				switch {
				case err == nil:
					ok.Add(1)
				case crm.IsKind(err, crm.KindConflict):
					refused.Add(1)
				default:
					b.Error(err)
				}
			})
		}
		wg.Wait()
		total += time.Since(start)
		b.StopTimer()
		if ok.Load() != 800 || refused.Load() != 200 {
			b.Fatalf("%d reserved, %d refused; want 800 and 200", ok.Load(), refused.Load())
		}
		if err := e.st.Stock.CheckStockLedger(e.ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(1000*b.N)/total.Seconds(), "reservations/s")
}

// BenchmarkAvailability asks availability of a random product among 1,000
// products with 100,000 lots in 2 warehouses (one product has 10,000 lots),
// with reservations and incoming goods. Reports the p99 latency.
func BenchmarkAvailability(b *testing.B) {
	if testing.Short() {
		b.Skip("database benchmark")
	}
	e := newStockEnv(b, pgtest.NewDSN(b))
	first := fillLots(b, e)
	rng := rand.New(rand.NewPCG(1, 2))
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		id := first + int64(rng.IntN(1000))
		start := time.Now()
		if _, err := e.st.Stock.Availability(e.ctx, id, 50); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	start := time.Now()
	if _, err := e.st.Stock.Availability(e.ctx, first, 50); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "hot-product-ms")
}

// BenchmarkClientAvailability is the console card's stock call: the client
// of fillLots holds 200 reservations among 100,000 lots and has bought 3
// products; each call ranks them and answers availability for the first 5
// (one product is the one with 10,000 lots). Reports the p99 latency.
func BenchmarkClientAvailability(b *testing.B) {
	if testing.Short() {
		b.Skip("database benchmark")
	}
	e := newStockEnv(b, pgtest.NewDSN(b))
	first := fillLots(b, e)
	var wh int64
	if err := e.st.DB.Pool().QueryRow(e.ctx, `SELECT warehouse_id FROM stock WHERE product_id = $1 AND on_hand > reserved LIMIT 1`, first).Scan(&wh); err != nil {
		b.Fatal(err)
	}
	for i := range 3 {
		if _, err := e.st.Stock.Ship(e.ctx, resource.OutInput{ProductID: first + int64(i), WarehouseID: wh, Qty: 1, ClientID: &e.client}); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		list, err := e.st.Stock.ClientAvailability(e.ctx, e.client, 5)
		if err != nil || len(list) != 5 {
			b.Fatalf("%d products, %v", len(list), err)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// fillLots makes 1,000 products and 100,000 lots with stock, reservations
// and expected receipts in bulk; it returns the first product's ID.
func fillLots(b *testing.B, e *stockEnv) int64 {
	b.Helper()
	ctx := context.Background()
	w1, w2 := e.warehouse("B1"), e.warehouse("B2")
	sql := []string{
		`INSERT INTO products (sku, name, lead_time_days) SELECT $1 || '-' || g, 'Bench ' || g, 7 FROM generate_series(1, 1000) g`,
		`INSERT INTO lots (product_id, batch, received_at, unit_cost, expires_on)
			SELECT p.id, 'L' || g, now() - g * interval '1 minute', 100, CASE WHEN g % 3 = 0 THEN current_date + g % 400 END
			FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM products WHERE sku LIKE $1 || '-%') p
			CROSS JOIN LATERAL generate_series(1, CASE WHEN p.n = 1 THEN 10000 ELSE 90 END) g
			LIMIT 100000`,
		`INSERT INTO stock_movements (kind, lot_id, product_id, warehouse_id, qty, unit_cost)
			SELECT 'receipt', l.id, l.product_id, CASE WHEN l.id % 2 = 0 THEN $2::bigint ELSE $3::bigint END, 10, 100
			FROM lots l JOIN products p ON p.id = l.product_id WHERE p.sku LIKE $1 || '-%'`,
		`INSERT INTO stock_expected (product_id, warehouse_id, qty, expected_at)
			SELECT id, CASE WHEN id % 2 = 0 THEN $2::bigint ELSE $3::bigint END, 500, now() + interval '5 days' FROM products WHERE sku LIKE $1 || '-%'`,
	}
	for _, q := range sql {
		args := []any{e.prefix}
		if q != sql[0] && q != sql[1] {
			args = append(args, w1, w2)
		}
		if _, err := e.st.DB.Pool().Exec(ctx, q, args...); err != nil {
			b.Fatalf("fill: %v", err)
		}
	}
	if _, err := e.st.DB.Pool().Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	var first int64
	if err := e.st.DB.Pool().QueryRow(ctx, `SELECT min(id) FROM products WHERE sku LIKE $1 || '-%'`, e.prefix).Scan(&first); err != nil {
		b.Fatal(err)
	}
	for i := range 200 { // some reservations to subtract
		id := first + int64(i*5)
		if _, err := e.st.Stock.Reserve(ctx, resource.ReserveInput{ProductID: id, Qty: 3, ClientID: &e.client, TTL: time.Hour}); err != nil {
			b.Fatal(err)
		}
	}
	return first
}
