package postgres_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
)

// roundTrips counts what a pool sends, as a pgx tracer: statements
// outside a batch (BEGIN and COMMIT included) and batches, each one round
// trip once pgx has prepared the statements (the first use of a statement
// in a batch costs one more).
type roundTrips struct{ statements, batches atomic.Int64 }

var (
	_ pgx.QueryTracer = (*roundTrips)(nil)
	_ pgx.BatchTracer = (*roundTrips)(nil)
)

func (r *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.statements.Add(1)
	return ctx
}
func (r *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (r *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.batches.Add(1)
	return ctx
}
func (r *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (r *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// take returns the statements and batches counted since the last take.
func (r *roundTrips) take() (statements, batches int64) {
	return r.statements.Swap(0), r.batches.Swap(0)
}

// count returns how many round trips fn took.
func (r *roundTrips) count(fn func()) int64 {
	r.take()
	fn()
	statements, batches := r.take()
	return statements + batches
}

// TestMissedCallRoundTrips: a round with nothing to do costs one round
// trip (two with the escalation timers), and opening the callback request of a missed call two (reading,
// then writing the request, its history, call, timers and timeline entry).
func TestMissedCallRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rt := &roundTrips{}
	clk := &deskClock{t: mskTime("2026-11-26 10:30")}
	s := pgtest.Open(t, pgtest.NewDSN(t), postgres.Options{Now: clk.Now, Tracer: rt})
	c := mustClient(t, s, crm.Client{Name: "Caller", Priority: "B", Contacts: []crm.Contact{phone("+74951230001", "")}})
	missed := func(linkedid, start string) {
		t.Helper()
		st := mskTime(start)
		if _, err := s.DB.Pool().Exec(ctx, `INSERT INTO calls (node, linkedid, version, direction, outcome, customer, client_id, started_at, ended_at)
			VALUES ('pbx1', $1, 1, 'inbound', 'abandoned', '+74951230001', $2, $3, $4)`, linkedid, c.ID, st, st.Add(20*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	sync := func(want int) int64 {
		t.Helper()
		var opened int
		var err error
		n := rt.count(func() { opened, _, err = s.Tickets.SyncCallbacks(ctx, clk.Now(), 24*time.Hour) })
		if err != nil || opened != want {
			t.Fatalf("sync opened %d (%v), want %d", opened, err, want)
		}
		return n
	}
	missed("8.1", "2026-11-26 10:00")
	sync(1) // warms the statement cache
	done := service.StatusResolved
	page, _ := s.Tickets.ListTickets(ctx, service.TicketFilter{})
	if _, err := s.Tickets.UpdateTicket(ctx, page.Items[0].ID, service.TicketUpdate{Status: &done}, nil); err != nil {
		t.Fatal(err)
	}
	if n := sync(0); n != 1 {
		t.Errorf("an idle round took %d round trips, want 1", n)
	}
	esc := service.NewEscalator(service.EscalatorOptions{Store: s.Tickets, Callbacks: s.Tickets, Now: clk.Now})
	var tickErr error
	if n := rt.count(func() { _, tickErr = esc.Tick(ctx) }); n != 2 || tickErr != nil {
		t.Errorf("an escalator round with nothing to do took %d round trips (%v), want 2", n, tickErr)
	}
	missed("8.2", "2026-11-26 10:10")
	if n := sync(1); n != 3 {
		t.Errorf("a round that opens one request took %d round trips, want 3", n)
	}
	cb, err := s.Tickets.ListTickets(ctx, service.TicketFilter{OpenOnly: true})
	if err != nil || len(cb.Items) != 1 || len(cb.Items[0].Calls) != 1 || cb.Items[0].Calls[0] != "8.2" {
		t.Fatalf("open callback requests %+v %v", cb.Items, err)
	}
	thread, _ := s.Tickets.Thread(ctx, cb.Items[0].ID, false)
	if len(thread) != 2 || thread[0].Kind != service.EventCreated || thread[1].Kind != service.EventCall || thread[1].New != "8.2" {
		t.Fatalf("history %+v", thread)
	}
	var timers int
	if err := s.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM ticket_timers WHERE ticket_id = $1`, cb.Items[0].ID).Scan(&timers); err != nil || timers == 0 {
		t.Fatalf("%d timers scheduled: %v", timers, err)
	}
	// The client calls again and is answered: the round resolves the
	// request in one transaction (BEGIN, the ticket and its plan, the
	// call, status, history and timers, COMMIT).
	if _, err := s.DB.Pool().Exec(ctx, `INSERT INTO calls (node, linkedid, version, direction, outcome, customer, client_id, started_at, ended_at)
		VALUES ('pbx1', '8.3', 1, 'inbound', 'answered', '+74951230001', $1, $2, $3)`, c.ID, mskTime("2026-11-26 10:20"),
		mskTime("2026-11-26 10:25")); err != nil {
		t.Fatal(err)
	}
	var resolved int
	if n := rt.count(func() { _, resolved, err = s.Tickets.SyncCallbacks(ctx, clk.Now(), 24*time.Hour) }); n != 5 || resolved != 1 || err != nil {
		t.Errorf("a round that resolves one request took %d round trips, resolved %d (%v); want 5, 1", n, resolved, err)
	}
	got, _ := s.Tickets.GetTicket(ctx, cb.Items[0].ID)
	if got.Status != service.StatusResolved || len(got.Calls) != 2 || got.Calls[1] != "8.3" {
		t.Fatalf("after the answered call: %+v", got)
	}
	thread, _ = s.Tickets.Thread(ctx, got.ID, false)
	if k := len(thread); k != 5 || thread[2].New != "8.3" || thread[3].Field != "status" || thread[4].Kind != service.EventComment {
		t.Fatalf("history after resolving %+v", thread)
	}
	// Another missed call while a request is open adds an attempt to it:
	// the round and one statement.
	missed("8.4", "2026-11-26 10:26")
	sync(1)
	missed("8.5", "2026-11-26 10:27")
	if n := sync(0); n != 2 {
		t.Errorf("a round that adds an attempt took %d round trips, want 2", n)
	}
	cb, err = s.Tickets.ListTickets(ctx, service.TicketFilter{OpenOnly: true})
	if err != nil || len(cb.Items) != 1 || cb.Items[0].CallbackAttempts != 2 || len(cb.Items[0].Calls) != 2 {
		t.Fatalf("open callback requests after an attempt %+v %v", cb.Items, err)
	}
}
