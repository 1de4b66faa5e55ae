package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
)

// TestCallbackSyncReadsCallsWrittenSinceItsLastRound: after a full round,
// a sync reads only the missed calls written since (less an overlap): a
// call from hours ago that a late spool replay writes now still opens its
// request, while a call written long ago that a changed setting now calls
// for waits for the next full read, which opens it.
func TestCallbackSyncReadsCallsWrittenSinceItsLastRound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &deskClock{t: mskTime("2026-11-26 12:00")}
	s := openDesk(t, pgtest.NewDSN(t), clk)
	quiet := mustClient(t, s, crm.Client{Name: "Quiet", Priority: "C", Contacts: []crm.Contact{phone("+74957770001", "")}})
	late := mustClient(t, s, crm.Client{Name: "Late", Priority: "B", Contacts: []crm.Contact{phone("+74957770002", "")}})
	if err := s.Tickets.SetCallbacks(ctx, "C", false); err != nil {
		t.Fatal(err)
	}
	missed := func(linkedid string, c crm.Client, start string, written time.Duration) {
		t.Helper()
		st := mskTime(start)
		if _, err := s.DB.Pool().Exec(ctx, `INSERT INTO calls (node, linkedid, version, direction, outcome, customer, client_id,
			started_at, ended_at, updated_at) VALUES ('pbx1', $1, 1, 'inbound', 'no_answer', $2, $3, $4, $5, now() - $6::interval)`,
			linkedid, c.Contacts[0].Value, c.ID, st, st.Add(30*time.Second), written.String()); err != nil {
			t.Fatal(err)
		}
	}
	sync := func(want int) {
		t.Helper()
		if n, _, err := s.Tickets.SyncCallbacks(ctx, clk.Now(), 24*time.Hour); err != nil || n != want {
			t.Fatalf("sync opened %d (%v), want %d", n, err, want)
		}
	}
	missed("5.1", quiet, "2026-11-26 10:00", time.Hour) // written an hour ago, class C opted out
	sync(0)                                             // the first round reads the whole window
	if err := s.Tickets.SetCallbacks(ctx, "C", true); err != nil {
		t.Fatal(err)
	}
	missed("5.2", late, "2026-11-26 09:00", 0) // replayed from a spool now
	sync(1)                                    // the replayed call, not the one written an hour ago
	sync(0)
	s.Tickets.AgeMissedSweep(time.Hour) // the next round reads the whole window again
	sync(1)
	page, err := s.Tickets.ListTickets(ctx, service.TicketFilter{})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("callback requests %+v %v", page.Items, err)
	}
}

// TestMissedCallsSinceUsesItsIndex: the incremental read finds the calls
// written since the last round through the index of missed calls by write
// time (calls_missed_written, on each partition), not by reading the day's
// calls, and looks for a later answered call by number
// (calls_answered_customer), as the read of handled requests does.
func TestMissedCallsSinceUsesItsIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	day := time.Now().Add(-24 * time.Hour)
	c := mustClient(t, s, crm.Client{Name: "Busy line", Contacts: []crm.Contact{phone("+74957770003", "")}})
	if _, err := s.DB.Pool().Exec(ctx, `INSERT INTO calls (node, linkedid, version, direction, outcome, customer,
		client_id, started_at, ended_at, updated_at)
		SELECT 'pbx1', 'x.' || i, 1, 'inbound', CASE WHEN i % 5 = 0 THEN 'no_answer' ELSE 'answered' END, '+7495' || (1000000 + i), $2,
		       $1::timestamptz + i * interval '4 seconds', $1::timestamptz + i * interval '4 seconds' + interval '1 minute',
		       $1::timestamptz + i * interval '4 seconds' + interval '1 minute'
		FROM generate_series(1, 20000) i`, day, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.Pool().Exec(ctx, `ANALYZE calls`); err != nil {
		t.Fatal(err)
	}
	plan := explain(t, s.DB.Pool(), postgres.MissedCallsSince, day, time.Now().Add(-time.Minute))
	if !strings.Contains(plan, "Index Cond: (updated_at >= ") ||
		!strings.Contains(plan, "Index Cond: ((customer = c.customer) AND (started_at > c.started_at))") {
		t.Fatalf("the read of missed calls since the last round does not use calls_missed_written and calls_answered_customer:\n%s", plan)
	}
	// The open requests an answered call handled: their missed call by its
	// key, the answered call by number and start; no read of the call log.
	plan = explain(t, s.DB.Pool(), postgres.HandledCallbacksSQL, postgres.CallbackCategory)
	if !strings.Contains(plan, "node_linkedid_started_at_key") ||
		!strings.Contains(plan, "Index Cond: ((customer = m.customer) AND (started_at > m.started_at))") {
		t.Fatalf("the read of handled callback requests reads the call log:\n%s", plan)
	}
}
