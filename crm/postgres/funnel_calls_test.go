package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/funnel"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/telephony"
)

// endedCall is an ended inbound call as the tracker saves it: answered by
// agent when agent is not "", missed otherwise.
func endedCall(linkedid, customer, agent string, start time.Time) telephony.Call {
	end := start.Add(time.Minute)
	c := telephony.Call{LinkedID: linkedid, Node: "pbx1", Direction: telephony.Inbound, Outcome: telephony.OutcomeAbandoned,
		Caller: customer, Callee: "+74951110000", Customer: customer, StartedAt: start, EndedAt: &end}
	if agent != "" {
		answered := start.Add(10 * time.Second)
		c.Outcome, c.Agent, c.Agents, c.AnsweredAt, c.TalkSeconds = telephony.OutcomeAnswered, agent, []string{agent}, &answered, 50
	}
	return c
}

// saveCalls writes the calls to the call log as the tracker's writer does.
func saveCalls(t *testing.T, s *postgres.Services, calls ...telephony.Call) {
	t.Helper()
	ups := make([]telephony.CallUpdate, len(calls))
	for i, c := range calls {
		ups[i] = telephony.CallUpdate{Call: c, Version: 10}
	}
	if err := s.Calls.SaveCalls(context.Background(), pgtest.CallRecords(t, ups...)); err != nil {
		t.Fatal(err)
	}
}

// funnelCalls are the calls as cmd/hotline hands them to the opener.
func funnelCalls(calls []telephony.Call) []funnel.Call {
	out := make([]funnel.Call, len(calls))
	for i, c := range calls {
		out[i] = funnel.Call{Node: c.Node, LinkedID: c.LinkedID, Customer: c.Customer, Agent: c.Agent, At: c.StartedAt,
			Answered: c.AnsweredAt != nil}
	}
	return out
}

// callDeals are the deals opened from calls, per client id.
func callDeals(t *testing.T, s *postgres.Services) map[int64]int {
	t.Helper()
	rows, err := s.DB.Pool().Query(context.Background(), `SELECT client_id, count(*) FROM deals WHERE source = 'call' GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		out[id] = n
	}
	return out
}

// TestFirstCallDealsOfABatch: the deals of a saved batch's first calls
// open in one statement, by today's rules, and replaying the batch opens
// nothing more. A new number answered twice opens one deal; a known
// client, a missed call, an agent who is not a user open none; a client
// with no deal and no earlier call gets one. Creating clients costs one
// more round trip, which links the batch's calls to them.
func TestFirstCallDealsOfABatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rt := &roundTrips{}
	s := pgtest.NewStoreWith(t, postgres.Options{Tracer: rt})
	agent := mustSalesperson(t, s, "sidorov", "Sidorov")
	known := mustClient(t, s, crm.Client{Kind: crm.ClientPerson, Name: "Regular", Contacts: []crm.Contact{phone("+74950000002", "")}})
	quiet := mustClient(t, s, crm.Client{Kind: crm.ClientPerson, Name: "Quiet", Contacts: []crm.Contact{phone("+74950000008", "")}})
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	saveCalls(t, s, endedCall("0.1", "+74950000002", "sidorov", now.Add(-time.Hour)))
	batch := []telephony.Call{
		endedCall("1.1", "+74950000004", "Sidorov", now),                                              // a new number: a deal
		endedCall("1.2", "+74950000004", "sidorov", now.Add(2*time.Minute)),                           // the same again: none
		endedCall("1.3", "+74950000002", "sidorov", now),                                              // a known client: none
		endedCall("1.4", "+74950000005", "", now),                                                     // missed: none
		endedCall("1.5", "+74950000007", "nobody", now),                                               // not a user: none
		endedCall("1.6", "+74950000008", "sidorov", now.Add(time.Minute)),                             // a client with nothing yet: a deal
		{LinkedID: "1.7", Node: "pbx1", Direction: telephony.Internal, StartedAt: now, EndedAt: &now}, // internal: none
	}
	saveCalls(t, s, batch...)
	opener := &funnel.AutoOpener{Store: s.Funnel, Texts: firstCallTexts}
	open := func(what string, wantTrips int64) []funnel.Deal {
		t.Helper()
		var deals []funnel.Deal
		var err error
		if n := rt.count(func() { deals, err = opener.HandleCalls(ctx, funnelCalls(batch)) }); err != nil || n != wantTrips {
			t.Fatalf("%s: %d round trips (want %d): %v", what, n, wantTrips, err)
		}
		return deals
	}
	if deals := open("the setting off", 1); len(deals) != 0 {
		t.Fatalf("opened %+v with the setting off", deals)
	}
	set := funnel.Settings{TimeZone: "UTC", AutoOpenDeals: true}
	if err := s.Funnel.SaveFunnelSettings(ctx, &set); err != nil {
		t.Fatal(err)
	}
	deals := open("the batch", 2) // the deals, then the calls linked to the new client
	if len(deals) != 2 {
		t.Fatalf("opened %+v, want 2 deals", deals)
	}
	byClient := callDeals(t, s)
	if len(byClient) != 2 || byClient[quiet.ID] != 1 || byClient[known.ID] != 0 {
		t.Fatalf("deals per client %v (known %d, quiet %d)", byClient, known.ID, quiet.ID)
	}
	var entries int
	if err := s.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM stage_entries WHERE deal_id = ANY ($1) AND position = 1`,
		[]int64{deals[0].ID, deals[1].ID}).Scan(&entries); err != nil || entries != 2 {
		t.Errorf("the deals entered the first stage %d times (want 2): %v", entries, err)
	}
	var fresh int64
	for _, d := range deals {
		if d.OwnerID != agent.ID || d.Source != "call" || d.Title != "deal 2026-11-27" {
			t.Errorf("deal %+v", d)
		}
		if d.ClientID != quiet.ID {
			fresh = d.ClientID
		}
	}
	c, err := s.Clients.GetClient(ctx, fresh)
	if err != nil || c.Name != "client +74950000004" || c.OwnerID == nil || *c.OwnerID != agent.ID ||
		c.Notes != "notes 2026-11-27 09:00" || len(c.Contacts) != 1 || c.Contacts[0].Value != "+74950000004" {
		t.Fatalf("new client %+v: %v", c, err)
	}
	// Both calls of the new number are the new client's, in the call log
	// and on its timeline, as if it had existed when they were saved.
	var linked, timeline, unlinked int
	if err := s.DB.Pool().QueryRow(ctx, `SELECT
		(SELECT count(*) FROM calls WHERE client_id = $1),
		(SELECT count(*) FROM interactions WHERE client_id = $1 AND kind = 'call'),
		(SELECT count(*) FROM calls WHERE customer = '+74950000005' AND client_id IS NULL)`, fresh).Scan(&linked, &timeline, &unlinked); err != nil {
		t.Fatal(err)
	}
	if linked != 2 || timeline != 2 || unlinked != 1 {
		t.Errorf("new client's calls: %d in the log, %d on the timeline; %d missed call unlinked", linked, timeline, unlinked)
	}
	// Replayed after a crash (the batch saved again, the hook called
	// again): nothing more, in one round trip.
	saveCalls(t, s, batch...)
	if deals := open("the replay", 1); len(deals) != 0 {
		t.Errorf("the replay opened %+v", deals)
	}
	if got := callDeals(t, s); len(got) != 2 || got[fresh] != 1 || got[quiet.ID] != 1 {
		t.Errorf("deals per client after the replay %v", got)
	}
	// Without the settings row the setting cannot be read: an error, as before.
	if _, err := s.DB.Pool().Exec(ctx, `DELETE FROM funnel_settings`); err != nil {
		t.Fatal(err)
	}
	if _, err := opener.HandleCalls(ctx, funnelCalls(batch)); !crm.IsKind(err, crm.KindNotFound) {
		t.Errorf("without settings: %v", err)
	}
}

// firstCallTexts stand for the catalogue's texts (cmd/hotline): the
// statement writes what it is given, per call.
func firstCallTexts(c funnel.Call) funnel.FirstCallTexts {
	return funnel.FirstCallTexts{DealTitle: "deal " + c.At.UTC().Format("2006-01-02"),
		ClientName: "client " + c.Customer, ClientNotes: "notes " + c.At.UTC().Format("2006-01-02 15:04")}
}

// TestFirstCallDealsOfSeparateBatches: the first call of a new client opens
// its deal (at the default funnel's first stage, owned by the agent); a
// later call in another batch does not, nor does a client with an earlier
// call; a call that is the client's first in the log counts although the
// log holds it already.
func TestFirstCallDealsOfSeparateBatches(t *testing.T) {
	fx := newFunnelFixture(t)
	ctx := context.Background()
	s := fx.s
	opener := &funnel.AutoOpener{Store: s.Funnel, Texts: firstCallTexts}
	set := funnel.Settings{TimeZone: "Europe/Moscow", AutoOpenDeals: true}
	if err := s.Funnel.SaveFunnelSettings(ctx, &set); err != nil {
		t.Fatal(err)
	}
	handle := func(c telephony.Call) []funnel.Deal {
		t.Helper()
		saveCalls(t, s, c)
		deals, err := opener.HandleCalls(ctx, funnelCalls([]telephony.Call{c}))
		if err != nil {
			t.Fatal(err)
		}
		return deals
	}
	deals := handle(endedCall("2.1", "+79161234567", "ivanov", fx.now))
	if len(deals) != 1 || deals[0].StageID != fx.stage(1) || deals[0].FunnelID != fx.f.ID || deals[0].OwnerID != fx.ivanov.ID {
		t.Fatalf("first call: %+v", deals)
	}
	d, err := s.Funnel.GetDeal(ctx, deals[0].ID)
	if err != nil || d.Source != "call" || d.Status != funnel.StatusOpen || !d.CreatedAt.Equal(fx.now) || d.StageID != fx.stage(1) {
		t.Fatalf("stored deal %+v: %v", d, err)
	}
	if deals := handle(endedCall("2.2", "+79161234567", "ivanov", fx.now.Add(time.Hour))); len(deals) != 0 {
		t.Errorf("a second call opened %+v", deals)
	}
	// A known client with an earlier logged call is not new.
	old := mustClient(t, s, crm.Client{Kind: crm.ClientPerson, Name: "Old friend", Contacts: []crm.Contact{phone("+74950000001", "")}})
	saveCalls(t, s, endedCall("2.3", "+74950000001", "petrov", at(1, 10, 0)))
	if deals := handle(endedCall("2.4", "+74950000001", "ivanov", fx.now)); len(deals) != 0 {
		t.Error("opened a deal for a client with earlier calls")
	}
	// The call counts as an activity of a deal with that client.
	dl := funnel.Deal{ClientID: old.ID, OwnerID: fx.petrov.ID}
	if err := s.Funnel.CreateDeal(ctx, &dl, nil, at(1, 9, 0)); err != nil {
		t.Fatal(err)
	}
	a := funnel.Activity{DealID: dl.ID, Kind: funnel.ActivityMeeting, At: at(2, 10, 0), Note: "demo at the office"}
	if err := s.Funnel.AddActivity(ctx, &a); err != nil {
		t.Fatal(err)
	}
	acts, err := s.Funnel.Activities(ctx, dl.ID, 10)
	kinds := map[funnel.ActivityKind]int{}
	for _, a := range acts {
		kinds[a.Kind]++
	}
	if err != nil || kinds[funnel.ActivityMeeting] != 1 || kinds[funnel.ActivityCall] != 2 {
		t.Errorf("activities %+v: %v", acts, err)
	}
	// A call whose row in the log starts earlier than its final record (the
	// partition key is fixed at its first write) is still not a call before
	// itself.
	quiet := mustClient(t, s, crm.Client{Kind: crm.ClientPerson, Name: "Quiet", Contacts: []crm.Contact{phone("+74950000009", "")}})
	first := endedCall("2.6", "+74950000009", "petrov", fx.now)
	early := first
	early.StartedAt, early.EndedAt, early.AnsweredAt = fx.now.Add(-time.Hour), nil, nil
	if err := s.Calls.SaveCalls(ctx, pgtest.CallRecords(t, []telephony.CallUpdate{{Call: early, Version: 1}}...)); err != nil {
		t.Fatal(err)
	}
	if deals := handle(first); len(deals) != 1 || deals[0].ClientID != quiet.ID || deals[0].OwnerID != fx.petrov.ID {
		t.Errorf("the first call of a client, logged early: %+v", deals)
	}
	// A number that is not E.164 makes no client.
	if deals := handle(endedCall("2.5", "1234", "ivanov", fx.now)); len(deals) != 0 || strings.Contains(clientNames(t, s), "Caller 1234") {
		t.Errorf("a number not in E.164 opened %+v", deals)
	}
}

func clientNames(t *testing.T, s *postgres.Services) string {
	t.Helper()
	var names string
	if err := s.DB.Pool().QueryRow(context.Background(), `SELECT coalesce(string_agg(name, ','), '') FROM clients`).Scan(&names); err != nil {
		t.Fatal(err)
	}
	return names
}
