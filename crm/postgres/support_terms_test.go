package postgres_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// premiumPlan is a 24/7 SLA plan answering critical requests in 15 minutes.
func premiumPlan(t *testing.T, e *stockEnv) service.SLAPlan {
	t.Helper()
	p := service.StandardPlan()
	p.Name, p.Default = e.prefix+" Premium 24/7", false
	allDay := []service.Span{{From: 0, To: 24 * 60}}
	p.Hours = service.WeekHours{allDay, allDay, allDay, allDay, allDay, allDay, allDay}
	p.Targets[service.PriorityCritical] = service.Target{ResponseMinutes: 15, ResolutionMinutes: 120}
	if err := e.st.SLA.SaveSLAPlan(e.ctx, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSupportTerms: a client's support of a product runs for its support
// months from the latest shipment to that client (bought twice: the later
// one counts), ends (expired terms are returned, inactive), and is absent
// for a product never bought by the client or sold without support; the
// terms give a new ticket its priority, SLA plan and a history line, and
// the card's product list says whether support is active.
func TestSupportTerms(t *testing.T) {
	t.Parallel()
	e := newStockEnv(t, pgtest.NewDSN(t))
	plan := premiumPlan(t, e)
	wh := e.warehouse("SUP")
	now := e.clk.Now()
	pbx := resource.Product{SKU: e.prefix + "PBX", Name: "PBX appliance", Support: "24/7, 4h response", SupportMonths: 12,
		SupportPriority: service.PriorityCritical, SupportPlanID: &plan.ID}
	cable := resource.Product{SKU: e.prefix + "CABLE", Name: "Cable box"}
	for _, p := range []*resource.Product{&pbx, &cable} {
		if err := e.st.Stock.CreateProduct(e.ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if pbx.SupportPlan != plan.Name {
		t.Fatalf("created product's plan name %q, want %q", pbx.SupportPlan, plan.Name)
	}
	twice, expired, never := e.newClient("Bought twice"), e.newClient("Bought long ago"), e.newClient("Never bought")
	ship := func(product, client int64, at time.Time) {
		t.Helper()
		if _, err := e.st.Stock.Ship(e.ctx, resource.OutInput{ProductID: product, WarehouseID: wh, Qty: 1, ClientID: &client, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	// Backdated shipments need goods received before them.
	for _, p := range []int64{pbx.ID, cable.ID} {
		if _, err := e.st.Stock.Receive(e.ctx, resource.ReceiptInput{ProductID: p, WarehouseID: wh, Batch: "OLD", Qty: 5, UnitCost: 90,
			At: now.AddDate(-2, 0, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	first, latest := now.AddDate(0, -13, 0), now.AddDate(0, -2, 0)
	ship(pbx.ID, twice, first)
	ship(pbx.ID, twice, latest)
	ship(pbx.ID, expired, now.AddDate(0, -14, 0))
	ship(cable.ID, twice, latest)

	got, err := e.st.SLA.SupportTerms(e.ctx, twice, pbx.ID)
	if err != nil || got == nil {
		t.Fatalf("bought twice: %+v, %v", got, err)
	}
	if !got.Bought.Equal(latest) || !got.Until.Equal(latest.AddDate(1, 0, 0)) || got.Priority != service.PriorityCritical ||
		got.PlanID == nil || *got.PlanID != plan.ID || got.Product != pbx.Name || !got.Active(now) {
		t.Fatalf("bought twice: terms %+v, want the later purchase + 12 months, critical, plan %d", got, plan.ID)
	}
	old2, err := e.st.SLA.SupportTerms(e.ctx, expired, pbx.ID)
	if err != nil || old2 == nil || old2.Active(now) || !old2.Until.Equal(now.AddDate(0, -14, 0).AddDate(1, 0, 0)) {
		t.Fatalf("bought 14 months ago: %+v, %v; want terms ended 2 months ago", old2, err)
	}
	for name, c := range map[string]struct{ client, product int64 }{
		"never bought":      {never, pbx.ID},
		"no support months": {twice, cable.ID},
	} {
		if got, err := e.st.SLA.SupportTerms(e.ctx, c.client, c.product); err != nil || got != nil {
			t.Errorf("%s: %+v, %v; want no terms", name, got, err)
		}
	}
	if _, err := e.st.SLA.SupportTerms(e.ctx, twice, 987654); !crm.IsKind(err, crm.KindInvalid) || !strings.Contains(err.Error(), "product_id") {
		t.Errorf("unknown product: %v, want a product_id field error", err)
	}

	t.Run("tickets", func(t *testing.T) { checkTicketsUnderTerms(t, e, plan, pbx, twice, expired) })

	cards, err := e.st.Stock.PurchasedProducts(e.ctx, twice, 5)
	if err != nil || len(cards) != 2 {
		t.Fatalf("card products of the double buyer: %+v, %v", cards, err)
	}
	for _, c := range cards {
		switch c.Name {
		case pbx.Name:
			if !c.SupportActive || c.SupportPriority != "critical" || !c.PurchasedAt.Equal(latest) || c.ID != pbx.ID {
				t.Errorf("PBX on the card: %+v, want active critical support from the later purchase", c)
			}
		case cable.Name:
			if c.SupportActive || !c.SupportUntil.IsZero() || c.Support != "no support contract" {
				t.Errorf("cable on the card: %+v, want no support", c)
			}
		}
	}
	cards, err = e.st.Stock.PurchasedProducts(e.ctx, expired, 5)
	if err != nil || len(cards) != 1 || cards[0].SupportActive || cards[0].SupportUntil.After(now) {
		t.Fatalf("card products of the old buyer: %+v, %v; want expired support", cards, err)
	}
}

// checkTicketsUnderTerms opens tickets with the terms the desk would pass.
func checkTicketsUnderTerms(t *testing.T, e *stockEnv, plan service.SLAPlan, pbx resource.Product, current, expired int64) {
	open := func(client int64, edit func(*service.Ticket)) (service.Ticket, []service.Event) {
		t.Helper()
		terms, err := e.st.SLA.SupportTerms(e.ctx, client, pbx.ID)
		if err != nil {
			t.Fatal(err)
		}
		tk := service.Ticket{ClientID: client, ProductID: &pbx.ID, Subject: "PBX down", Terms: terms}
		if edit != nil {
			edit(&tk)
		}
		if err := e.st.Tickets.CreateTicket(e.ctx, &tk); err != nil {
			t.Fatal(err)
		}
		events, err := e.st.Tickets.Thread(e.ctx, tk.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		return tk, events
	}
	note := func(events []service.Event) string {
		for _, ev := range events {
			if ev.Kind == service.EventSupport {
				return ev.Body
			}
		}
		return ""
	}
	tk, events := open(current, nil)
	until := tk.Terms.Until.Format(time.DateOnly)
	if tk.Priority != service.PriorityCritical || *tk.PlanID != plan.ID ||
		!tk.SLA.ResponseDue.Equal(tk.CreatedAt.Add(15*time.Minute)) || !tk.SLA.ResolveDue.Equal(tk.CreatedAt.Add(2*time.Hour)) {
		t.Fatalf("ticket under support: %s, plan %d, due %v / %v; want critical on plan %d, due in 15 min / 2 h",
			tk.Priority, *tk.PlanID, tk.SLA.ResponseDue, tk.SLA.ResolveDue, plan.ID)
	}
	want := `priority critical and SLA plan "` + plan.Name + `" from support of PBX appliance until ` + until
	if got := note(events); got != want {
		t.Fatalf("history line %q, want %q", got, want)
	}
	// Set by hand: the terms decide nothing, the history still says the product is supported.
	tk, events = open(current, func(tk *service.Ticket) { tk.Priority = service.PriorityLow })
	if tk.Priority != service.PriorityLow || *tk.PlanID != plan.ID || !strings.HasPrefix(note(events), `SLA plan "`) {
		t.Fatalf("priority set by hand: %s, plan %d, note %q", tk.Priority, *tk.PlanID, note(events))
	}
	tk, events = open(expired, nil)
	def, err := e.st.SLA.ListSLAPlans(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var standard int64
	for _, p := range def {
		if p.Default {
			standard = p.ID
		}
	}
	if tk.Priority != service.PriorityNormal || *tk.PlanID != standard || !strings.Contains(note(events), "ended on") {
		t.Fatalf("ticket after support ended: %s, plan %d, note %q; want normal on the default plan", tk.Priority, *tk.PlanID, note(events))
	}
	if _, events := open(current, func(tk *service.Ticket) { tk.Terms = nil }); note(events) != "" {
		t.Fatalf("ticket without terms got a support line: %q", note(events))
	}
}

// TestProductSupportFields: a product's support priority and SLA plan are
// validated with field errors, read back with the plan's name, and a
// deleted plan leaves the product without one.
func TestProductSupportFields(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDSN(t)
	e := newStockEnv(t, dsn)
	plan := premiumPlan(t, e)
	missing := int64(987654)
	for _, c := range []struct {
		name  string
		p     resource.Product
		field string
	}{
		{"unknown priority", resource.Product{SupportMonths: 12, SupportPriority: "urgent"}, "support_priority"},
		{"unknown plan", resource.Product{SupportMonths: 12, SupportPlanID: &missing}, "support_plan_id"},
		{"priority without months", resource.Product{SupportPriority: service.PriorityHigh}, "support_months"},
	} {
		c.p.SKU, c.p.Name = e.prefix+"BAD", "Bad"
		err := e.st.Stock.CreateProduct(e.ctx, &c.p)
		var ce *crm.Error
		if !errors.As(err, &ce) || ce.Kind != crm.KindInvalid || ce.Field != c.field {
			t.Errorf("%s: %v, want an invalid %s", c.name, err, c.field)
		}
	}
	p := resource.Product{SKU: e.prefix + "PHONE", Name: "Phone", SupportMonths: 24, SupportPriority: " Normal "}
	if err := e.st.Stock.CreateProduct(e.ctx, &p); err != nil {
		t.Fatal(err)
	}
	p.SupportPlanID, p.SupportPriority = &plan.ID, service.PriorityHigh
	if err := e.st.Stock.UpdateProduct(e.ctx, &p); err != nil || p.SupportPlan != plan.Name {
		t.Fatalf("update: %v, plan name %q", err, p.SupportPlan)
	}
	got, err := e.st.Stock.GetProduct(e.ctx, p.ID)
	if err != nil || got.SupportPriority != service.PriorityHigh || got.SupportPlanID == nil || *got.SupportPlanID != plan.ID || got.SupportPlan != plan.Name {
		t.Fatalf("read back %+v, %v", got, err)
	}
	conn, err := pgx.Connect(e.ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(e.ctx)
	if _, err := conn.Exec(e.ctx, `DELETE FROM sla_plans WHERE id = $1`, plan.ID); err != nil {
		t.Fatal(err)
	}
	list, err := e.st.Stock.ListProducts(e.ctx, e.prefix+"PHONE", 5)
	if err != nil || len(list) != 1 || list[0].SupportPlanID != nil || list[0].SupportPlan != "" || list[0].SupportPriority != service.PriorityHigh {
		t.Fatalf("after deleting the plan: %+v, %v; want no plan, priority kept", list, err)
	}
}
