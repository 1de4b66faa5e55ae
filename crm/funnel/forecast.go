package funnel

import (
	"fmt"
	"math"
)

// ForecastSection is the report's forecast with the method it used.
type ForecastSection struct {
	Method      string `json:"method"`
	HistoryFrom string `json:"history_from"` // first day of the history used
	HistoryTo   string `json:"history_to"`   // first day after it
	// FirstToLast is the share (percent) of the deals that entered the first
	// stage during the history that have reached the last stage by now.
	FirstToLast *float64 `json:"first_to_last"`
	// Target contracts (the last stage's plan unless asked otherwise) and the
	// first contacts needed for them at that rate; nil when the rate is 0 or
	// unknown.
	Target              int  `json:"target_contracts"`
	FirstContactsNeeded *int `json:"first_contacts_needed"`
	// The coming period, and the open deals expected to close by its end
	// weighted by their stage's historical chance of reaching the last stage.
	ComingFrom      string          `json:"coming_from"`
	ComingTo        string          `json:"coming_to"`
	ExpectedCloses  float64         `json:"expected_closes"`
	ExpectedAmounts []Amount        `json:"expected_amounts"`
	Stages          []ForecastStage `json:"stages"`
}

// ForecastStage is one stage's part in the expected closes.
type ForecastStage struct {
	StageID     int64    `json:"stage_id"`
	Name        string   `json:"name"`
	OpenDeals   int      `json:"open_deals"`  // open, expected to close by the end of the coming period
	Probability *float64 `json:"probability"` // percent, from the history
	Expected    float64  `json:"expected"`
}

// ForecastMethod explains the forecast in words.
const ForecastMethod = "Cohort conversion over the history window: of the deals that entered a stage " +
	"in the window, the share that have reached the last stage by now. First contacts needed = " +
	"ceil(target contracts / first-to-last share). Expected closes = sum over the stages before the last " +
	"of (open deals expected to close by the end of the coming period × that stage's share); amounts likewise."

func forecast(in ReportInput, rows []StageRow) ForecastSection {
	f := ForecastSection{Method: ForecastMethod,
		HistoryFrom: in.History.StartDate().String(), HistoryTo: in.History.EndDate().String(),
		ComingFrom: in.Coming.StartDate().String(), ComingTo: in.Coming.EndDate().String()}
	stages := in.Funnel.Stages
	if len(stages) == 0 {
		return f
	}
	last := stages[len(stages)-1]
	f.FirstToLast = reached(in.Past, 1, last.Position)
	f.Target = in.Target
	if f.Target == 0 && len(rows) > 0 && rows[len(rows)-1].Plan != nil {
		f.Target = *rows[len(rows)-1].Plan
	}
	num, den := counts(in.Past, 1, last.Position)
	f.FirstContactsNeeded = FirstContactsNeeded(f.Target, num, den)
	for _, s := range stages[:len(stages)-1] {
		fs := ForecastStage{StageID: s.ID, Name: s.Name, Probability: reached(in.Past, s.Position, last.Position)}
		var amounts []Amount
		for _, o := range in.Pipeline {
			if o.StageID == s.ID {
				fs.OpenDeals += o.Deals
				amounts = addAmount(amounts, o.Currency, o.Amount)
			}
		}
		if num, den := counts(in.Past, s.Position, last.Position); den > 0 {
			p := float64(num) / float64(den)
			fs.Expected = round2(float64(fs.OpenDeals) * p)
			f.ExpectedCloses += float64(fs.OpenDeals) * p
			for _, a := range amounts {
				f.ExpectedAmounts = addAmount(f.ExpectedAmounts, a.Currency, Money(math.Round(float64(a.Amount)*p)))
			}
		}
		f.Stages = append(f.Stages, fs)
	}
	f.ExpectedCloses = round2(f.ExpectedCloses)
	return f
}

// FirstContactsNeeded is the first contacts needed for target contracts
// when reached of every entered first contacts became contracts:
// ceil(target × entered / reached); nil when none reached the end.
func FirstContactsNeeded(target, reached, entered int) *int {
	if reached <= 0 || entered <= 0 {
		return nil
	}
	n := (target*entered + reached - 1) / reached
	return &n
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// CompanyPlan is the company's plan: its own when any stage has one,
// otherwise the sum of the salespeople's plans (nil when nobody has one).
func CompanyPlan(own map[int64]int, people []PersonCells) map[int64]int {
	if len(own) > 0 {
		return own
	}
	var sum map[int64]int
	for _, p := range people {
		for stage, v := range p.Plan {
			if sum == nil {
				sum = map[int64]int{}
			}
			sum[stage] += v
		}
	}
	return sum
}

// Describe is a one-line summary of a stage row, for logs and CSV notes.
func (r StageRow) Describe() string {
	plan := "no plan"
	if r.Plan != nil {
		plan = fmt.Sprintf("plan %d", *r.Plan)
	}
	return fmt.Sprintf("%d. %s: %d entered, %s, %s", r.Position, r.Name, r.Actual, plan, r.Color)
}
