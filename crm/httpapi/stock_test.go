package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// stockFixture is a product with stock in two warehouses.
type stockFixture struct {
	e        *env
	product  resource.Product
	wh1, wh2 int64
	lot      resource.Lot
	clientID int64
}

func newStockFixture(t *testing.T, e *env) *stockFixture {
	t.Helper()
	ctx := context.Background()
	n := seq.Add(1)
	f := &stockFixture{e: e, product: resource.Product{SKU: fmt.Sprintf("FX-%d", n), Name: "Router", Price: 500000, LeadTimeDays: 10}}
	if err := e.store.Stock.CreateProduct(ctx, &f.product); err != nil {
		t.Fatal(err)
	}
	for i, id := range []*int64{&f.wh1, &f.wh2} {
		w := resource.Warehouse{Code: fmt.Sprintf("W%d-%d", n, i), Name: "Store"}
		if err := e.store.Stock.CreateWarehouse(ctx, &w); err != nil {
			t.Fatal(err)
		}
		*id = w.ID
	}
	var err error
	if f.lot, err = e.store.Stock.Receive(ctx, resource.ReceiptInput{ProductID: f.product.ID, WarehouseID: f.wh1, Batch: "B1", Qty: 1000, UnitCost: 300000}); err != nil {
		t.Fatal(err)
	}
	f.clientID = e.newClient("Stock client", "").ID
	return f
}

func (f *stockFixture) reservation(t *testing.T) resource.Reservation {
	t.Helper()
	// made by the agent user, so that the matrix's agent may act on it
	r, err := f.e.store.Stock.Reserve(context.Background(), resource.ReserveInput{ProductID: f.product.ID, Qty: 1, ClientID: &f.clientID, TTL: time.Hour,
		UserID: f.e.users[crm.RoleAgent].ID})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func stockSamples(f *stockFixture) map[string]sample {
	fixed := func(path string, body func() any) sample {
		return func(*testing.T, *env) (string, any) {
			if body == nil {
				return path, nil
			}
			return path, body()
		}
	}
	p := f.product.ID
	out := func() any {
		return map[string]any{"product_id": p, "warehouse_id": f.wh1, "qty": 1, "client_id": f.clientID}
	}
	return map[string]sample{
		"list-products": fixed("/api/v1/products?q=FX", nil),
		"create-product": fixed("/api/v1/products", func() any {
			return map[string]any{"sku": fmt.Sprintf("NEW-%d", seq.Add(1)), "name": "New", "price": 100}
		}),
		"update-product": fixed(fmt.Sprintf("/api/v1/products/%d", p), func() any {
			return map[string]any{"sku": f.product.SKU, "name": "Router 2", "price": 510000, "lead_time_days": 10}
		}),
		"list-warehouses":  fixed("/api/v1/warehouses", nil),
		"create-warehouse": fixed("/api/v1/warehouses", func() any { return map[string]any{"code": fmt.Sprintf("NW%d", seq.Add(1)), "name": "New"} }),
		"receive-stock": fixed("/api/v1/stock/receipts", func() any {
			return map[string]any{"product_id": p, "warehouse_id": f.wh1, "batch": fmt.Sprintf("R%d", seq.Add(1)), "qty": 5, "unit_cost": 290000, "expires_on": "2030-01-31"}
		}),
		"ship-stock":      fixed("/api/v1/stock/shipments", out),
		"write-off-stock": fixed("/api/v1/stock/write-offs", out),
		"adjust-stock": fixed("/api/v1/stock/adjustments", func() any {
			return map[string]any{"lot_id": f.lot.ID, "warehouse_id": f.wh1, "qty": 1, "note": "recount"}
		}),
		"start-transfer": fixed("/api/v1/stock/transfers", func() any {
			return map[string]any{"product_id": p, "from_warehouse_id": f.wh1, "to_warehouse_id": f.wh2, "qty": 1, "expected_at": time.Now().Add(time.Hour)}
		}),
		"arrive-transfer": func(t *testing.T, e *env) (string, any) {
			tr, err := e.store.Stock.StartTransfer(context.Background(), resource.TransferInput{ProductID: p, FromWarehouseID: f.wh1, ToWarehouseID: f.wh2, Qty: 1, ExpectedAt: time.Now()}, 0)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/stock/transfers/%d/arrival", tr.ID), nil
		},
		"list-transfers": fixed("/api/v1/stock/transfers?in_transit=true", nil),
		"expect-receipt": fixed("/api/v1/stock/expected", func() any {
			return map[string]any{"product_id": p, "warehouse_id": f.wh2, "qty": 3, "expected_at": time.Now().Add(72 * time.Hour)}
		}),
		"list-stock":       fixed(fmt.Sprintf("/api/v1/stock?product_id=%d", p), nil),
		"list-movements":   fixed(fmt.Sprintf("/api/v1/stock/movements?product_id=%d", p), nil),
		"get-availability": fixed(fmt.Sprintf("/api/v1/products/%d/availability?qty=3", p), nil),
		"create-reservation": fixed("/api/v1/reservations", func() any {
			return map[string]any{"product_id": p, "qty": 1, "client_id": f.clientID, "ttl_hours": 1}
		}),
		"list-reservations": fixed(fmt.Sprintf("/api/v1/reservations?product_id=%d&active=true", p), nil),
		"get-reservation": func(t *testing.T, e *env) (string, any) {
			return fmt.Sprintf("/api/v1/reservations/%d", f.reservation(t).ID), nil
		},
		"release-reservation": func(t *testing.T, e *env) (string, any) {
			return fmt.Sprintf("/api/v1/reservations/%d/release", f.reservation(t).ID), nil
		},
		"fulfil-reservation": func(t *testing.T, e *env) (string, any) {
			return fmt.Sprintf("/api/v1/reservations/%d/fulfil", f.reservation(t).ID), nil
		},
		"list-purchased-products": fixed(fmt.Sprintf("/api/v1/clients/%d/products", f.clientID), nil),
		"get-client-availability": fixed(fmt.Sprintf("/api/v1/clients/%d/availability", f.clientID), nil),
	}
}

// checkRoleMatrix calls every operation whose ID is in smp (and every
// operation with one of tags, which must then have a sample) as every kind
// of caller, like TestRoleMatrix does for the core operations.
func checkRoleMatrix(t *testing.T, e *env, smp map[string]sample, tags ...string) {
	t.Helper()
	callers := []struct {
		name string
		role crm.Role
		cl   *client
	}{
		{"anonymous", "", e.anon()}, {"agent", crm.RoleAgent, e.login(crm.RoleAgent)},
		{"supervisor", crm.RoleSupervisor, e.login(crm.RoleSupervisor)}, {"admin", crm.RoleAdmin, e.login(crm.RoleAdmin)},
		{"admin-token", crm.RoleAdmin, e.tokenClient(crm.RoleAdmin)},
	}
	seen := 0
	for _, op := range operations(e.srv.API()) {
		tagged := slices.ContainsFunc(op.Tags, func(s string) bool { return slices.Contains(tags, s) })
		s, ok := smp[op.OperationID]
		if !ok {
			if tagged {
				t.Errorf("operation %s has no sample request", op.OperationID)
			}
			continue
		}
		seen++
		access, ok := httpapi.AccessOf(op)
		if !ok || access.Public {
			t.Errorf("%s declares no roles", op.OperationID)
			continue
		}
		for _, c := range callers {
			path, body := s(t, e)
			resp, out := c.cl.do(op.Method, path, body)
			want := "2xx"
			switch {
			case c.role == "":
				want = "401"
			case !slices.Contains(access.Roles, c.role):
				want = "403"
			}
			got := resp.StatusCode
			if (want == "2xx" && (got < 200 || got > 299)) || (want == "401" && got != 401) || (want == "403" && got != 403) {
				t.Errorf("%s %s as %s: status %d, want %s: %s", op.Method, path, c.name, got, want, out)
			}
		}
	}
	if seen != len(smp) {
		t.Errorf("%d samples but %d operations registered", len(smp), seen)
	}
}

// newResourceEnv is newEnv with the resource operations registered beside
// the survey ones (so that schema names clashing across packages show).
func newResourceEnv(t *testing.T) *env {
	e := newEnv(t)
	httpapi.RegisterSurveys(e.srv, httpapi.SurveyDeps{Surveys: e.store.Surveys, Campaigns: e.store.Campaigns, Clients: e.store.Clients})
	httpapi.RegisterStock(e.srv, httpapi.StockDeps{Catalogue: e.store.Stock, Stock: e.store.Stock, Reservations: e.store.Stock,
		Access: e.store.DB, Purchases: e.store.Stock})
	httpapi.RegisterMoney(e.srv, httpapi.MoneyDeps{Money: e.store.Money})
	return e
}

func TestResourceRoleMatrix(t *testing.T) {
	t.Parallel()
	e := newResourceEnv(t)
	f := newStockFixture(t, e)
	smp := stockSamples(f)
	for k, v := range moneySamples(f) {
		smp[k] = v
	}
	checkRoleMatrix(t, e, smp, "stock", "money")
}

func TestStockAPIFlowAndBadInput(t *testing.T) {
	t.Parallel()
	e := newResourceEnv(t)
	f := newStockFixture(t, e)
	sup, agent := e.login(crm.RoleSupervisor), e.login(crm.RoleAgent)

	resp, body := agent.do("POST", "/api/v1/reservations", map[string]any{"product_id": f.product.ID, "qty": 999, "client_id": f.clientID})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("reserve: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("GET", fmt.Sprintf("/api/v1/products/%d/availability?qty=5", f.product.ID), nil)
	var av resource.Availability
	if err := json.Unmarshal(body, &av); err != nil || resp.StatusCode != 200 {
		t.Fatalf("availability: %d %s", resp.StatusCode, body)
	}
	if av.FreeNow != 1 || av.InStock || !av.FromSupplier || av.AvailableAt.Before(time.Now().AddDate(0, 0, 9)) {
		t.Fatalf("availability %+v: want 1 free and the 10-day lead time", av)
	}
	resp, body = agent.do("GET", fmt.Sprintf("/api/v1/clients/%d/availability?limit=3", f.clientID), nil)
	var mine struct {
		Products []resource.ClientProduct `json:"products"`
	}
	if err := json.Unmarshal(body, &mine); err != nil || resp.StatusCode != 200 || len(mine.Products) != 1 {
		t.Fatalf("client availability: %d %s", resp.StatusCode, body)
	}
	if p := mine.Products[0]; p.ProductID != f.product.ID || p.SKU != f.product.SKU || p.FreeNow != 1 || p.Qty != 1 || !p.InStock ||
		len(p.Reasons) != 1 || p.Reasons[0].Kind != resource.InterestReservation || p.Reasons[0].Qty != 999 {
		t.Fatalf("client availability %s: want the reserved product, 1 free for 1 wanted", body)
	}
	me := e.users[crm.RoleAgent].ID
	tk := service.Ticket{ClientID: f.clientID, Subject: "Needs a router", AssigneeID: &me}
	if err := e.store.Tickets.CreateTicket(context.Background(), &tk); err != nil {
		t.Fatal(err)
	}
	ticket := tk.ID
	if resp, body := agent.do("POST", "/api/v1/reservations", map[string]any{"product_id": f.product.ID, "qty": 1, "ticket_id": ticket}); resp.StatusCode != http.StatusCreated {
		t.Fatalf("reserve for a ticket: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("GET", fmt.Sprintf("/api/v1/reservations?active=true&ticket_id=%d", ticket), nil)
	var held struct {
		Reservations []resource.Reservation `json:"reservations"`
	}
	if err := json.Unmarshal(body, &held); err != nil || len(held.Reservations) != 1 || *held.Reservations[0].TicketID != ticket {
		t.Fatalf("reservations of ticket %d: %d %s", ticket, resp.StatusCode, body)
	}
	bad := []struct {
		c      *client
		method string
		path   string
		body   any
		status int
		text   string
	}{
		{agent, "POST", "/api/v1/reservations", map[string]any{"product_id": f.product.ID, "qty": 2, "client_id": f.clientID}, 409, "free"},
		{agent, "POST", "/api/v1/reservations", map[string]any{"product_id": f.product.ID, "qty": 1}, 422, "client_id"},
		{agent, "POST", "/api/v1/reservations", map[string]any{"product_id": f.product.ID, "qty": -1, "client_id": 1}, 422, "qty"},
		{sup, "POST", "/api/v1/stock/shipments", map[string]any{"product_id": f.product.ID, "warehouse_id": f.wh1, "qty": 5}, 409, "free"},
		{sup, "POST", "/api/v1/stock/receipts", map[string]any{"product_id": f.product.ID, "warehouse_id": f.wh1, "batch": "B1", "qty": 1, "unit_cost": 1}, 409, "batch"},
		{sup, "POST", "/api/v1/stock/receipts", map[string]any{"product_id": f.product.ID, "warehouse_id": f.wh1, "batch": "B9", "qty": 1, "unit_cost": 1, "expires_on": "31.12.2030"}, 422, "expires_on"},
		{sup, "POST", "/api/v1/stock/receipts", map[string]any{"product_id": f.product.ID, "warehouse_id": 987654, "batch": "B9", "qty": 1, "unit_cost": 1}, 422, "warehouse_id"},
		{sup, "POST", "/api/v1/stock/transfers", map[string]any{"product_id": f.product.ID, "from_warehouse_id": f.wh1, "to_warehouse_id": f.wh1, "qty": 1, "expected_at": time.Now()}, 422, "differ"},
		{sup, "POST", "/api/v1/products", map[string]any{"sku": f.product.SKU, "name": "dup"}, 409, "sku"},
		{sup, "POST", "/api/v1/products", map[string]any{"sku": "bad sku", "name": "x"}, 422, "sku"},
		{agent, "GET", "/api/v1/products/424242/availability", nil, 404, "not found"},
		{agent, "GET", "/api/v1/clients/0/availability", nil, 422, "id"},
		{agent, "GET", "/api/v1/clients/1/availability?limit=99", nil, 422, "limit"},
		{agent, "POST", "/api/v1/reservations/424242/release", nil, 404, "not found"},
	}
	for _, b := range bad {
		resp, body := b.c.do(b.method, b.path, b.body)
		if resp.StatusCode != b.status || !strings.Contains(string(body), b.text) ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s %s %v: %d %s, want %d mentioning %q", b.method, b.path, b.body, resp.StatusCode, body, b.status, b.text)
		}
	}
	if err := e.store.Stock.CheckStockLedger(context.Background()); err != nil {
		t.Fatal(err)
	}
}
