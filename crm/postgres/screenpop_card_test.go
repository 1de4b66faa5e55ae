package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"hotline/crm"
	crmphone "hotline/crm/phone"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
	"hotline/crm/service"
	"hotline/telephony/screenpop"
)

const (
	sharedPhone = "+74950001122" // three clients: an owner with a name, one without, no owner
	otherPhone  = "+74950003344" // one client
)

// seedCards gives the clients of sharedPhone and otherPhone timelines
// (notes and their requests' entries), open, waiting and closed requests,
// purchases and survey answers, more of each than a card shows.
func seedCards(t *testing.T, e *stockEnv) {
	t.Helper()
	ctx := e.ctx
	st := e.st
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	named := crm.User{Login: "olga", Name: "Olga Owner", Role: crm.RoleAgent}
	check(st.Users.CreateUser(ctx, &named, "x"))
	bare := crm.User{Login: "pavel", Role: crm.RoleAgent}
	check(st.Users.CreateUser(ctx, &bare, "x"))
	mk := func(name, prio string, owner *int64, number string) int64 {
		c := crm.Client{Kind: crm.ClientPerson, Name: name, Priority: prio, OwnerID: owner, Tags: []string{"t-" + name},
			Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: number}, {Kind: crm.ContactEmail, Value: name + "@example.ru"}}}
		check(st.Clients.CreateClient(ctx, &c))
		return c.ID
	}
	top := mk("Top", "A", &named.ID, sharedPhone)
	low := mk("Low", "C", &bare.ID, sharedPhone)
	orphan := mk("Orphan", "B", nil, sharedPhone)
	other := mk("Other", "VIP", &named.ID, otherPhone)

	for _, cn := range [][2]int64{{top, 8}, {low, 2}, {other, 3}} {
		c := cn[0]
		for i := range int(cn[1]) {
			tk := service.Ticket{ClientID: c, Subject: fmt.Sprintf("request %d of %d", i, c)}
			check(st.Tickets.CreateTicket(ctx, &tk))
			e.clk.Add(time.Hour) // a later resolve due
			switch i {
			case 1:
				s := service.StatusWaiting // no resolve due while waiting
				_, err := st.Tickets.UpdateTicket(ctx, tk.ID, service.TicketUpdate{Status: &s}, nil)
				check(err)
			case 2:
				s := service.StatusClosed
				_, err := st.Tickets.UpdateTicket(ctx, tk.ID, service.TicketUpdate{Status: &s}, nil)
				check(err)
			}
		}
	}
	t0 := e.clk.Now().Add(-19 * time.Hour) // among the requests' entries
	for _, cn := range [][2]int64{{top, 8}, {low, 3}, {orphan, 1}, {other, 2}} {
		c := cn[0]
		for i := range int(cn[1]) {
			it := crm.Interaction{ClientID: c, Kind: crm.InteractionNote, At: t0.Add(time.Duration(2*i) * time.Hour),
				Summary: fmt.Sprintf("note %d of %d", i, c)}
			check(st.Clients.AddInteraction(ctx, &it))
		}
	}

	wh := e.warehouse("POP")
	var products []resource.Product
	for i := range 7 {
		p := e.product(fmt.Sprintf("POP-%d", i), resource.FIFO, 0)
		e.receive(p.ID, wh, fmt.Sprintf("L%d", i), 20, 100, "")
		products = append(products, p)
	}
	ship := func(p resource.Product, client int64) {
		t.Helper()
		_, err := st.Stock.Ship(ctx, resource.OutInput{ProductID: p.ID, WarehouseID: wh, Qty: 1, ClientID: &client})
		check(err)
		e.clk.Add(time.Hour)
	}
	for _, p := range products { // seven for top, one shipped twice
		ship(p, top)
	}
	ship(products[0], top)
	ship(products[2], low)
	ship(products[3], other)
	e.clk.Add(400 * 24 * time.Hour) // the first purchases' 12 months of support are over
	ship(products[4], top)

	var channel int
	answer := func(client int64, started time.Time, values ...int) {
		t.Helper()
		channel++
		var id int64
		check(st.DB.Pool().QueryRow(ctx, `INSERT INTO survey_responses (survey_id, node, channel_id, client_id, state, started_at)
			VALUES ((SELECT id FROM survey_definitions WHERE is_default), 'sim', $1, $2, 'completed', $3) RETURNING id`,
			fmt.Sprintf("ch%d", channel), client, started).Scan(&id))
		for i, v := range values {
			key, scale := "agent", "csat"
			if i == 1 {
				key, scale = "nps", "nps"
			}
			_, err := st.DB.Pool().Exec(ctx, `INSERT INTO survey_answers (response_id, idx, key, value, scale, at)
				VALUES ($1, $2, $3, $4, $5, $6)`, id, i, key, v, scale, started.Add(time.Duration(i+1)*time.Second))
			check(err)
		}
	}
	for i := range 4 {
		answer(top, t0.Add(time.Duration(i)*time.Hour), 1+i, 6+i)
	}
	answer(low, t0, 2)
	answer(other, t0, 5, 10)
}

// TestCardLookupBuildsTheSameCard: the screen pop's card read in one batch
// (ScreenPopService.LookupCard) is the card the separate lookups build, for
// a number three clients share, a number of one client, an unknown number
// and a withheld one; and it costs one round trip instead of one per part
// and client.
func TestCardLookupBuildsTheSameCard(t *testing.T) {
	dsn := pgtest.NewDSN(t)
	e := newStockEnv(t, dsn)
	seedCards(t, e)
	trips := &roundTrips{}
	st := pgtest.Open(t, dsn, postgres.Options{Now: e.clk.Now, Tracer: trips})
	now := func() time.Time { return time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC) }
	sources := screenpop.CardSources{Clients: st.Clients, Recent: st.ScreenPop, Directory: st.ScreenPop,
		Tickets: st.Tickets, Products: st.Stock, Surveys: st.Surveys, Phone: crmphone.Normalizer{Region: "RU"}, Now: now}
	separate := screenpop.NewCardBuilder(sources)
	sources.Lookup = st.ScreenPop
	batched := screenpop.NewCardBuilder(sources)
	ctx := context.Background()

	for _, tc := range []struct {
		name, caller           string
		clients                int
		statements, separately int64 // after the directory's cache is warm
	}{
		{"shared number", "8 (495) 000-11-22", 3, 0, 2 + 1 + 3*3},
		{"one client", otherPhone, 1, 0, 2 + 1 + 3},
		{"unknown number", "+74950009999", 0, 0, 1},
		{"withheld", "anonymous", 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for round := range 2 { // the first fills the directory's cache
				trips.take()
				want, err := separate.Build(ctx, tc.caller, "Caller", "7001")
				if err != nil {
					t.Fatal(err)
				}
				oldStatements, oldBatches := trips.take()
				got, err := batched.Build(ctx, tc.caller, "Caller", "7001")
				if err != nil {
					t.Fatal(err)
				}
				statements, batches := trips.take()
				if len(want.Clients) != tc.clients || want.Error != "" {
					t.Fatalf("the separate lookups found %d clients (error %q), want %d", len(want.Clients), want.Error, tc.clients)
				}
				if !reflect.DeepEqual(got, want) {
					g, _ := json.MarshalIndent(got, "", " ")
					w, _ := json.MarshalIndent(want, "", " ")
					t.Fatalf("card read in one batch:\n%s\nread part by part:\n%s", g, w)
				}
				if round == 0 {
					continue
				}
				if oldStatements != tc.separately || oldBatches != 0 {
					t.Errorf("separate lookups: %d statements and %d batches, want %d statements", oldStatements, oldBatches, tc.separately)
				}
				wantBatches := int64(1)
				if tc.caller == "anonymous" {
					wantBatches = 0
				}
				if statements != tc.statements || batches != wantBatches {
					t.Errorf("one lookup: %d statements and %d batches, want %d and %d", statements, batches, tc.statements, wantBatches)
				}
			}
		})
	}

	// what the card shows is what was seeded: limits, order, names
	card, _ := batched.Build(ctx, sharedPhone, "", "")
	top := card.Clients[0]
	if top.Name != "Top" || top.OwnerName != "Olga Owner" || card.Clients[1].Name != "Orphan" || card.Clients[2].OwnerName != "pavel" {
		t.Errorf("clients = %+v", card.Clients)
	}
	if len(top.Recent) != 5 || len(top.Tickets) != 5 || len(top.Products) != 5 || len(top.Surveys) != 5 {
		t.Errorf("top's card has %d interactions, %d tickets, %d products, %d scores, want 5 of each",
			len(top.Recent), len(top.Tickets), len(top.Products), len(top.Surveys))
	}
	if !top.Products[0].SupportActive || top.Products[1].SupportActive {
		t.Errorf("products = %+v, want the latest supported and the earlier ones not", top.Products)
	}
	low := card.Clients[2].Tickets
	if len(low) != 2 || low[0].Due.IsZero() || !low[1].Due.IsZero() || low[1].Status != "waiting" {
		t.Errorf("low's requests = %+v, want the one due, then the one waiting", low)
	}
	var notes, requests int
	for _, it := range top.Recent {
		if it.TicketID != 0 {
			requests++
		} else {
			notes++
		}
	}
	if notes == 0 || requests == 0 {
		t.Errorf("top's timeline = %+v, want notes and requests' entries", top.Recent)
	}
}

// TestCardLookupReadsWhatTheViewerMaySee: for a viewer, the card's batch
// also answers which of its requests (open tickets and timeline entries'
// requests) they may see, as VisibleTickets does, in the same round trip.
func TestCardLookupReadsWhatTheViewerMaySee(t *testing.T) {
	dsn := pgtest.NewDSN(t)
	e := newStockEnv(t, dsn)
	seedCards(t, e)
	ctx := context.Background()
	boss := crm.User{Login: "sue", Role: crm.RoleSupervisor}
	if err := e.st.Users.CreateUser(ctx, &boss, "x"); err != nil {
		t.Fatal(err)
	}
	// olga is assigned one open ticket of Top and one of Low
	if _, err := e.st.DB.Pool().Exec(ctx, `UPDATE tickets SET assignee_id = (SELECT id FROM users WHERE login = 'olga')
		WHERE id IN (SELECT max(id) FROM tickets WHERE status NOT IN ('resolved', 'closed') GROUP BY client_id)`); err != nil {
		t.Fatal(err)
	}
	trips := &roundTrips{}
	st := pgtest.Open(t, dsn, postgres.Options{Now: e.clk.Now, Tracer: trips})
	for _, viewer := range []string{"olga", "pavel", "sue", "nobody"} {
		trips.take()
		data, err := st.ScreenPop.LookupCard(ctx, sharedPhone, 5, viewer)
		if err != nil {
			t.Fatal(err)
		}
		if statements, batches := trips.take(); statements != 0 || batches != 1 {
			t.Errorf("%s: %d statements, %d batches, want one batch", viewer, statements, batches)
		}
		var ids []int64
		for _, c := range data.Clients {
			for _, tk := range c.Tickets {
				ids = append(ids, tk.ID)
			}
			for _, it := range c.Recent {
				if it.RefType == "ticket" {
					var id int64
					fmt.Sscan(it.RefID, &id)
					ids = append(ids, id)
				}
			}
		}
		want, err := st.DB.VisibleTickets(ctx, viewer, ids)
		if err != nil {
			t.Fatal(err)
		}
		var visible int
		for _, id := range ids {
			seen, ok := data.Seen[id]
			if !ok || seen != want[id] {
				t.Errorf("%s: request %d seen=%v (answered %v), VisibleTickets says %v", viewer, id, seen, ok, want[id])
			}
			if seen {
				visible++
			}
		}
		t.Logf("%s may see %d of the card's %d requests", viewer, visible, len(ids))
	}
	if data, err := st.ScreenPop.LookupCard(ctx, sharedPhone, 5, ""); err != nil || data.Seen != nil {
		t.Errorf("no viewer: seen %v, err %v", data.Seen, err)
	}
}
