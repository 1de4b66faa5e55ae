package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/resource"
)

// TestNumbersBoundedAtTheEdge: the outside review's probes (an amount of
// 2^63-1, a stock quantity as large, version=99999999999) are 422 naming
// the field, nothing is stored, and the reports keep answering.
func TestNumbersBoundedAtTheEdge(t *testing.T) {
	t.Parallel()
	e := newResourceEnv(t)
	httpapi.RegisterDocuments(e.srv, httpapi.DocumentDeps{Documents: e.store.Documents, Clients: e.store.Clients, MaxSize: 1000})
	f := newStockFixture(t, e)
	sup := e.login(crm.RoleSupervisor)
	const huge = "9223372036854775807"
	cases := []struct {
		method, path, body, field string
	}{
		{"POST", "/api/v1/transactions", fmt.Sprintf(`{"direction":"income","amount":%s,"category":"sale","client_id":%d}`, huge, f.clientID), "body.amount"},
		{"POST", "/api/v1/transactions", fmt.Sprintf(`{"direction":"income","amount":10000000000001,"category":"sale","client_id":%d}`, f.clientID), "body.amount"},
		{"POST", "/api/v1/stock/receipts", fmt.Sprintf(`{"product_id":%d,"warehouse_id":%d,"batch":"BIG","qty":%s,"unit_cost":1}`, f.product.ID, f.wh1, huge), "body.qty"},
		{"POST", "/api/v1/stock/receipts", fmt.Sprintf(`{"product_id":%d,"warehouse_id":%d,"batch":"BIG","qty":1,"unit_cost":%s}`, f.product.ID, f.wh1, huge), "body.unit_cost"},
		{"POST", "/api/v1/stock/adjustments", fmt.Sprintf(`{"lot_id":%d,"warehouse_id":%d,"qty":-%s,"note":"x"}`, f.lot.ID, f.wh1, huge), "body.qty"},
		{"POST", "/api/v1/reservations", fmt.Sprintf(`{"product_id":%d,"qty":%s,"client_id":%d}`, f.product.ID, huge, f.clientID), "body.qty"},
		{"POST", "/api/v1/products", `{"sku":"BIG-1","name":"Big","price":` + huge + `}`, "body.price"},
		{"GET", "/api/v1/documents/1/content?version=99999999999", "", "query.version"},
		{"GET", "/api/v1/reservations/" + huge, "", "path.id"},
		{"GET", fmt.Sprintf("/api/v1/products/%d/availability?qty=%s", f.product.ID, huge), "", "query.qty"},
	}
	for _, tc := range cases {
		var body any
		if tc.body != "" {
			body = tc.body
		}
		resp, out := sup.do(tc.method, tc.path, body)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(out), tc.field) {
			t.Errorf("%s %s %s: %d %s, want 422 naming %s", tc.method, tc.path, tc.body, resp.StatusCode, out, tc.field)
		}
	}
	bal, err := e.store.Stock.Balances(t.Context(), resource.BalanceFilter{ProductID: f.product.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bal {
		if b.OnHand != 1000 && b.WarehouseID == f.wh1 {
			t.Errorf("stock changed: %+v", b)
		}
	}
	for _, path := range []string{"/api/v1/reports/profit/clients", "/api/v1/reports/profit/products", "/api/v1/reports/marketing"} {
		if resp, out := sup.do("GET", path+"?from=2026-01-01&to=2030-12-31", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %s", path, resp.StatusCode, out)
		}
	}
	// The largest values allowed still add up: ten shipments at the
	// largest quantity and cost do not break the profit report.
	for i := range 3 {
		if _, err := e.store.Stock.Receive(t.Context(), resource.ReceiptInput{ProductID: f.product.ID, WarehouseID: f.wh2, Batch: fmt.Sprintf("MAX%d", i),
			Qty: crm.MaxQty, UnitCost: crm.MaxMoney}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Stock.Ship(t.Context(), resource.OutInput{ProductID: f.product.ID, WarehouseID: f.wh2, Qty: crm.MaxQty, ClientID: &f.clientID}); err != nil {
			t.Fatal(err)
		}
	}
	if resp, out := sup.do("GET", "/api/v1/reports/profit/clients?from=2020-01-01&to=2040-12-31", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("profit report with the largest values: %d %s", resp.StatusCode, out)
	}
}
