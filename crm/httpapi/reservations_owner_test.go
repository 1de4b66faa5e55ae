package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/service"
)

// TestReservationsOfOtherAgents: an agent neither sees, reads nor releases
// another agent's reservation, and cannot reserve for a deal or request
// they cannot see; supervisors see all.
func TestReservationsOfOtherAgents(t *testing.T) {
	t.Parallel()
	e := newResourceEnv(t)
	f := newStockFixture(t, e)
	owner := e.login(crm.RoleAgent)
	other, err := auth.CreateUser(context.Background(), e.store.Users, crm.User{Login: "agent2", Role: crm.RoleAgent}, "pass-agent2-123")
	if err != nil {
		t.Fatal(err)
	}
	intruder := e.anon()
	if resp, body := intruder.do("POST", "/api/v1/auth/login", map[string]string{"login": other.Login, "password": "pass-agent2-123"}); resp.StatusCode != 200 {
		t.Fatalf("login agent2: %d %s", resp.StatusCode, body)
	}
	var csrf struct {
		CSRFToken string `json:"csrf_token"`
	}
	_, body := intruder.do("GET", "/api/v1/me", nil)
	mustJSON(t, body, &csrf)
	intruder.csrf = csrf.CSRFToken

	deal := e.agentDeal() // the first agent's
	me := e.users[crm.RoleAgent].ID
	tk := service.Ticket{ClientID: f.clientID, Subject: "Owner's request", AssigneeID: &me, CreatedBy: &me}
	if err := e.store.Tickets.CreateTicket(context.Background(), &tk); err != nil {
		t.Fatal(err)
	}
	reserve := func(c *client, extra map[string]any) (*http.Response, []byte) {
		b := map[string]any{"product_id": f.product.ID, "qty": 1, "client_id": f.clientID}
		for k, v := range extra {
			b[k] = v
		}
		return c.do("POST", "/api/v1/reservations", b)
	}
	resp, body := reserve(owner, map[string]any{"deal_id": deal.ID, "ticket_id": tk.ID})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("owner reserves for their deal: %d %s", resp.StatusCode, body)
	}
	var r struct{ ID int64 }
	mustJSON(t, body, &r)

	for name, extra := range map[string]map[string]any{"deal": {"deal_id": deal.ID}, "ticket": {"ticket_id": tk.ID}, "no such deal": {"deal_id": 1 << 40}} {
		if resp, body := reserve(intruder, extra); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("another agent reserves for the owner's %s: %d %s", name, resp.StatusCode, body)
		}
	}
	path := fmt.Sprintf("/api/v1/reservations/%d", r.ID)
	if resp, body := intruder.do("GET", path, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another agent reads it: %d %s", resp.StatusCode, body)
	}
	if resp, body := intruder.do("POST", path+"/release", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another agent releases it: %d %s", resp.StatusCode, body)
	}
	if _, body := intruder.do("GET", "/api/v1/reservations", nil); strings.Contains(string(body), fmt.Sprintf(`"id":%d,`, r.ID)) {
		t.Errorf("another agent lists it: %s", body)
	}
	if _, body := e.login(crm.RoleSupervisor).do("GET", "/api/v1/reservations", nil); !strings.Contains(string(body), fmt.Sprintf(`"id":%d,`, r.ID)) {
		t.Errorf("a supervisor does not list it: %s", body)
	}
	if resp, body := owner.do("GET", path, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("the owner reads it: %d %s", resp.StatusCode, body)
	}
	if resp, body := owner.do("POST", path+"/release", nil); resp.StatusCode/100 != 2 {
		t.Errorf("the owner releases it: %d %s", resp.StatusCode, body)
	}
}
