package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// TestUpdateTeam: a team gets a new name and a new lead, who joins its
// members (the old lead stays one); 0 removes the lead; an unknown or
// disabled lead, an empty name or a taken name are field errors that change
// nothing; an unknown team is not found.
func TestUpdateTeam(t *testing.T) {
	t.Parallel()
	e := newStockEnv(t, pgtest.NewDSN(t))
	user := func(name string, disabled bool) int64 {
		t.Helper()
		u := crm.User{Login: strings.ToLower(e.prefix) + name, Name: name, Role: crm.RoleAgent}
		if err := e.st.Users.CreateUser(e.ctx, &u, "x"); err != nil {
			t.Fatal(err)
		}
		if disabled {
			u.Disabled = true
			if err := e.st.Users.UpdateUser(e.ctx, &u); err != nil {
				t.Fatal(err)
			}
		}
		return u.ID
	}
	first, second, gone := user("first", false), user("second", false), user("gone", true)
	team := service.Team{Name: e.prefix + " Line 3", LeadID: &first, Members: []int64{first}}
	other := service.Team{Name: e.prefix + " Line 4"}
	for _, tm := range []*service.Team{&team, &other} {
		if err := e.st.Teams.CreateTeam(e.ctx, tm); err != nil {
			t.Fatal(err)
		}
	}
	name := " " + e.prefix + " Escalations "
	got, err := e.st.Teams.UpdateTeam(e.ctx, team.ID, service.TeamUpdate{Name: &name, LeadID: &second})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != strings.TrimSpace(name) || got.LeadID == nil || *got.LeadID != second ||
		!slices.Equal(got.Members, []int64{first, second}) {
		t.Fatalf("after the change: %+v, want the trimmed name, lead %d and both members", got, second)
	}
	none := int64(0)
	if got, err = e.st.Teams.UpdateTeam(e.ctx, team.ID, service.TeamUpdate{LeadID: &none}); err != nil || got.LeadID != nil ||
		got.Name != strings.TrimSpace(name) || len(got.Members) != 2 {
		t.Fatalf("lead removed: %+v, %v", got, err)
	}
	empty, taken, unknown := "  ", other.Name, int64(987654321)
	for label, c := range map[string]struct {
		u     service.TeamUpdate
		field string
	}{
		"unknown lead":  {service.TeamUpdate{LeadID: &unknown}, "lead_id"},
		"disabled lead": {service.TeamUpdate{LeadID: &gone}, "lead_id"},
		"empty name":    {service.TeamUpdate{Name: &empty, LeadID: &first}, "name"},
		"taken name":    {service.TeamUpdate{Name: &taken, LeadID: &first}, "name"},
	} {
		_, err := e.st.Teams.UpdateTeam(e.ctx, team.ID, c.u)
		var ce *crm.Error
		if !asError(err, &ce) || ce.Field != c.field || ce.Kind == crm.KindInternal {
			t.Errorf("%s: %v, want a %s field error", label, err, c.field)
		}
	}
	teams, err := e.st.Teams.ListTeams(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(teams, func(x service.Team) bool { return x.ID == team.ID })
	if i < 0 || teams[i].LeadID != nil || teams[i].Name != strings.TrimSpace(name) || len(teams[i].Members) != 2 {
		t.Errorf("after refused changes: %+v, want it as before them", teams[i])
	}
	if _, err := e.st.Teams.UpdateTeam(e.ctx, 987654321, service.TeamUpdate{Name: &taken}); !crm.IsKind(err, crm.KindNotFound) {
		t.Errorf("unknown team: %v, want not found", err)
	}
}

// TestSLAPlanUsage: a plan's usage lists the products whose support terms
// name it and counts its open tickets, not its resolved ones.
func TestSLAPlanUsage(t *testing.T) {
	t.Parallel()
	e := newStockEnv(t, pgtest.NewDSN(t))
	plan := premiumPlan(t, e)
	unused := premiumPlan2(t, e)
	var products []resource.Product
	for _, sku := range []string{"B-ROUTER", "A-PBX"} {
		p := resource.Product{SKU: e.prefix + sku, Name: sku + " appliance", SupportMonths: 12, SupportPlanID: &plan.ID}
		if err := e.st.Stock.CreateProduct(e.ctx, &p); err != nil {
			t.Fatal(err)
		}
		products = append(products, p)
	}
	var tickets []service.Ticket
	for i := range 3 {
		tk := service.Ticket{ClientID: e.client, Subject: fmt.Sprintf("Usage %d", i), PlanID: &plan.ID}
		if err := e.st.Tickets.CreateTicket(e.ctx, &tk); err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	resolved := service.StatusResolved
	if _, err := e.st.Tickets.UpdateTicket(e.ctx, tickets[0].ID, service.TicketUpdate{Status: &resolved}, nil); err != nil {
		t.Fatal(err)
	}
	usage, err := e.st.SLA.SLAPlanUsage(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	u := usage[plan.ID]
	if u.OpenTickets != 2 || len(u.Products) != 2 || u.Products[0].ID != products[1].ID || u.Products[1].SKU != products[0].SKU {
		t.Errorf("usage of the plan: %+v, want 2 open tickets and both products by name", u)
	}
	if u, ok := usage[unused.ID]; ok {
		t.Errorf("unused plan has usage %+v", u)
	}
}

// premiumPlan2 is another plan nothing uses.
func premiumPlan2(t *testing.T, e *stockEnv) service.SLAPlan {
	t.Helper()
	p := service.StandardPlan()
	p.Name, p.Default = e.prefix+" Unused", false
	if err := e.st.SLA.SaveSLAPlan(e.ctx, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDefaultSLAPlanKeepsItsFlag: the default plan cannot drop the flag by
// itself (tickets without a plan would have none); another plan taking it
// moves it.
func TestDefaultSLAPlanKeepsItsFlag(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	ctx := context.Background()
	plans, err := st.SLA.ListSLAPlans(ctx)
	if err != nil || len(plans) != 1 || !plans[0].Default {
		t.Fatalf("seeded plans: %+v, %v", plans, err)
	}
	std := plans[0]
	std.Default = false
	var ce *crm.Error
	if err := st.SLA.SaveSLAPlan(ctx, &std); !asError(err, &ce) || ce.Field != "default" {
		t.Fatalf("default plan dropping its flag: %v, want a default field error", err)
	}
	other := service.StandardPlan()
	other.Name = "Premium"
	if err := st.SLA.SaveSLAPlan(ctx, &other); err != nil {
		t.Fatal(err)
	}
	if err := st.SLA.SaveSLAPlan(ctx, &std); err != nil {
		t.Fatalf("former default saved without the flag: %v", err)
	}
	if got, err := st.SLA.GetSLAPlan(ctx, other.ID); err != nil || !got.Default {
		t.Fatalf("new default: %+v, %v", got, err)
	}
}
