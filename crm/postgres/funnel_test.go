package postgres_test

import (
	"context"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/funnel"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

var msk = time.FixedZone("MSK", 3*3600)

// at is a Moscow wall-clock time in November 2026.
func at(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, msk) }

type funnelFixture struct {
	s              *postgres.Services
	f              funnel.Funnel
	ivanov, petrov crm.User
	d1, d2, d3, d4 funnel.Deal
	d5, d6         funnel.Deal
	stage          func(pos int) int64
	now            time.Time
}

func mustSalesperson(t *testing.T, s *postgres.Services, login, name string) crm.User {
	t.Helper()
	u := crm.User{Login: login, Name: name, Role: crm.RoleAgent}
	if err := s.Users.CreateUser(context.Background(), &u, "x"); err != nil {
		t.Fatal(err)
	}
	return u
}

func mustDealClient(t *testing.T, s *postgres.Services, name string) int64 {
	t.Helper()
	c := crm.Client{Kind: crm.ClientPerson, Name: name}
	if err := s.Clients.CreateClient(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func date(y, m, d int) *funnel.Date { return &funnel.Date{Year: y, Month: m, Day: d} }

// newFunnelFixture builds the deals of the hand-computed week 2026-W48
// (Moscow: Mon 23 Nov to Mon 30 Nov):
//
//	D1 ivanov: stage 1 on 23rd, skips to 3 on 24th, back to 2 on 25th, 3 again on 26th (open)
//	D2 ivanov: stage 1 on 30 Nov 00:30 Moscow = 29 Nov 21:30 UTC (next week in Moscow, this week in UTC)
//	D3 petrov: stage 1 on 25th 10:00, 2 at 12:00, skips to 5 on 27th, won
//	D4 petrov: stage 1 on 16th (last week), 2 on 24th (open)
//	D5 ivanov: stage 1 on 26th, lost
//	D6 petrov: stage 1 on 10th, straight to 5 on 12th, won (history only)
func newFunnelFixture(t *testing.T) *funnelFixture {
	t.Helper()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	fx := &funnelFixture{s: s, now: at(27, 12, 0)}
	set := funnel.Settings{TimeZone: "Europe/Moscow"}
	if err := s.Funnel.SaveFunnelSettings(ctx, &set); err != nil {
		t.Fatal(err)
	}
	f, err := s.Funnel.GetFunnel(ctx, 0)
	if err != nil || len(f.Stages) != 5 || f.Stages[0].Name != "First contact" {
		t.Fatalf("default funnel %+v: %v", f, err)
	}
	fx.f = f
	fx.stage = func(pos int) int64 { return f.Stages[pos-1].ID }
	fx.ivanov, fx.petrov = mustSalesperson(t, s, "ivanov", "Ivanov"), mustSalesperson(t, s, "petrov", "Petrov")
	deal := func(owner crm.User, created time.Time, expected *funnel.Date, amount funnel.Money) funnel.Deal {
		d := funnel.Deal{ClientID: mustDealClient(t, s, "Client of "+owner.Login), OwnerID: owner.ID, Amount: amount, ExpectedClose: expected}
		if err := s.Funnel.CreateDeal(ctx, &d, &owner.ID, created); err != nil {
			t.Fatal(err)
		}
		return d
	}
	move := func(d funnel.Deal, pos int, when time.Time) {
		if _, err := s.Funnel.MoveDeal(ctx, d.ID, fx.stage(pos), nil, when); err != nil {
			t.Fatalf("move deal %d to %d: %v", d.ID, pos, err)
		}
	}
	setStatus := func(d *funnel.Deal, st funnel.Status, reason string, when time.Time) {
		cur, _ := s.Funnel.GetDeal(ctx, d.ID)
		cur.Status, cur.LostReason = st, reason
		if err := s.Funnel.UpdateDeal(ctx, &cur, nil, when); err != nil {
			t.Fatal(err)
		}
		*d = cur
	}
	fx.d1 = deal(fx.ivanov, at(23, 9, 0), date(2026, 12, 1), 100000_00)
	move(fx.d1, 3, at(24, 10, 0))
	move(fx.d1, 2, at(25, 10, 0))
	move(fx.d1, 3, at(26, 10, 0))
	fx.d2 = deal(fx.ivanov, at(30, 0, 30), date(2026, 12, 2), 20000_00)
	fx.d3 = deal(fx.petrov, at(25, 10, 0), nil, 70000_00)
	move(fx.d3, 2, at(25, 12, 0))
	move(fx.d3, 5, at(27, 9, 0))
	setStatus(&fx.d3, funnel.StatusWon, "", at(27, 9, 5))
	fx.d4 = deal(fx.petrov, at(16, 11, 0), date(2026, 12, 3), 50000_00)
	move(fx.d4, 2, at(24, 11, 0))
	fx.d5 = deal(fx.ivanov, at(26, 15, 0), nil, 0)
	setStatus(&fx.d5, funnel.StatusLost, "no budget", at(26, 16, 0))
	fx.d6 = deal(fx.petrov, at(10, 11, 0), nil, 10_00)
	move(fx.d6, 5, at(12, 11, 0))
	setStatus(&fx.d6, funnel.StatusWon, "", at(12, 12, 0))
	return fx
}

func stageFigures(r funnel.Report) (actual []int, conv []any, colors []string) {
	for _, s := range r.Stages {
		actual = append(actual, s.Actual)
		colors = append(colors, s.Color)
		if s.Conversion != nil {
			conv = append(conv, *s.Conversion)
		} else {
			conv = append(conv, nil)
		}
	}
	return actual, conv, colors
}

func TestFunnelReportHandComputedWeek(t *testing.T) {
	fx := newFunnelFixture(t)
	ctx := context.Background()
	s := fx.s
	week := funnel.Date{Year: 2026, Month: 11, Day: 25}
	key := funnel.PlanKey{FunnelID: fx.f.ID, Kind: funnel.Week, Start: funnel.Date{Year: 2026, Month: 11, Day: 23}}
	if err := s.Funnel.SavePlan(ctx, key, map[int64]int{fx.stage(1): 4, fx.stage(2): 3, fx.stage(3): 2, fx.stage(4): 1, fx.stage(5): 2}); err != nil {
		t.Fatal(err)
	}
	r, err := s.Funnel.FunnelReport(ctx, funnel.ReportQuery{Kind: funnel.Week, Date: week, Now: fx.now})
	if err != nil {
		t.Fatal(err)
	}
	actual, conv, colors := stageFigures(r)
	// entries in Moscow: 1: D1 D3 D5; 2: D1 (skipped) D3 D4; 3: D1 D3 (skipped); 4: D3 (skipped); 5: D3
	assertEqual(t, "actual", actual, []int{3, 3, 2, 1, 1})
	// 1→2: D1 D3 of 3; 2→3: D1 D3 of D1 D3 D4; 3→4: D3 of 2; 4→5: 1 of 1
	assertEqual(t, "conversion", conv, []any{66.7, 66.7, 50.0, 100.0, nil})
	// 3/4 = 75% amber, 3/3 green, 2/2 green, 1/1 green, 1/2 = 50% red
	assertEqual(t, "colours", colors, []string{"amber", "green", "green", "green", "red"})
	assertEqual(t, "open now", []int{r.Stages[0].OpenNow, r.Stages[1].OpenNow, r.Stages[2].OpenNow}, []int{1, 1, 1})
	if r.Period.Label != "2026-W48" || r.Period.Start != "2026-11-23" || r.Period.TimeZone != "Europe/Moscow" {
		t.Errorf("period %+v", r.Period)
	}
	people := map[string]funnel.PersonRow{}
	for _, p := range r.People {
		people[p.Name] = p
	}
	iv, pe := people["Ivanov"], people["Petrov"]
	// Ivanov: 1→2 is 1 of 2 = 50% < 66.7% (worse); 2→3 100%; 3→4 0% < 50% (worse)
	if iv.Stages[0].Actual != 2 || *iv.Stages[0].Conversion != 50 || !iv.Stages[0].WorseThanCompany ||
		*iv.Stages[1].Conversion != 100 || iv.Stages[1].WorseThanCompany || !iv.Stages[2].WorseThanCompany {
		t.Errorf("Ivanov %+v", iv.Stages)
	}
	// Petrov: 2→3 is D3 of D3 D4 = 50% (worse)
	if pe.Stages[1].Actual != 2 || *pe.Stages[1].Conversion != 50 || !pe.Stages[1].WorseThanCompany {
		t.Errorf("Petrov %+v", pe.Stages)
	}
	fc := r.Forecast
	// History (12 weeks before): first contacts D4 (reached 2) and D6 (reached 5): 50%;
	// 2 contracts planned → 4 first contacts. Coming week W49: D1 (stage 3, 100%) +
	// D4 (stage 2, 100%) + D2 (stage 1, 50%) = 2.5 closes, 100000 + 50000 + 10000 RUB.
	if fc.FirstToLast == nil || *fc.FirstToLast != 50 || fc.Target != 2 || fc.FirstContactsNeeded == nil || *fc.FirstContactsNeeded != 4 {
		t.Errorf("forecast rate %v target %d needed %v", fc.FirstToLast, fc.Target, fc.FirstContactsNeeded)
	}
	if fc.ExpectedCloses != 2.5 || len(fc.ExpectedAmounts) != 1 || fc.ExpectedAmounts[0].Amount != 160000_00 ||
		fc.ComingFrom != "2026-11-30" || fc.HistoryFrom != "2026-08-31" {
		t.Errorf("forecast closes %v amounts %+v coming %s history %s", fc.ExpectedCloses, fc.ExpectedAmounts, fc.ComingFrom, fc.HistoryFrom)
	}

	// The salesperson view: Ivanov's own entries against the company's.
	r, err = s.Funnel.FunnelReport(ctx, funnel.ReportQuery{Kind: funnel.Week, Date: week, OwnerID: fx.ivanov.ID, Now: fx.now})
	if err != nil {
		t.Fatal(err)
	}
	actual, _, _ = stageFigures(r)
	assertEqual(t, "ivanov actual", actual, []int{2, 1, 1, 0, 0})
	if r.Salesperson == nil || r.Salesperson.Name != "Ivanov" || !r.Stages[0].WorseThanCompany || r.Stages[1].WorseThanCompany {
		t.Errorf("ivanov report %+v %+v", r.Salesperson, r.Stages[:2])
	}
}

// In UTC the week also holds D2 (Sunday 29th 21:30 UTC). The report in a
// zone other than the settings' counts raw entries; after the settings move
// to UTC the rollup gives the same figures.
func TestFunnelReportTimeZoneBoundaries(t *testing.T) {
	fx := newFunnelFixture(t)
	ctx := context.Background()
	q := funnel.ReportQuery{Kind: funnel.Week, Date: funnel.Date{Year: 2026, Month: 11, Day: 25}, TimeZone: "UTC", Now: fx.now}
	raw, err := fx.s.Funnel.FunnelReport(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	actual, _, _ := stageFigures(raw)
	assertEqual(t, "utc actual", actual, []int{4, 3, 2, 1, 1})
	set := funnel.Settings{TimeZone: "UTC"}
	if err := fx.s.Funnel.SaveFunnelSettings(ctx, &set); err != nil {
		t.Fatal(err)
	}
	rolled, err := fx.s.Funnel.FunnelReport(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	actual2, conv2, _ := stageFigures(rolled)
	_, conv, _ := stageFigures(raw)
	assertEqual(t, "rollup actual", actual2, actual)
	assertEqual(t, "rollup conversion", conv2, conv)
	// Moscow's next week starts with D2.
	q.TimeZone, q.Date = "Europe/Moscow", funnel.Date{Year: 2026, Month: 11, Day: 30}
	next, err := fx.s.Funnel.FunnelReport(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if next.Stages[0].Actual != 1 || next.Period.Label != "2026-W49" {
		t.Errorf("Moscow W49: %+v", next.Stages[0])
	}
	if _, err := fx.s.Funnel.FunnelReport(ctx, funnel.ReportQuery{Kind: funnel.Week, Date: q.Date, TimeZone: "Mars/Base"}); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("bad zone: %v", err)
	}
}

func TestDealHistoryAndRules(t *testing.T) {
	fx := newFunnelFixture(t)
	ctx := context.Background()
	s := fx.s
	h, err := s.Funnel.StageHistory(ctx, fx.d1.ID)
	if err != nil || len(h) != 4 || h[0].FromStage != nil || *h[2].FromStage != fx.stage(3) || h[2].ToStage != fx.stage(2) {
		t.Fatalf("history %+v: %v", h, err)
	}
	// Won moved D3 nowhere new (already last); D6 was moved to 5 before winning: 2 changes each.
	if h, _ := s.Funnel.StageHistory(ctx, fx.d3.ID); len(h) != 3 {
		t.Errorf("D3 history %d changes", len(h))
	}
	// Winning from stage 2 moves the deal to the last stage and records it.
	d4, _ := s.Funnel.GetDeal(ctx, fx.d4.ID)
	d4.Status = funnel.StatusWon
	if err := s.Funnel.UpdateDeal(ctx, &d4, nil, at(28, 10, 0)); err != nil || d4.StageID != fx.stage(5) || d4.ClosedAt.IsZero() {
		t.Fatalf("win D4: %+v %v", d4, err)
	}
	if _, err := s.Funnel.MoveDeal(ctx, fx.d4.ID, fx.stage(1), nil, at(28, 11, 0)); !crm.IsKind(err, crm.KindConflict) {
		t.Errorf("moving a won deal: %v", err)
	}
	if _, err := s.Funnel.MoveDeal(ctx, fx.d1.ID, fx.stage(3), nil, at(28, 11, 0)); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("moving to the same stage: %v", err)
	}
	if _, err := s.Funnel.MoveDeal(ctx, fx.d1.ID, fx.stage(4), nil, at(20, 11, 0)); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("moving before the last change: %v", err)
	}
	other := funnel.Funnel{Name: "Service contracts", Stages: []funnel.Stage{{Name: "Lead"}, {Name: "Signed"}}}
	if err := s.Funnel.CreateFunnel(ctx, &other); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Funnel.MoveDeal(ctx, fx.d1.ID, other.Stages[1].ID, nil, at(28, 11, 0)); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("moving to another funnel's stage: %v", err)
	}
	if _, err := s.Funnel.MoveDeal(ctx, 999999, fx.stage(2), nil, at(28, 11, 0)); !crm.IsKind(err, crm.KindNotFound) {
		t.Errorf("moving a missing deal: %v", err)
	}
	bad := funnel.Deal{ClientID: 999999, OwnerID: fx.ivanov.ID}
	if err := s.Funnel.CreateDeal(ctx, &bad, nil, fx.now); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("deal for a missing client: %v", err)
	}
	// A stage with history cannot be removed; renaming and adding are fine.
	f := fx.f
	f.Stages = append(f.Stages[:1:1], f.Stages[2:]...)
	if err := s.Funnel.UpdateFunnel(ctx, &f); !crm.IsKind(err, crm.KindConflict) {
		t.Errorf("removing a used stage: %v", err)
	}
	list, _ := s.Funnel.ListDeals(ctx, funnel.DealFilter{OwnerID: fx.ivanov.ID})
	if len(list) != 3 {
		t.Errorf("Ivanov has %d deals, want 3", len(list))
	}
}

// Reordering stages recounts every entry by the new order.
func TestFunnelReorderRecounts(t *testing.T) {
	fx := newFunnelFixture(t)
	ctx := context.Background()
	f := fx.f
	f.Stages[1], f.Stages[2] = f.Stages[2], f.Stages[1] // needs analysis before presentation
	if err := fx.s.Funnel.UpdateFunnel(ctx, &f); err != nil {
		t.Fatal(err)
	}
	r, err := fx.s.Funnel.FunnelReport(ctx, funnel.ReportQuery{Kind: funnel.Week, Date: funnel.Date{Year: 2026, Month: 11, Day: 25}, Now: fx.now})
	if err != nil {
		t.Fatal(err)
	}
	actual, _, _ := stageFigures(r)
	// Now D1 (1 → analysis = pos 2 → presentation = pos 3) reaches pos 3 on the 25th;
	// D3 (1 → presentation = pos 3, skipping analysis) and D4 (→ pos 3) likewise.
	assertEqual(t, "reordered actual", actual, []int{3, 3, 3, 1, 1})
	if r.Stages[1].Name != "Needs analysis" {
		t.Errorf("stage 2 is %s", r.Stages[1].Name)
	}
}

func assertEqual[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s = %v, want %v", what, got, want)
			return
		}
	}
}
