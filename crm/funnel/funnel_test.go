package funnel_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/funnel"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("no zone %s: %v", name, err)
	}
	return loc
}

func TestPeriodBoundariesInTimeZones(t *testing.T) {
	msk := mustLoc(t, "Europe/Moscow")
	ny := mustLoc(t, "America/New_York")
	for _, c := range []struct {
		name       string
		kind       funnel.PeriodKind
		at         time.Time
		loc        *time.Location
		start, end string // RFC 3339 instants
		label      string
	}{
		// Sunday 22:30 UTC is already Monday 01:30 in Moscow: next week there.
		{"week moscow", funnel.Week, time.Date(2026, 11, 29, 22, 30, 0, 0, time.UTC), msk,
			"2026-11-30T00:00:00+03:00", "2026-12-07T00:00:00+03:00", "2026-W49"},
		{"week utc", funnel.Week, time.Date(2026, 11, 29, 22, 30, 0, 0, time.UTC), time.UTC,
			"2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z", "2026-W48"},
		// 31 Oct 21:30 UTC is 1 Nov 00:30 in Moscow.
		{"month moscow", funnel.Month, time.Date(2026, 10, 31, 21, 30, 0, 0, time.UTC), msk,
			"2026-11-01T00:00:00+03:00", "2026-12-01T00:00:00+03:00", "2026-11"},
		// New York's month spanning the end of daylight saving (1 Nov 2026): 721 hours.
		{"month new york dst", funnel.Month, time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC), ny,
			"2026-11-01T00:00:00-04:00", "2026-12-01T00:00:00-05:00", "2026-11"},
		{"quarter", funnel.Quarter, time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), msk,
			"2027-01-01T00:00:00+03:00", "2027-04-01T00:00:00+03:00", "2027-Q1"},
		{"week across year", funnel.Week, time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC), time.UTC,
			"2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z", "2026-W53"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := funnel.PeriodOf(c.kind, c.at, c.loc)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Start.Format(time.RFC3339); got != c.start {
				t.Errorf("start %s, want %s", got, c.start)
			}
			if got := p.End.Format(time.RFC3339); got != c.end {
				t.Errorf("end %s, want %s", got, c.end)
			}
			if p.Label() != c.label {
				t.Errorf("label %s, want %s", p.Label(), c.label)
			}
		})
	}
	p, _ := funnel.PeriodOf(funnel.Month, time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC), ny)
	if h := p.End.Sub(p.Start).Hours(); h != 30*24+1 {
		t.Errorf("November in New York lasts %v hours, want 721", h)
	}
	if prev := p.Shift(-1); prev.Label() != "2026-10" || prev.End != p.Start {
		t.Errorf("previous month %s ends %v", prev.Label(), prev.End)
	}
	if _, err := funnel.PeriodOf("year", time.Now(), time.UTC); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("unknown kind: %v", err)
	}
}

func intp(v int) *int { return &v }

// seedFunnel is the seed's five stages with ids 11..15.
func seedFunnel() funnel.Funnel {
	f := funnel.Funnel{ID: 1, Name: "Sales", Default: true}
	for i, n := range []string{"First contact", "Presentation", "Needs analysis", "Commercial offer", "Project start"} {
		f.Stages = append(f.Stages, funnel.Stage{ID: int64(11 + i), Position: i + 1, Name: n})
	}
	return f
}

// TestReportHandComputed checks a week worked out by hand. Company entries
// during the week (position → how far those deals got):
//
//	first contact: 20 deals; 12 reached presentation or later (8 stayed)
//	presentation: 12; 9 reached needs analysis
//	needs analysis: 9; 6 reached the offer
//	offer: 6; 3 reached project start
//	project start: 3
//
// Plan (the seed's week): 15, 10, 7, 5, 5.
// Fulfilment: 20/15=133.3% green, 12/10=120% green, 9/7=128.6% green,
// 6/5=120% green, 3/5=60% red. Conversion: 60%, 75%, 66.7%, 50%.
// Salesperson Ivanov: first contact 10 (4 reached presentation) → 40% < 60% worse;
// presentation 4 (4 reached analysis) → 100% not worse.
func TestReportHandComputed(t *testing.T) {
	f := seedFunnel()
	week, _ := funnel.PeriodAt(funnel.Week, funnel.Date{Year: 2026, Month: 11, Day: 25}, time.UTC)
	company := []funnel.Cell{
		{1, 1, 8}, {1, 2, 3}, {1, 3, 3}, {1, 4, 3}, {1, 5, 3},
		{2, 2, 3}, {2, 3, 3}, {2, 4, 3}, {2, 5, 3},
		{3, 3, 3}, {3, 4, 3}, {3, 5, 3},
		{4, 4, 3}, {4, 5, 3},
		{5, 5, 3},
	}
	ivanov := []funnel.Cell{{1, 1, 6}, {1, 3, 4}, {2, 3, 4}, {3, 3, 4}}
	plan := map[int64]int{11: 15, 12: 10, 13: 7, 14: 5, 15: 5}
	// History: 40 first contacts of which 8 reached project start (20%);
	// 10 offers of which 5 reached the end (50%).
	past := []funnel.Cell{{1, 1, 20}, {1, 3, 12}, {1, 5, 8}, {4, 4, 5}, {4, 5, 5}}
	in := funnel.ReportInput{
		Funnel: f, Period: week, Plan: plan, Entered: company, Company: company,
		People: []funnel.PersonCells{{Person: funnel.Person{ID: 7, Name: "Ivanov"}, Cells: ivanov,
			Plan: map[int64]int{11: 8}}},
		Open: []funnel.OpenLoad{{StageID: 14, Currency: "RUB", Deals: 2, Amount: 300000_00},
			{StageID: 14, Currency: "EUR", Deals: 1, Amount: 1000_00}},
		History: week.Shift(-12), Past: past, Coming: week.Shift(1),
		Pipeline: []funnel.OpenLoad{{StageID: 14, Currency: "RUB", Deals: 2, Amount: 300000_00},
			{StageID: 11, Currency: "RUB", Deals: 5, Amount: 50000_00}},
	}
	in.History.End = week.Start
	r := funnel.Build(in, "UTC")
	wantActual := []int{20, 12, 9, 6, 3}
	wantFul := []float64{133.3, 120, 128.6, 120, 60}
	wantColor := []string{"green", "green", "green", "green", "red"}
	wantConv := []float64{60, 75, 66.7, 50}
	for i, s := range r.Stages {
		if s.Actual != wantActual[i] || s.Fulfilment == nil || *s.Fulfilment != wantFul[i] || s.Color != wantColor[i] {
			t.Errorf("stage %d: actual %d fulfilment %v %s, want %d %v %s", i+1, s.Actual, deref(s.Fulfilment), s.Color,
				wantActual[i], wantFul[i], wantColor[i])
		}
		if i < 4 && (s.Conversion == nil || *s.Conversion != wantConv[i]) {
			t.Errorf("stage %d conversion %v, want %v", i+1, deref(s.Conversion), wantConv[i])
		}
	}
	if r.Stages[4].Conversion != nil {
		t.Error("the last stage has a conversion")
	}
	if r.Stages[3].OpenNow != 3 || len(r.Stages[3].OpenAmount) != 2 || r.Stages[3].OpenAmount[1].Amount != 300000_00 {
		t.Errorf("open now %+v", r.Stages[3])
	}
	p := r.People[0]
	if p.Stages[0].Actual != 10 || *p.Stages[0].Conversion != 40 || !p.Stages[0].WorseThanCompany ||
		*p.Stages[0].Fulfilment != 125 || p.Stages[0].Color != "green" {
		t.Errorf("Ivanov first contact %+v", p.Stages[0])
	}
	if *p.Stages[1].Conversion != 100 || p.Stages[1].WorseThanCompany {
		t.Errorf("Ivanov presentation %+v", p.Stages[1])
	}
	fc := r.Forecast
	// 5 contracts (the last stage's plan) at 8/40 = 20%: 25 first contacts.
	if fc.Target != 5 || fc.FirstToLast == nil || *fc.FirstToLast != 20 || fc.FirstContactsNeeded == nil || *fc.FirstContactsNeeded != 25 {
		t.Errorf("forecast target %d rate %v needed %v", fc.Target, deref(fc.FirstToLast), fc.FirstContactsNeeded)
	}
	// Expected closes: 2 offers × 50% + 5 first contacts × 20% = 2; RUB 150000 + 10000.
	if fc.ExpectedCloses != 2 || len(fc.ExpectedAmounts) != 1 || fc.ExpectedAmounts[0].Amount != 160000_00 {
		t.Errorf("expected closes %v amounts %+v", fc.ExpectedCloses, fc.ExpectedAmounts)
	}
	if fc.HistoryFrom != "2026-08-31" || fc.HistoryTo != "2026-11-23" || fc.ComingFrom != "2026-11-30" {
		t.Errorf("forecast windows %s..%s coming %s", fc.HistoryFrom, fc.HistoryTo, fc.ComingFrom)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestFulfilColours(t *testing.T) {
	for _, c := range []struct {
		actual int
		plan   *int
		color  string
	}{
		{0, intp(10), "red"}, {6, intp(10), "red"}, {7, intp(10), "amber"}, {9, intp(10), "amber"},
		{10, intp(10), "green"}, {12, intp(10), "green"}, {0, intp(0), "green"}, {3, nil, "none"},
	} {
		if _, got := funnel.Fulfil(c.actual, c.plan); got != c.color {
			t.Errorf("Fulfil(%d, %v) = %s, want %s", c.actual, c.plan, got, c.color)
		}
	}
	if n := funnel.FirstContactsNeeded(5, 1, 3); n == nil || *n != 15 {
		t.Errorf("5 contracts at 1 in 3: %v", n)
	}
	if n := funnel.FirstContactsNeeded(5, 0, 3); n != nil {
		t.Errorf("with no contracts in history: %v", *n)
	}
}

func TestCompanyPlanFallsBackToSum(t *testing.T) {
	people := []funnel.PersonCells{{Plan: map[int64]int{11: 5, 12: 3}}, {Plan: map[int64]int{11: 4}}}
	got := funnel.CompanyPlan(nil, people)
	if got[11] != 9 || got[12] != 3 {
		t.Errorf("sum %v", got)
	}
	if own := funnel.CompanyPlan(map[int64]int{11: 15}, people); own[11] != 15 || len(own) != 1 {
		t.Errorf("own %v", own)
	}
}

func TestValidation(t *testing.T) {
	f := funnel.Funnel{Name: " Retail ", Stages: []funnel.Stage{{Name: "Lead"}, {Name: "Won"}}}
	if err := f.Validate(); err != nil || f.Name != "Retail" || f.Stages[1].Position != 2 {
		t.Fatalf("valid funnel: %v %+v", err, f)
	}
	for name, bad := range map[string]funnel.Funnel{
		"one stage":  {Name: "x", Stages: []funnel.Stage{{Name: "a"}}},
		"no name":    {Name: " ", Stages: []funnel.Stage{{Name: "a"}, {Name: "b"}}},
		"duplicate":  {Name: "x", Stages: []funnel.Stage{{Name: "a"}, {Name: "A"}}},
		"empty name": {Name: "x", Stages: []funnel.Stage{{Name: "a"}, {Name: ""}}},
	} {
		if err := bad.Validate(); !crm.IsKind(err, crm.KindInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	d := funnel.Deal{ClientID: 1, OwnerID: 2, Currency: "eur", Status: funnel.StatusLost}
	if err := d.Validate(); err == nil || err.(*crm.Error).Field != "lost_reason" {
		t.Errorf("lost without reason: %v", err)
	}
	d.LostReason = "price"
	if err := d.Validate(); err != nil || d.Currency != "EUR" {
		t.Errorf("lost deal: %v %s", err, d.Currency)
	}
	d.Currency = "EURO"
	if err := d.Validate(); err == nil {
		t.Error("currency EURO accepted")
	}
	s := funnel.Settings{TimeZone: "Mars/Olympus"}
	if err := s.Validate(); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("bad zone: %v", err)
	}
}

func TestMoneyJSON(t *testing.T) {
	var v struct{ A funnel.Money }
	for in, want := range map[string]funnel.Money{`1500`: 150000, `1500.5`: 150050, `"99.99"`: 9999, `0.01`: 1} {
		if err := json.Unmarshal([]byte(`{"A":`+in+`}`), &v); err != nil || v.A != want {
			t.Errorf("%s: %v %v", in, v.A, err)
		}
	}
	for _, in := range []string{`-1`, `1.234`, `"abc"`, `1e5`, `""`} {
		if err := json.Unmarshal([]byte(`{"A":`+in+`}`), &v); err == nil {
			t.Errorf("%s accepted as %v", in, v.A)
		}
	}
	b, _ := json.Marshal(struct{ A funnel.Money }{150050})
	if string(b) != `{"A":1500.50}` {
		t.Errorf("marshal %s", b)
	}
}

type fakeCallStore struct {
	batches [][]funnel.Call
}

var _ funnel.FirstCallStore = (*fakeCallStore)(nil)

func (f *fakeCallStore) OpenFirstCallDeals(_ context.Context, calls []funnel.Call) ([]funnel.Deal, error) {
	f.batches = append(f.batches, calls)
	return []funnel.Deal{{ID: 1}}, nil
}

// TestAutoOpenerAsksOncePerBatch: the store is asked once for a batch,
// with its external calls, and not at all when no call could open a deal
// (internal, missed, or taken by no agent).
func TestAutoOpenerAsksOncePerBatch(t *testing.T) {
	st := &fakeCallStore{}
	texts := func(c funnel.Call) funnel.FirstCallTexts {
		return funnel.FirstCallTexts{DealTitle: "deal " + c.Customer, ClientName: "client " + c.Customer, ClientNotes: "notes"}
	}
	a := &funnel.AutoOpener{Store: st, Texts: texts}
	none := []funnel.Call{{Agent: "ivanov", Answered: true}, {Customer: "+74951234567", Answered: true},
		{Customer: "+74951234567", Agent: "ivanov"}}
	if deals, err := a.HandleCalls(context.Background(), none); err != nil || len(deals) != 0 || len(st.batches) != 0 {
		t.Fatalf("no call to open a deal: %v, %v, asked %d times", deals, err, len(st.batches))
	}
	answered := funnel.Call{Customer: "+74951234567", Agent: "ivanov", At: time.Now(), Answered: true}
	deals, err := a.HandleCalls(context.Background(), append(none, answered))
	want := answered
	want.Texts = texts(answered) // the texts of each call, from the opener's
	if err != nil || len(deals) != 1 || len(st.batches) != 1 || len(st.batches[0]) != 3 || st.batches[0][2] != want {
		t.Fatalf("a batch with a call to open a deal: %v, %v, asked with %v", deals, err, st.batches)
	}
	if _, err := (&funnel.AutoOpener{Store: st}).HandleCalls(context.Background(), []funnel.Call{answered}); err == nil || len(st.batches) != 1 {
		t.Fatalf("an opener without texts: %v, asked %d times", err, len(st.batches))
	}
}
