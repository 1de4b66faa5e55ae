package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"hotline/crm/postgres"
)

// TestStockFormsBoundNumbers: the stock forms refuse quantities and costs
// beyond the bounds (an int64's largest value included) with an error, and
// store nothing; another agent's reservation cannot be released.
func TestStockFormsBoundNumbers(t *testing.T) {
	t.Parallel()
	s, p, wh := stockSite(t)
	admin := s.browser()
	csrf := admin.login("admin")
	pid, w := strconv.FormatInt(p.ID, 10), strconv.FormatInt(wh[0], 10)
	for _, f := range []url.Values{
		{"qty": {"9223372036854775807"}, "unit_cost": {"1"}},
		{"qty": {"1000000001"}, "unit_cost": {"1"}},
		{"qty": {"1"}, "unit_cost": {"9223372036854775807"}},
	} {
		f.Set("csrf_token", csrf)
		f.Set("product_id", pid)
		f.Set("warehouse_id", w)
		f.Set("batch", "HUGE")
		resp, _ := admin.post("/stock/receipts", f)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "error=") {
			t.Errorf("receipt %v: %d %s, want an error", f, resp.StatusCode, loc)
		}
	}
	bal, err := s.store.Balances(context.Background(), postgres.BalanceFilter{ProductID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(bal) != 1 || bal[0].OnHand != 10 {
		t.Fatalf("balances changed: %+v", bal)
	}
	resp, _ := admin.post("/stock/reservations", url.Values{"csrf_token": {csrf}, "product_id": {pid}, "qty": {"9223372036854775807"}, "client_id": {"1"}})
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "error=") {
		t.Errorf("huge reservation: %s", loc)
	}
}
