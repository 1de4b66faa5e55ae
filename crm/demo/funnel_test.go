package demo_test

import (
	"context"
	"testing"
	"time"

	"hotline/crm/demo"
	"hotline/crm/funnel"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// funnelSeedDeps are s's services SeedFunnel uses.
func funnelSeedDeps(s *postgres.Services) demo.FunnelSeedDeps {
	return demo.FunnelSeedDeps{Users: s.Users, Clients: s.Clients, Funnels: s.Funnel, Deals: s.Funnel}
}

func TestSeedFunnel(t *testing.T) {
	ctx := context.Background()
	s := pgtest.NewStore(t)
	clock := func() time.Time { return now }
	if _, err := demo.Seed(ctx, s.Clients, demo.Staff{Users: s.Users, Teams: s.Teams}, demo.Options{Now: clock, HashPassword: fastHash, Clients: 60}); err != nil {
		t.Fatal(err)
	}
	n, err := demo.SeedFunnel(ctx, funnelSeedDeps(s), demo.FunnelOptions{Now: clock, AutoOpenDeals: true})
	if err != nil || n != demo.DefaultDeals {
		t.Fatalf("seeded %d deals: %v", n, err)
	}
	f, _ := s.Funnel.GetFunnel(ctx, 0)
	for _, st := range f.Stages {
		list, err := s.Funnel.ListDeals(ctx, funnel.DealFilter{StageID: st.ID, Limit: 500})
		if err != nil || len(list) == 0 {
			t.Errorf("no deals in stage %q (%v)", st.Name, err)
		}
	}
	statuses := map[funnel.Status]int{}
	all, _ := s.Funnel.ListDeals(ctx, funnel.DealFilter{Limit: 500})
	for _, d := range all {
		statuses[d.Status]++
	}
	if statuses[funnel.StatusOpen] == 0 || statuses[funnel.StatusWon] == 0 || statuses[funnel.StatusLost] == 0 {
		t.Errorf("statuses %v", statuses)
	}
	// This week has the seed's plan and some first contacts; agents have a share of it.
	r, err := s.Funnel.FunnelReport(ctx, funnel.ReportQuery{Kind: funnel.Week, Date: funnel.DateOf(now), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range demo.SeedPlan {
		if r.Stages[i].Plan == nil || *r.Stages[i].Plan != want {
			t.Errorf("stage %d plan %v, want %d", i+1, r.Stages[i].Plan, want)
		}
	}
	if r.Stages[0].Actual == 0 || len(r.People) == 0 || r.People[0].Stages[0].Plan == nil || r.Period.TimeZone != "Europe/Moscow" {
		t.Errorf("this week: %+v people %d", r.Stages[0], len(r.People))
	}
	if set, _ := s.Funnel.FunnelSettings(ctx); !set.AutoOpenDeals {
		t.Error("auto-open not turned on")
	}
	if n, err := demo.SeedFunnel(ctx, funnelSeedDeps(s), demo.FunnelOptions{Now: clock}); n != 0 || err != nil {
		t.Errorf("second seeding created %d deals: %v", n, err)
	}
}
