package funnel

import (
	"math"
	"sort"
)

// Cell counts stage entries: N deals entered the stage at Position and have
// reached at most MaxPosition since. Reports are built from cells.
type Cell struct {
	Position    int
	MaxPosition int
	N           int
}

// Person is a salesperson (a user) in a report.
type Person struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// OpenLoad is the open deals currently in one stage, in one currency.
type OpenLoad struct {
	StageID  int64
	Currency string
	Deals    int
	Amount   Money
}

// ReportInput is everything a report is computed from.
type ReportInput struct {
	Funnel      Funnel
	Period      Period
	Salesperson *Person       // nil: the whole company
	Plan        map[int64]int // stage id -> target for the subject
	Entered     []Cell        // the subject's entries during the period
	Company     []Cell        // the company's entries during the period
	// People are the salespeople with entries or plans in the period, with
	// their cells and plans (for the per-salesperson comparison).
	People []PersonCells
	Open   []OpenLoad // the subject's open deals now, per stage and currency
	// Forecast inputs: the company's (or salesperson's) entries during
	// History, the open deals expected to close by Coming.End, and the
	// number of contracts wanted (0: the plan of the last stage).
	History  Period
	Past     []Cell
	Coming   Period
	Pipeline []OpenLoad
	Target   int
}

// PersonCells is one salesperson's entries and plan for the period.
type PersonCells struct {
	Person
	Cells []Cell
	Plan  map[int64]int
}

// Report is the funnel report of a period for the company or one salesperson.
type Report struct {
	Funnel      Funnel          `json:"funnel"`
	Period      PeriodView      `json:"period"`
	Salesperson *Person         `json:"salesperson,omitempty"`
	Stages      []StageRow      `json:"stages"`
	People      []PersonRow     `json:"salespeople,omitempty"`
	Forecast    ForecastSection `json:"forecast"`
}

// PeriodView is a period as reported.
type PeriodView struct {
	Kind     PeriodKind `json:"kind"`
	Label    string     `json:"label"`
	Start    string     `json:"start"` // first day
	End      string     `json:"end"`   // first day after
	TimeZone string     `json:"time_zone"`
}

// Fulfilment colours.
const (
	ColorRed   = "red"   // under 70% of plan
	ColorAmber = "amber" // 70% up to 100%
	ColorGreen = "green" // plan met
	ColorNone  = "none"  // no plan
)

// StageRow is one stage of the report.
type StageRow struct {
	StageID    int64    `json:"stage_id"`
	Position   int      `json:"position"`
	Name       string   `json:"name"`
	Plan       *int     `json:"plan"`
	Actual     int      `json:"actual"`      // deals that entered the stage in the period
	Fulfilment *float64 `json:"fulfilment"`  // actual / plan, percent
	Color      string   `json:"color"`       // by fulfilment
	OpenNow    int      `json:"open_now"`    // open deals in the stage now
	OpenAmount []Amount `json:"open_amount"` // their amounts per currency
	// Conversion is the share (percent) of the deals that entered this
	// stage in the period that have reached the next stage by now; nil for
	// the last stage or when none entered.
	Conversion        *float64 `json:"conversion"`
	CompanyConversion *float64 `json:"company_conversion"`
	WorseThanCompany  bool     `json:"worse_than_company"`
}

// PersonRow is one salesperson in the comparison.
type PersonRow struct {
	Person
	Stages []PersonStage `json:"stages"`
}

// PersonStage is a salesperson's figures for one stage.
type PersonStage struct {
	Plan             *int     `json:"plan"`
	Actual           int      `json:"actual"`
	Fulfilment       *float64 `json:"fulfilment"`
	Color            string   `json:"color"`
	Conversion       *float64 `json:"conversion"`
	WorseThanCompany bool     `json:"worse_than_company"`
}

// Build computes the report.
func Build(in ReportInput, tz string) Report {
	r := Report{Funnel: in.Funnel, Salesperson: in.Salesperson, Period: PeriodView{
		Kind: in.Period.Kind, Label: in.Period.Label(), Start: in.Period.StartDate().String(),
		End: in.Period.EndDate().String(), TimeZone: tz}}
	entered := Entered(in.Entered)
	n := len(in.Funnel.Stages)
	for i, s := range in.Funnel.Stages {
		row := StageRow{StageID: s.ID, Position: s.Position, Name: s.Name, Actual: entered[s.Position]}
		row.Plan = planOf(in.Plan, s.ID)
		row.Fulfilment, row.Color = Fulfil(row.Actual, row.Plan)
		for _, o := range in.Open {
			if o.StageID == s.ID {
				row.OpenNow += o.Deals
				row.OpenAmount = addAmount(row.OpenAmount, o.Currency, o.Amount)
			}
		}
		if i < n-1 {
			row.Conversion = Conversion(in.Entered, s.Position)
			row.CompanyConversion = Conversion(in.Company, s.Position)
			row.WorseThanCompany = in.Salesperson != nil && Worse(row.Conversion, row.CompanyConversion)
		}
		r.Stages = append(r.Stages, row)
	}
	for _, p := range in.People {
		r.People = append(r.People, personRow(in, p))
	}
	sort.Slice(r.People, func(i, j int) bool { return r.People[i].Name < r.People[j].Name })
	r.Forecast = forecast(in, r.Stages)
	return r
}

func personRow(in ReportInput, p PersonCells) PersonRow {
	row := PersonRow{Person: p.Person}
	entered := Entered(p.Cells)
	n := len(in.Funnel.Stages)
	for i, s := range in.Funnel.Stages {
		ps := PersonStage{Actual: entered[s.Position], Plan: planOf(p.Plan, s.ID)}
		ps.Fulfilment, ps.Color = Fulfil(ps.Actual, ps.Plan)
		if i < n-1 {
			ps.Conversion = Conversion(p.Cells, s.Position)
			ps.WorseThanCompany = Worse(ps.Conversion, Conversion(in.Company, s.Position))
		}
		row.Stages = append(row.Stages, ps)
	}
	return row
}

func planOf(plan map[int64]int, stage int64) *int {
	if v, ok := plan[stage]; ok {
		return &v
	}
	return nil
}

// Entered sums cells per position.
func Entered(cells []Cell) map[int]int {
	out := map[int]int{}
	for _, c := range cells {
		out[c.Position] += c.N
	}
	return out
}

// Conversion is the percentage of the entries at position that have
// reached position+1; nil when there are none.
func Conversion(cells []Cell, position int) *float64 {
	return reached(cells, position, position+1)
}

// reached is the percentage of the entries at position whose highest
// position is at least target.
func reached(cells []Cell, position, target int) *float64 {
	num, den := counts(cells, position, target)
	if den == 0 {
		return nil
	}
	return pct(float64(num) / float64(den))
}

// counts returns how many entries at position there are (den) and how many
// of them have reached target (num).
func counts(cells []Cell, position, target int) (num, den int) {
	for _, c := range cells {
		if c.Position != position {
			continue
		}
		den += c.N
		if c.MaxPosition >= target {
			num += c.N
		}
	}
	return num, den
}

// Worse reports whether a salesperson's conversion is below the company's.
func Worse(own, company *float64) bool {
	return own != nil && company != nil && *own < *company
}

// Fulfil is actual against plan in percent and its colour: red under 70%,
// amber under 100%, green at or above. A plan of 0 is met by any actual.
func Fulfil(actual int, plan *int) (*float64, string) {
	if plan == nil {
		return nil, ColorNone
	}
	if *plan == 0 {
		v := 100.0
		return &v, ColorGreen
	}
	v := *pct(float64(actual) / float64(*plan))
	switch {
	case v < 70:
		return &v, ColorRed
	case v < 100:
		return &v, ColorAmber
	default:
		return &v, ColorGreen
	}
}

// pct turns a ratio into a percentage rounded to one decimal.
func pct(ratio float64) *float64 {
	v := math.Round(ratio*1000) / 10
	return &v
}

func addAmount(list []Amount, currency string, m Money) []Amount {
	for i := range list {
		if list[i].Currency == currency {
			list[i].Amount += m
			return list
		}
	}
	list = append(list, Amount{Currency: currency, Amount: m})
	sort.Slice(list, func(i, j int) bool { return list[i].Currency < list[j].Currency })
	return list
}
