package postgres_test

import (
	"context"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/notify"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
)

// TestWorkWakeupsAndNextDue checks what lets the escalator and the outbox
// sleep until there is work: a queued message, scheduled timers and an
// ended call are announced on postgres.WorkChannel (to a listener of
// another store, as on another replica), and NextDue / NextTimerDue tell
// when the earliest is due.
func TestWorkWakeupsAndNextDue(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dsn := pgtest.NewDSN(t)
	clk := &deskClock{t: mskTime("2026-11-26 10:00")}
	s := openDesk(t, dsn, clk)
	other := openDesk(t, dsn, clk)
	kinds := make(chan string, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = other.Notify.ListenAll(ctx, func(int64) {}, func(k string) { kinds <- k })
	}()
	defer func() { cancel(); <-done }()
	expect := func(want string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case k := <-kinds:
				if k == want {
					return
				}
			case <-deadline:
				t.Fatalf("no %q on %s", want, postgres.WorkChannel)
			}
		}
	}
	expect("") // connected

	if _, ok, err := s.Notify.NextDue(ctx); ok || err != nil {
		t.Fatalf("empty outbox: due %v, %v", ok, err)
	}
	if err := s.Notify.Enqueue(ctx, notify.Message{Channel: notify.ChannelEmail, To: "a@example.ru", Subject: "s", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	expect(postgres.WorkOutbox)
	if due, ok, err := s.Notify.NextDue(ctx); !ok || err != nil || !due.Equal(clk.Now()) {
		t.Fatalf("next message due %v %v (%v), want %v", due, ok, err, clk.Now())
	}

	if _, ok, err := s.Tickets.NextTimerDue(ctx); ok || err != nil {
		t.Fatalf("no timers: due %v, %v", ok, err)
	}
	c := mustClient(t, s, crm.Client{Name: "Woken", Priority: "A"}) // high: 1h response
	mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "Down"})
	expect(postgres.WorkTimers)
	// The response clock's 80% level is the first: 10:48.
	if due, ok, err := s.Tickets.NextTimerDue(ctx); !ok || err != nil || !due.Equal(mskTime("2026-11-26 10:48")) {
		t.Fatalf("next timer due %v %v (%v), want 10:48", due, ok, err)
	}

	for _, u := range trackerUpdates(t, "with-linkedid/sip-hold.jsonl") {
		if u.Call.EndedAt != nil {
			if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, u)); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	expect(postgres.WorkCalls)
}
