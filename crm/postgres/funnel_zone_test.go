package postgres_test

import (
	"context"
	"testing"
	"time"

	"hotline/crm/funnel"
	"hotline/crm/postgres/pgtest"
)

// TestFunnelFollowsCentreZone: a fresh funnel counts its months in the
// centre's zone, so a deal won at 22:30 UTC on 30 November (01:30 on
// 1 December in Moscow) is December's; an admin's own zone is kept.
func TestFunnelFollowsCentreZone(t *testing.T) {
	ctx := context.Background()
	s := pgtest.NewStore(t)
	if set, err := s.Funnel.FunnelSettings(ctx); err != nil || set.TimeZone != "UTC" {
		t.Fatalf("fresh settings %+v: %v", set, err)
	}
	f, err := s.Funnel.GetFunnel(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	owner := mustSalesperson(t, s, "sidorov", "Sidorov")
	d := funnel.Deal{ClientID: mustDealClient(t, s, "Client"), OwnerID: owner.ID, Amount: 5000_00}
	if err := s.Funnel.CreateDeal(ctx, &d, &owner.ID, time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	last := f.Stages[len(f.Stages)-1].ID
	won := time.Date(2026, 11, 30, 22, 30, 0, 0, time.UTC)
	if _, err := s.Funnel.MoveDeal(ctx, d.ID, last, nil, won); err != nil {
		t.Fatal(err)
	}
	lastActual := func(month int) int {
		t.Helper()
		rep, err := s.Funnel.FunnelReport(ctx, funnel.ReportQuery{Kind: funnel.Month, Date: funnel.Date{Year: 2026, Month: month, Day: 10}, Now: won})
		if err != nil {
			t.Fatal(err)
		}
		return rep.Stages[len(rep.Stages)-1].Actual
	}
	// Before following the centre: the UTC month is November.
	if nov, dec := lastActual(11), lastActual(12); nov != 1 || dec != 0 {
		t.Fatalf("UTC months: November %d, December %d", nov, dec)
	}
	moved, err := s.Funnel.FollowCentreZone(ctx, "Europe/Moscow")
	if err != nil || !moved {
		t.Fatalf("follow Moscow: %v, %v", moved, err)
	}
	if nov, dec := lastActual(11), lastActual(12); nov != 0 || dec != 1 {
		t.Errorf("Moscow months: November %d, December %d; want the win in December", nov, dec)
	}
	// A bad zone changes nothing.
	if _, err := s.Funnel.FollowCentreZone(ctx, "Mars/Base"); err == nil {
		t.Error("Mars/Base accepted")
	}
	// An admin's choice stands against the centre's zone.
	set := funnel.Settings{TimeZone: "Asia/Yekaterinburg"}
	if err := s.Funnel.SaveFunnelSettings(ctx, &set); err != nil {
		t.Fatal(err)
	}
	if moved, err := s.Funnel.FollowCentreZone(ctx, "Europe/Moscow"); err != nil || moved {
		t.Errorf("admin's zone overridden: %v, %v", moved, err)
	}
	if got, _ := s.Funnel.FunnelSettings(ctx); got.TimeZone != "Asia/Yekaterinburg" {
		t.Errorf("zone after restart = %q", got.TimeZone)
	}
}
