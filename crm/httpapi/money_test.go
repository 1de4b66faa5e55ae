package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/resource"
)

func moneySamples(f *stockFixture) map[string]sample {
	fixed := func(path string, body func() any) sample {
		return func(*testing.T, *env) (string, any) {
			if body == nil {
				return path, nil
			}
			return path, body()
		}
	}
	period := "?from=2026-01-01&to=2026-12-31"
	campaign := func(t *testing.T, e *env) int64 {
		c := resource.MarketingCampaign{Name: fmt.Sprintf("Campaign %d", seq.Add(1))}
		if err := e.store.Money.CreateMarketingCampaign(t.Context(), &c); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	return map[string]sample{
		"add-transaction": fixed("/api/v1/transactions", func() any {
			return map[string]any{"direction": "income", "amount": 12345, "category": "sale", "client_id": f.clientID, "product_id": f.product.ID}
		}),
		"list-transactions": fixed(fmt.Sprintf("/api/v1/transactions?client_id=%d", f.clientID), nil),
		"create-marketing-campaign": fixed("/api/v1/marketing-campaigns", func() any {
			return map[string]any{"name": fmt.Sprintf("Mailing %d", seq.Add(1)), "channel": "email"}
		}),
		"list-marketing-campaigns": fixed("/api/v1/marketing-campaigns", nil),
		"add-campaign-lead": func(t *testing.T, e *env) (string, any) {
			return fmt.Sprintf("/api/v1/marketing-campaigns/%d/leads", campaign(t, e)), map[string]any{"client_id": f.clientID, "won": true}
		},
		"report-client-profit":  fixed("/api/v1/reports/profit/clients"+period, nil),
		"export-client-profit":  fixed("/api/v1/reports/profit/clients.csv"+period, nil),
		"report-product-profit": fixed("/api/v1/reports/profit/products"+period, nil),
		"export-product-profit": fixed("/api/v1/reports/profit/products.csv"+period, nil),
		"report-marketing":      fixed("/api/v1/reports/marketing"+period, nil),
		"export-marketing":      fixed("/api/v1/reports/marketing.csv"+period, nil),
		"report-service-costs":  fixed("/api/v1/reports/service-costs"+period+"&currency=RUB", nil),
	}
}

func TestMoneyAPI(t *testing.T) {
	t.Parallel()
	e := newResourceEnv(t)
	f := newStockFixture(t, e)
	sup := e.login(crm.RoleSupervisor)
	if _, err := e.store.Stock.Ship(t.Context(), resource.OutInput{ProductID: f.product.ID, WarehouseID: f.wh1, Qty: 2, ClientID: &f.clientID}); err != nil {
		t.Fatal(err)
	}
	resp, body := sup.do("POST", "/api/v1/transactions", map[string]any{"direction": "income", "amount": 1000000, "category": "sale",
		"client_id": f.clientID, "at": time.Now()})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("add: %d %s", resp.StatusCode, body)
	}
	from, to := time.Now().AddDate(0, 0, -1).Format(time.DateOnly), time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	resp, body = sup.do("GET", "/api/v1/reports/profit/clients.csv?from="+from+"&to="+to, nil)
	// 2 units of the 3000.00 lot shipped: 10000.00 - 6000.00 = 4000.00
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(string(body), fmt.Sprintf("%d,Stock client,2,10000.00,6000.00,0.00,4000.00", f.clientID)) {
		t.Fatalf("csv: %d %s", resp.StatusCode, body)
	}
	for _, b := range []struct {
		path   string
		body   any
		status int
		text   string
	}{
		{"/api/v1/transactions", map[string]any{"direction": "gift", "amount": 1, "category": "sale", "client_id": f.clientID}, 422, "direction"},
		{"/api/v1/transactions", map[string]any{"direction": "income", "amount": 1, "category": "sale"}, 422, "client_id"},
		{"/api/v1/transactions", map[string]any{"direction": "income", "amount": 1, "category": "-sale", "client_id": f.clientID}, 422, "category"},
		{"/api/v1/transactions", map[string]any{"direction": "income", "amount": 1, "category": "sale", "currency": "rubles", "client_id": f.clientID}, 422, "currency"},
		{"/api/v1/transactions", map[string]any{"direction": "income", "amount": 1, "category": "sale", "client_id": 987654}, 422, "client_id"},
	} {
		resp, body := sup.do("POST", b.path, b.body)
		if resp.StatusCode != b.status || !strings.Contains(string(body), b.text) {
			t.Errorf("%v: %d %s, want %d mentioning %s", b.body, resp.StatusCode, body, b.status, b.text)
		}
	}
	for _, q := range []string{"?from=2026-05-01&to=2026-04-01", "?from=yesterday&to=2026-04-01", "?to=2026-04-01"} {
		if resp, body := sup.do("GET", "/api/v1/reports/profit/products"+q, nil); resp.StatusCode != 422 {
			t.Errorf("period %s: %d %s", q, resp.StatusCode, body)
		}
	}
}
