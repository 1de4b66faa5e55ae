package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/resource"
)

// TestProductSupportTermsThroughTheAPI runs the real store as the desk's
// ProductTerms: a product with critical support on a 24/7 plan is set up
// through the products API (bad priorities and unknown plans refused on
// their field); a request about it from a client under support is critical
// on that plan with due times from it and says why in its history; the same
// request from a client whose support ended, or who never bought it, gets
// the client's usual priority and plan.
func TestProductSupportTermsThroughTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	httpapi.RegisterStock(e.srv, httpapi.StockDeps{Catalogue: e.store.Stock, Stock: e.store.Stock, Reservations: e.store.Stock, Access: e.store.DB, Purchases: e.store.Stock})
	httpapi.RegisterTickets(e.srv, ticketDeps(e.store, e.store.SLA))
	admin, sup := e.login(crm.RoleAdmin), e.login(crm.RoleSupervisor)
	ctx := context.Background()

	allDay := map[string]string{}
	for _, d := range []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
		allDay[d] = "00:00-24:00"
	}
	target := func(resp, res int) map[string]int {
		return map[string]int{"response_minutes": resp, "resolution_minutes": res}
	}
	resp, body := admin.do("POST", "/api/v1/sla-plans", map[string]any{"name": "Premium 24/7", "time_zone": "Europe/Moscow", "hours": allDay,
		"targets": map[string]any{"critical": target(15, 120), "high": target(30, 240), "normal": target(60, 480), "low": target(120, 960)}})
	var plan httpapi.PlanJSON
	mustJSON(t, body, &plan)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create plan: %d %s", resp.StatusCode, body)
	}
	var standard int64
	resp, body = sup.do("GET", "/api/v1/sla-plans", nil)
	var plans struct{ Plans []httpapi.PlanJSON }
	mustJSON(t, body, &plans)
	for _, p := range plans.Plans {
		if p.Default {
			standard = p.ID
		}
	}
	if resp.StatusCode != 200 || standard == 0 {
		t.Fatalf("plans: %d %s", resp.StatusCode, body)
	}

	pbx := map[string]any{"sku": "PBX-100", "name": "PBX appliance", "support": "24/7, 4h response", "support_months": 12,
		"support_priority": "critical", "support_plan_id": plan.ID}
	with := func(k string, v any) map[string]any {
		out := map[string]any{}
		for kk, vv := range pbx {
			out[kk] = vv
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	for _, bad := range []struct {
		body     map[string]any
		location string
	}{
		{with("support_plan_id", 987654), "body.support_plan_id"},
		{with("support_priority", "urgent"), "body.support_priority"},
		{with("support_months", nil), "body.support_months"},
	} {
		resp, body := sup.do("POST", "/api/v1/products", bad.body)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"location":"`+bad.location+`"`) {
			t.Errorf("product %v: %d %s, want 422 on %s", bad.body, resp.StatusCode, body, bad.location)
		}
	}
	resp, body = sup.do("POST", "/api/v1/products", with("support_priority", "high"))
	var product resource.Product
	mustJSON(t, body, &product)
	if resp.StatusCode != http.StatusCreated || product.SupportPlan != "Premium 24/7" {
		t.Fatalf("create product: %d %s", resp.StatusCode, body)
	}
	resp, body = sup.do("PUT", fmt.Sprintf("/api/v1/products/%d", product.ID), pbx)
	mustJSON(t, body, &product)
	if resp.StatusCode != 200 || product.SupportPriority != "critical" || product.SupportPlanID == nil || *product.SupportPlanID != plan.ID {
		t.Fatalf("update product: %d %s", resp.StatusCode, body)
	}

	wh := resource.Warehouse{Code: "MSK", Name: "Moscow"}
	if err := e.store.Stock.CreateWarehouse(ctx, &wh); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Stock.Receive(ctx, resource.ReceiptInput{ProductID: product.ID, WarehouseID: wh.ID, Batch: "B1", Qty: 5, UnitCost: 100,
		At: time.Now().AddDate(-2, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	current, lapsed, stranger := e.newClient("Supported buyer", ""), e.newClient("Old buyer", ""), e.newClient("Not a buyer", "")
	resp, body = sup.do("POST", "/api/v1/stock/shipments", map[string]any{"product_id": product.ID, "warehouse_id": wh.ID, "qty": 1, "client_id": current.ID})
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		t.Fatalf("ship: %d %s", resp.StatusCode, body)
	}
	if _, err := e.store.Stock.Ship(ctx, resource.OutInput{ProductID: product.ID, WarehouseID: wh.ID, Qty: 1, ClientID: &lapsed.ID,
		At: time.Now().AddDate(0, -13, 0)}); err != nil {
		t.Fatal(err)
	}

	open := func(c crm.Client) (httpapi.TicketJSON, string) {
		t.Helper()
		resp, body := sup.do("POST", "/api/v1/tickets", map[string]any{"client_id": c.ID, "subject": "PBX down", "product_id": product.ID})
		var tk httpapi.TicketJSON
		mustJSON(t, body, &tk)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("ticket for %s: %d %s", c.Name, resp.StatusCode, body)
		}
		resp, body = sup.do("GET", fmt.Sprintf("/api/v1/tickets/%d/thread", tk.ID), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var th struct{ Events []httpapi.EventJSON }
		mustJSON(t, body, &th)
		for _, ev := range th.Events {
			if ev.Kind == "support" {
				return tk, ev.Body
			}
		}
		return tk, ""
	}
	tk, note := open(current)
	if tk.Priority != "critical" || tk.PlanID == nil || *tk.PlanID != plan.ID || tk.ResponseDue == nil || tk.ResolveDue == nil ||
		!tk.ResponseDue.Equal(tk.CreatedAt.Add(15*time.Minute)) || !tk.ResolveDue.Equal(tk.CreatedAt.Add(2*time.Hour)) {
		t.Fatalf("request under support: %+v; want critical on plan %d, due in 15 minutes and 2 hours", tk, plan.ID)
	}
	if !strings.HasPrefix(note, `priority critical and SLA plan "Premium 24/7" from support of PBX appliance until `) {
		t.Fatalf("history of the request under support: %q", note)
	}
	tk, note = open(lapsed)
	if tk.Priority != "normal" || *tk.PlanID != standard || !strings.Contains(note, "support of PBX appliance ended on") {
		t.Fatalf("request after support ended: %s on plan %d, note %q; want normal on the default plan %d", tk.Priority, *tk.PlanID, note, standard)
	}
	if tk, note = open(stranger); tk.Priority != "normal" || *tk.PlanID != standard || note != "" {
		t.Fatalf("request about a product never bought: %s on plan %d, note %q", tk.Priority, *tk.PlanID, note)
	}
	resp, body = sup.do("POST", "/api/v1/tickets", map[string]any{"client_id": current.ID, "subject": "What is this", "product_id": 987654})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "body.product_id") {
		t.Fatalf("request about an unknown product: %d %s", resp.StatusCode, body)
	}

	for c, active := range map[int64]bool{current.ID: true, lapsed.ID: false} {
		resp, body = sup.do("GET", fmt.Sprintf("/api/v1/clients/%d/products", c), nil)
		var out struct {
			Products []httpapi.PurchasedProductJSON
		}
		mustJSON(t, body, &out)
		if resp.StatusCode != 200 || len(out.Products) != 1 || out.Products[0].SupportActive != active ||
			out.Products[0].SupportPriority != "critical" || out.Products[0].ID != product.ID {
			t.Errorf("client %d products: %d %s; want support active=%v", c, resp.StatusCode, body, active)
		}
	}
}
