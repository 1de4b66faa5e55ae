package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/resource"
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
	bal, err := s.store.Stock.Balances(context.Background(), resource.BalanceFilter{ProductID: p.ID})
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

// TestStockPageReleaseChecksTheOwner: an agent cannot release from the
// page a reservation another user made.
func TestStockPageReleaseChecksTheOwner(t *testing.T) {
	t.Parallel()
	s, p, _ := stockSite(t)
	ctx := context.Background()
	admin, _, err := s.store.Users.GetUserByLogin(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	c := crm.Client{Name: "Reserved for"}
	if err := s.store.Clients.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	res, err := s.store.Stock.Reserve(ctx, resource.ReserveInput{ProductID: p.ID, Qty: 2, ClientID: &c.ID, TTL: time.Hour, UserID: admin.ID})
	if err != nil {
		t.Fatal(err)
	}
	agent := s.browser()
	csrf := agent.login("agent")
	resp, _ := agent.post("/stock/reservations/"+strconv.FormatInt(res.ID, 10)+"/release", url.Values{"csrf_token": {csrf}, "product_id": {strconv.FormatInt(p.ID, 10)}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "error=") {
		t.Fatalf("agent releases another's reservation: %d %s", resp.StatusCode, loc)
	}
	if got, err := s.store.Stock.GetReservation(ctx, res.ID); err != nil || got.State != resource.ReservationActive {
		t.Fatalf("reservation after the attempt: %+v %v", got, err)
	}
}

// TestStockPageHidesCostsFromAgents: the lots table shows unit costs to
// staff only.
func TestStockPageHidesCostsFromAgents(t *testing.T) {
	t.Parallel()
	s, p, _ := stockSite(t)
	path := "/stock?product_id=" + strconv.FormatInt(p.ID, 10)
	const unitCost = "<td class=\"num\">RUB\u00a01.00</td>" // 100 kopecks, in the page's language (English here)
	agent := s.browser()
	agent.login("agent")
	if _, body := agent.get(path); strings.Contains(body, "Unit cost") || strings.Contains(body, unitCost) {
		t.Errorf("the agent's stock page shows unit costs")
	}
	admin := s.browser()
	admin.login("admin")
	if _, body := admin.get(path); !strings.Contains(body, "Unit cost") || !strings.Contains(body, unitCost) {
		t.Errorf("the admin's stock page lacks unit costs")
	}
}
