package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/service"
)

// TestTimelineHidesRequestsTheAgentCannotSee: a request the agent gets
// 404 on does not show its subject on the client's timeline; supervisors
// see it.
func TestTimelineHidesRequestsTheAgentCannotSee(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.newClient("Timeline client", "")
	sup := e.users[crm.RoleSupervisor].ID
	tk := service.Ticket{ClientID: c.ID, Subject: "Confidential complaint", CreatedBy: &sup}
	if err := e.store.Tickets.CreateTicket(context.Background(), &tk); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/clients/%d/timeline", c.ID)
	if _, body := e.login(crm.RoleSupervisor).do("GET", path, nil); !strings.Contains(string(body), "Confidential complaint") {
		t.Fatalf("the supervisor does not see the request on the timeline: %s", body)
	}
	if resp, body := e.login(crm.RoleAgent).do("GET", path, nil); resp.StatusCode != 200 || strings.Contains(string(body), "Confidential") {
		t.Fatalf("the agent sees a request they may not open: %d %s", resp.StatusCode, body)
	}
}

// TestAgentsDoNotSeeUnitCosts: lots, movements and reservations answer
// agents without purchase costs; supervisors get them.
func TestAgentsDoNotSeeUnitCosts(t *testing.T) {
	t.Parallel()
	e := newResourceEnv(t)
	f := newStockFixture(t, e)
	r := f.reservation(t)
	agent, sup := e.login(crm.RoleAgent), e.login(crm.RoleSupervisor)
	for _, path := range []string{
		fmt.Sprintf("/api/v1/stock?product_id=%d", f.product.ID),
		fmt.Sprintf("/api/v1/stock/movements?product_id=%d", f.product.ID),
		fmt.Sprintf("/api/v1/reservations/%d", r.ID),
	} {
		if resp, body := agent.do("GET", path, nil); resp.StatusCode != 200 || strings.Contains(string(body), "unit_cost") {
			t.Errorf("agent %s: %d %s", path, resp.StatusCode, body)
		}
		if resp, body := sup.do("GET", path, nil); resp.StatusCode != 200 || !strings.Contains(string(body), `"unit_cost":300000`) {
			t.Errorf("supervisor %s: %d %s", path, resp.StatusCode, body)
		}
	}
}
