package demo_test

import (
	"context"
	"fmt"
	"testing"

	"hotline/crm/demo"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
)

var _ demo.ResourceStore = (*postgres.Store)(nil)

func TestSeedResources(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	if _, err := demo.Seed(ctx, s, demo.Options{Clients: 20, HashPassword: fastHash}); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedResources(ctx, s, now); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedResources(ctx, s, now); err != nil { // second run: nothing to do
		t.Fatal(err)
	}
	ivan, _ := s.FindClientsByPhone(ctx, demo.CallerNumber)
	bought, err := s.PurchasedProducts(ctx, ivan[0].ID, 5)
	if err != nil || len(bought) != 2 {
		t.Fatalf("purchases %+v %v", bought, err)
	}
	if err := s.CheckStockLedger(ctx); err != nil {
		t.Fatal(err)
	}
	prods, _ := s.ListProducts(ctx, "T46", 5)
	av, err := s.Availability(ctx, prods[0].ID, 60)
	if err != nil || av.FreeNow != 55 || av.InStock || len(av.Incoming) != 1 {
		t.Fatalf("availability %+v %v", av, err)
	}
	agent3 := resource.Reader{UserID: 6, Role: "agent"}
	docs, err := s.ListDocuments(ctx, agent3, postgres.DocumentFilter{})
	if err != nil || len(docs) != 1 || docs[0].Category != resource.DocTemplate {
		t.Fatalf("agent3 sees %+v %v", docs, err)
	}
	// agent1 is in the Sales team: its call script too, writable.
	teams, err := s.ListTeams(ctx)
	if err != nil || len(teams) != 1 || teams[0].Name != "Sales" || fmt.Sprint(teams[0].Members) != "[4 5]" || teams[0].LeadID == nil || *teams[0].LeadID != 2 {
		t.Fatalf("teams %+v %v", teams, err)
	}
	docs, err = s.ListDocuments(ctx, resource.Reader{UserID: 4, Role: "agent"}, postgres.DocumentFilter{Query: "script"})
	if err != nil || len(docs) != 1 || docs[0].Title != "Sales call script" || !docs[0].CanWrite {
		t.Fatalf("agent1 finds %+v %v", docs, err)
	}
}
