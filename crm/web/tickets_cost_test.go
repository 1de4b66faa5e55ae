package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// costTicket is a request assigned to the site's agent and a router
// product, for the cost tests.
func costTicket(t *testing.T, s *callSite) (service.Ticket, resource.Product) {
	t.Helper()
	ctx := context.Background()
	agentID := s.userID("agent")
	tk := service.Ticket{ClientID: s.client, Subject: "Настроить роутер", AssigneeID: &agentID}
	if err := s.store.Tickets.CreateTicket(ctx, &tk); err != nil {
		t.Fatal(err)
	}
	p := resource.Product{SKU: "RT-100", Name: "Роутер Кинетик", Unit: "pcs", Price: 450000}
	if err := s.store.Stock.CreateProduct(ctx, &p); err != nil {
		t.Fatal(err)
	}
	for role, rate := range map[crm.Role]int64{crm.RoleAgent: 1200_00, crm.RoleSupervisor: 1800_00} {
		if err := s.store.Tickets.SetRoleRate(ctx, role, rate); err != nil {
			t.Fatal(err)
		}
	}
	return tk, p
}

func TestRequestCosts(t *testing.T) {
	t.Parallel()
	s := newCallSite(t)
	tk, router := costTicket(t, s)
	page := "/tickets/" + strconv.FormatInt(tk.ID, 10)
	ag := s.browser()
	csrf := ag.login("agent")
	post := func(path string, v url.Values) (*http.Response, string) {
		v.Set("csrf_token", csrf)
		return ag.post(page+path, v)
	}
	if resp, _ := post("/work", url.Values{"minutes": {"30"}, "note": {"настройка"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("log work: %d", resp.StatusCode)
	}
	sup2 := strconv.FormatInt(s.userID("agent2"), 10)
	if resp, _ := post("/work", url.Values{"minutes": {"30"}, "user_id": {sup2}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an agent logs another's work: %d", resp.StatusCode)
	}
	if resp, body := post("/work", url.Values{"minutes": {"0"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "целое число минут") {
		t.Errorf("zero minutes: %d", resp.StatusCode)
	}
	// The product found by the typed text, two at 4 500,50 typed the Russian way.
	if resp, _ := post("/materials", url.Values{"product_q": {"RT-100"}, "quantity": {"2"}, "price": {"4 500,50"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add material: %d", resp.StatusCode)
	}
	if resp, body := post("/materials", url.Values{"product_q": {"кабель"}, "quantity": {"1"}, "price": {"много"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Цена — сумма в рублях") {
		t.Errorf("a bad price: %d", resp.StatusCode)
	}
	c, err := s.store.Tickets.TicketCost(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Work) != 1 || c.Work[0].Cost != 600_00 || len(c.Materials) != 1 || c.Materials[0].Amount != 9001_00 ||
		c.Materials[0].ProductID == nil || *c.Materials[0].ProductID != router.ID {
		t.Fatalf("stored costs %+v", c)
	}
	_, body := ag.get(page)
	for _, want := range []string{`id="costs"`, "9\u00a0601,00\u00a0₽", "30 минут", "RT-100 Роутер Кинетик", "Алексей Оператор"} {
		if !strings.Contains(body, want) {
			t.Errorf("the request page lacks %q", want)
		}
	}
	// Another agent cannot log on a request they cannot see.
	ag2 := s.browser()
	csrf2 := ag2.login("agent2")
	if resp, _ := ag2.post(page+"/work", url.Values{"csrf_token": {csrf2}, "minutes": {"5"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("agent2 logs on another's request: %d", resp.StatusCode)
	}
	// A supervisor logs an agent's work.
	sup := s.browser()
	scsrf := sup.login("sup")
	if resp, _ := sup.post(page+"/work", url.Values{"csrf_token": {scsrf}, "minutes": {"60"}, "user_id": {sup2}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("supervisor logs agent2's work: %d", resp.StatusCode)
	}
	if c, _ := s.store.Tickets.TicketCost(context.Background(), tk.ID); len(c.Work) != 2 || c.Work[1].UserName != "Борис Оператор" {
		t.Errorf("after the supervisor: %+v", c.Work)
	}
}

func TestHourlyRateOnAdminUserPage(t *testing.T) {
	t.Parallel()
	s := newCallSite(t)
	id := s.userID("agent")
	path := "/admin/users/" + strconv.FormatInt(id, 10)
	sup := s.browser()
	scsrf := sup.login("sup")
	if resp, _ := sup.post(path+"/rate", url.Values{"csrf_token": {scsrf}, "hourly_rate": {"1 500"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a supervisor sets a rate: %d", resp.StatusCode)
	}
	ad := s.browser()
	csrf := ad.login("admin")
	if resp, _ := ad.post(path+"/rate", url.Values{"csrf_token": {csrf}, "hourly_rate": {"минус"}}); resp.StatusCode != http.StatusSeeOther ||
		!strings.Contains(resp.Header.Get("Location"), "rate_error=1") {
		t.Errorf("a bad rate: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if r, _ := s.store.Tickets.UserRate(context.Background(), id); r != nil {
		t.Errorf("a bad rate was stored: %v", *r)
	}
	if resp, _ := ad.post(path+"/rate", url.Values{"csrf_token": {csrf}, "hourly_rate": {"1 500,50"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set rate: %d", resp.StatusCode)
	}
	if r, _ := s.store.Tickets.UserRate(context.Background(), id); r == nil || *r != 1500_50 {
		t.Errorf("stored rate %v", r)
	}
	_, body := ad.get(path)
	if !strings.Contains(body, "id=\"hourly-rate\" inputmode=\"decimal\" value=\"1\u00a0500,50\"") {
		t.Error("the admin's user page does not show the rate")
	}
	if resp, _ := ad.post(path+"/rate", url.Values{"csrf_token": {csrf}, "hourly_rate": {""}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("clear rate: %d", resp.StatusCode)
	}
	if r, _ := s.store.Tickets.UserRate(context.Background(), id); r != nil {
		t.Errorf("the rate was not cleared: %v", *r)
	}
}
