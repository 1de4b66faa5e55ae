package postgres_test

import (
	"testing"
	"time"

	"hotline/crm/resource"
	"hotline/crm/service"
)

// testClientAvailability: a client with an open ticket about a product out
// of stock (3 expected in 5 days), a reservation of another and two
// purchases of a third (the last of 6 units, with 5 left: short, from the
// supplier in 7 days). The list is in that order with those answers; a
// closed ticket's product, another client's purchase and a ticket naming a
// product that does not exist are left out.
func testClientAvailability(t *testing.T, dsn string) {
	e := newStockEnv(t, dsn)
	ctx := e.ctx
	wh := e.warehouse("CL")
	onTicket := e.product("CA-T", resource.FIFO, 30)
	reserved := e.product("CA-R", resource.FIFO, 0)
	bought := e.product("CA-B", resource.FIFO, 7)
	closed := e.product("CA-C", resource.FIFO, 0)
	other := e.product("CA-O", resource.FIFO, 0)
	e.receive(reserved.ID, wh, "R1", 10, 100, "")
	e.receive(bought.ID, wh, "B1", 15, 100, "")
	e.receive(closed.ID, wh, "C1", 1, 100, "")
	e.receive(other.ID, wh, "O1", 1, 100, "")
	now := e.clk.Now()
	if _, err := e.st.Stock.ExpectReceipt(ctx, onTicket.ID, wh, 3, now.AddDate(0, 0, 5), "PO"); err != nil {
		t.Fatal(err)
	}
	ship := func(p, client, qty int64) {
		t.Helper()
		if _, err := e.st.Stock.Ship(ctx, resource.OutInput{ProductID: p, WarehouseID: wh, Qty: qty, ClientID: &client}); err != nil {
			t.Fatal(err)
		}
		e.clk.Add(time.Hour)
	}
	ship(bought.ID, e.client, 4)
	ship(bought.ID, e.client, 6)
	ship(other.ID, e.newClient("Someone else"), 1)
	if _, err := e.st.Stock.Reserve(ctx, resource.ReserveInput{ProductID: reserved.ID, Qty: 2, ClientID: &e.client, TTL: 48 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	gone := int64(987654)
	for _, tk := range []service.Ticket{
		{ClientID: e.client, Subject: "Broken unit", ProductID: &onTicket.ID},
		{ClientID: e.client, Subject: "Old product", ProductID: &gone},
	} {
		if err := e.st.Tickets.CreateTicket(ctx, &tk); err != nil {
			t.Fatal(err)
		}
	}
	done := service.Ticket{ClientID: e.client, Subject: "Done", ProductID: &closed.ID}
	if err := e.st.Tickets.CreateTicket(ctx, &done); err != nil {
		t.Fatal(err)
	}
	st := service.StatusClosed
	if _, err := e.st.Tickets.UpdateTicket(ctx, done.ID, service.TicketUpdate{Status: &st}, nil); err != nil {
		t.Fatal(err)
	}

	list, err := e.st.Stock.ClientAvailability(ctx, e.client, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("client products: %+v", list)
	}
	want := []struct {
		id, qty, free int64
		kind          resource.InterestKind
		at            time.Time
		supplier      bool
	}{
		{onTicket.ID, 1, 0, resource.InterestTicket, now.AddDate(0, 0, 5), false},
		{reserved.ID, 1, 8, resource.InterestReservation, e.clk.Now(), false},
		{bought.ID, 6, 5, resource.InterestPurchase, e.clk.Now().AddDate(0, 0, 7), true},
	}
	for i, w := range want {
		g := list[i]
		if g.ProductID != w.id || g.Qty != w.qty || g.FreeNow != w.free || g.Reasons[0].Kind != w.kind ||
			!g.AvailableAt.Equal(w.at) || g.FromSupplier != w.supplier {
			t.Errorf("row %d: got product %d qty %d free %d %s at %v supplier %v; want %+v",
				i, g.ProductID, g.Qty, g.FreeNow, g.Reasons[0].Kind, g.AvailableAt, g.FromSupplier, w)
		}
	}
	if list[2].Reasons[0].Qty != 6 || len(list[2].Reasons) != 1 {
		t.Errorf("purchase reason %+v: want the last shipment of 6", list[2].Reasons)
	}
	if short, err := e.st.Stock.ClientAvailability(ctx, e.client, 1); err != nil || len(short) != 1 || short[0].ProductID != onTicket.ID {
		t.Errorf("limit 1: %+v, %v", short, err)
	}
	if none, err := e.st.Stock.ClientAvailability(ctx, 99999999, 5); err != nil || none == nil || len(none) != 0 {
		t.Errorf("unknown client: %+v, %v", none, err)
	}
}
