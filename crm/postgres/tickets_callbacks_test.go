package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
)

func TestMissedCallOpensCallbackAndAnsweredCallResolvesIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &deskClock{t: mskTime("2026-11-26 10:30")}
	s := openDesk(t, pgtest.NewDSN(t), clk)
	known := mustClient(t, s, crm.Client{Name: "Caller", Priority: "B", Contacts: []crm.Contact{phone("+74951234567", "")}})
	optOut := mustClient(t, s, crm.Client{Name: "Quiet", Priority: "C", Contacts: []crm.Contact{phone("+74957777777", "")}})
	if err := s.Tickets.SetCallbacks(ctx, "C", false); err != nil {
		t.Fatal(err)
	}
	call := func(linkedid, customer string, client int64, outcome, start string) {
		t.Helper()
		st := mskTime(start)
		_, err := s.DB.Pool().Exec(ctx, `INSERT INTO calls (node, linkedid, version, direction, outcome, customer, client_id, started_at, ended_at)
			VALUES ('pbx1', $1, 1, 'inbound', $2, $3, $4, $5, $6)`, linkedid, outcome, customer, client, st, st.Add(40*time.Second))
		if err != nil {
			t.Fatal(err)
		}
	}
	call("1.1", "+74951234567", known.ID, "abandoned", "2026-11-26 10:00")
	call("1.2", "+74957777777", optOut.ID, "no_answer", "2026-11-26 10:05")
	call("1.3", "+74951234567", known.ID, "answered", "2026-11-26 09:00") // earlier: handles nothing
	esc := service.NewEscalator(service.EscalatorOptions{Store: s.Tickets, Callbacks: s.Tickets, Now: clk.Now})
	for i := 0; i < 2; i++ {
		if _, err := esc.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	page, _ := s.Tickets.ListTickets(ctx, service.TicketFilter{})
	if len(page.Items) != 1 {
		t.Fatalf("callback tickets %+v", page.Items)
	}
	cb := page.Items[0]
	// The clock runs from the call's end: B is normal priority, 4 business hours.
	if cb.ClientID != known.ID || cb.Category != "callback" || !cb.CreatedAt.Equal(mskTime("2026-11-26 10:00").Add(40*time.Second)) ||
		!cb.SLA.ResponseDue.Equal(mskTime("2026-11-26 14:00").Add(40*time.Second)) || len(cb.Calls) != 1 {
		t.Fatalf("callback %+v due %v", cb, cb.SLA.ResponseDue)
	}
	// The client calls again and is answered: the callback is handled.
	call("1.4", "+74951234567", known.ID, "answered", "2026-11-26 11:00")
	clk.Set(mskTime("2026-11-26 11:05"))
	opened, resolved, err := s.Tickets.SyncCallbacks(ctx, clk.Now(), 24*time.Hour)
	if err != nil || opened != 0 || resolved != 1 {
		t.Fatalf("sync after the answered call: %d %d %v", opened, resolved, err)
	}
	got, _ := s.Tickets.GetTicket(ctx, cb.ID)
	if got.Status != service.StatusResolved || len(got.Calls) != 2 {
		t.Fatalf("after the answered call: %+v", got)
	}
	if _, _, err := s.Tickets.SyncCallbacks(ctx, clk.Now(), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Tickets.ListTickets(ctx, service.TicketFilter{}); len(p.Items) != 1 {
		t.Fatalf("a resolved callback was reopened: %d tickets", len(p.Items))
	}
}

// TestCallbackGoesToTheClientsOwner: a missed call of a client with an
// active owner opens a callback assigned to that agent, which the agent's
// list shows; a disabled owner's client gets an unassigned one, for
// supervisors to dispatch.
func TestCallbackGoesToTheClientsOwner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &deskClock{t: mskTime("2026-11-26 10:30")}
	s := openDesk(t, pgtest.NewDSN(t), clk)
	owner := mustUser(t, s, "cb.owner", crm.RoleAgent)
	gone := mustUser(t, s, "cb.gone", crm.RoleAgent)
	if _, err := s.DB.Pool().Exec(ctx, `UPDATE users SET disabled = true WHERE id = $1`, gone.ID); err != nil {
		t.Fatal(err)
	}
	owned := mustClient(t, s, crm.Client{Name: "Owned", Priority: "B", OwnerID: &owner.ID, Contacts: []crm.Contact{phone("+74951110001", "")}})
	orphan := mustClient(t, s, crm.Client{Name: "Orphan", Priority: "B", OwnerID: &gone.ID, Contacts: []crm.Contact{phone("+74951110002", "")}})
	for i, c := range []crm.Client{owned, orphan} {
		st := mskTime("2026-11-26 10:00").Add(time.Duration(i) * time.Minute)
		if _, err := s.DB.Pool().Exec(ctx, `INSERT INTO calls (node, linkedid, version, direction, outcome, customer, client_id, started_at, ended_at)
			VALUES ('pbx1', $1, 1, 'inbound', 'abandoned', $2, $3, $4, $5)`, "2."+string(rune('1'+i)), c.Contacts[0].Value, c.ID, st, st.Add(30*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if opened, _, err := s.Tickets.SyncCallbacks(ctx, clk.Now(), 24*time.Hour); err != nil || opened != 2 {
		t.Fatalf("sync: %d %v", opened, err)
	}
	mine, err := s.Tickets.ListTickets(ctx, service.TicketFilter{Viewer: &service.Viewer{UserID: owner.ID, Role: crm.RoleAgent}})
	if err != nil || len(mine.Items) != 1 || mine.Items[0].ClientID != owned.ID || mine.Items[0].AssigneeID == nil || *mine.Items[0].AssigneeID != owner.ID {
		t.Fatalf("owner's callbacks %+v %v", mine.Items, err)
	}
	all, _ := s.Tickets.ListTickets(ctx, service.TicketFilter{ClientID: orphan.ID})
	if len(all.Items) != 1 || all.Items[0].AssigneeID != nil {
		t.Fatalf("disabled owner's client's callback %+v", all.Items)
	}
}

// TestOneCallbackPerNumber: missed calls from a number with an open
// callback request add attempts to it instead of opening more, even when
// two replicas sync the same calls at once; once it is resolved, the next
// missed call opens a new one.
func TestOneCallbackPerNumber(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &deskClock{t: mskTime("2026-11-26 10:30")}
	dsn := pgtest.NewDSN(t)
	s := openDesk(t, dsn, clk)
	other := openDesk(t, dsn, clk)
	c := mustClient(t, s, crm.Client{Name: "Persistent", Priority: "B", Contacts: []crm.Contact{phone("+74951112233", "")}})
	missed := func(linkedid, start string) {
		t.Helper()
		st := mskTime(start)
		if _, err := s.DB.Pool().Exec(ctx, `INSERT INTO calls (node, linkedid, version, direction, outcome, customer, client_id, started_at, ended_at)
			VALUES ('pbx1', $1, 1, 'inbound', 'abandoned', '+74951112233', $2, $3, $4)`, linkedid, c.ID, st, st.Add(20*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	missed("2.1", "2026-11-26 10:00")
	missed("2.2", "2026-11-26 10:01")
	missed("2.3", "2026-11-26 10:02")
	var wg sync.WaitGroup
	opened := make([]int, 2)
	for i, st := range []interface {
		SyncCallbacks(context.Context, time.Time, time.Duration) (int, int, error)
	}{s.Tickets, other.Tickets} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, _, err := st.SyncCallbacks(ctx, clk.Now(), 24*time.Hour)
			if err != nil {
				t.Error(err)
			}
			opened[i] = n
		}()
	}
	wg.Wait()
	page, _ := s.Tickets.ListTickets(ctx, service.TicketFilter{})
	if len(page.Items) != 1 || opened[0]+opened[1] != 1 {
		t.Fatalf("%d requests (opened %v), want one", len(page.Items), opened)
	}
	cb, _ := s.Tickets.GetTicket(ctx, page.Items[0].ID)
	if cb.CallbackNumber != "+74951112233" || cb.CallbackAttempts != 3 || len(cb.Calls) != 3 {
		t.Fatalf("callback %q attempts %d calls %v", cb.CallbackNumber, cb.CallbackAttempts, cb.Calls)
	}
	thread, _ := s.Tickets.Thread(ctx, cb.ID, false)
	counted := 0
	for _, e := range thread {
		if e.Field == "callback_attempts" {
			counted++
		}
	}
	if counted != 2 {
		t.Fatalf("history has %d attempt entries, want 2", counted)
	}
	// Syncing again changes nothing.
	if n, _, err := s.Tickets.SyncCallbacks(ctx, clk.Now(), 24*time.Hour); err != nil || n != 0 {
		t.Fatalf("second sync opened %d %v", n, err)
	}
	if again, _ := s.Tickets.GetTicket(ctx, cb.ID); again.CallbackAttempts != 3 {
		t.Fatalf("attempts after a second sync: %d", again.CallbackAttempts)
	}
	// Resolved: the next missed call opens a new request.
	done := service.StatusResolved
	if _, err := s.Tickets.UpdateTicket(ctx, cb.ID, service.TicketUpdate{Status: &done}, nil); err != nil {
		t.Fatal(err)
	}
	missed("2.4", "2026-11-26 10:20")
	if n, _, err := s.Tickets.SyncCallbacks(ctx, clk.Now(), 24*time.Hour); err != nil || n != 1 {
		t.Fatalf("after resolving, a missed call opened %d %v", n, err)
	}
}
