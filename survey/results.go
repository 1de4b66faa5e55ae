package survey

import (
	"math"
	"time"
)

// State is where a survey response ended.
type State string

// The states of a response. InProgress is only seen while the runner holds
// the call (or after a crash, until Recover closes it).
const (
	StateInProgress State = "in_progress"
	StateCompleted  State = "completed"
	StatePartial    State = "partial"
	StateNoInput    State = "no_input"
	StateOptedOut   State = "opted_out"
)

// Response is one caller's pass through a survey.
type Response struct {
	ID        int64  `json:"id"`
	SurveyID  int64  `json:"survey_id"`
	Node      string `json:"node"`
	ChannelID string `json:"channel_id"`
	LinkedID  string `json:"linkedid"`
	Caller    string `json:"caller"`
	// Agent is the login of the agent who talked last on the call ("" if none).
	Agent     string     `json:"agent,omitempty"`
	ClientID  *int64     `json:"client_id,omitempty"`
	ContactID *int64     `json:"campaign_contact_id,omitempty"`
	State     State      `json:"state"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	Answers   []Answer   `json:"answers"`
}

// Answer is one answered question, saved the moment it was given.
type Answer struct {
	ResponseID int64     `json:"response_id"`
	Index      int       `json:"index"` // position of the question in the survey
	Key        string    `json:"key"`
	Value      int       `json:"value"`
	Scale      Scale     `json:"scale"`
	Low        bool      `json:"low"`
	At         time.Time `json:"at"`
}

// Tally are the raw counts of one group of responses (an agent, a survey,
// a day), as the store sums them.
type Tally struct {
	Group      string `json:"group"`
	Responses  int    `json:"responses"`  // sessions started
	Answered   int    `json:"answered"`   // with at least one answer
	Completed  int    `json:"completed"`  // went through to the end
	CSATCount  int    `json:"csat_count"` // 1-5 answers
	CSATTop    int    `json:"csat_top"`   // 4 or 5
	NPSCount   int    `json:"nps_count"`  // 0-10 answers
	Promoters  int    `json:"promoters"`  // 9-10
	Detractors int    `json:"detractors"` // 0-6
	ScoreSum   int    `json:"score_sum"`  // of 1-5 answers
	LowScores  int    `json:"low_scores"`
}

// Result is a group's tally with its rates; a rate is nil when it has no base.
type Result struct {
	Tally
	// CSAT is the share of top scores (4-5) among 1-5 answers, in percent.
	CSAT *float64 `json:"csat"`
	// NPS is promoters minus detractors in percent of 0-10 answers (-100..100).
	NPS *float64 `json:"nps"`
	// AvgScore is the mean 1-5 answer.
	AvgScore *float64 `json:"avg_score"`
	// ResponseRate is the share of started sessions with an answer, in percent.
	ResponseRate *float64 `json:"response_rate"`
	// CompletionRate is the share of started sessions completed, in percent.
	CompletionRate *float64 `json:"completion_rate"`
}

// Rates computes the group's rates, rounded to 0.1.
func (t Tally) Rates() Result {
	return Result{
		Tally:          t,
		CSAT:           percent(t.CSATTop, t.CSATCount),
		NPS:            npsOf(t),
		AvgScore:       ratio(t.ScoreSum, t.CSATCount, 1),
		ResponseRate:   percent(t.Answered, t.Responses),
		CompletionRate: percent(t.Completed, t.Responses),
	}
}

func npsOf(t Tally) *float64 {
	if t.NPSCount == 0 {
		return nil
	}
	v := round1(100 * float64(t.Promoters-t.Detractors) / float64(t.NPSCount))
	return &v
}

func percent(n, base int) *float64 { return ratio(n, base, 100) }

func ratio(n, base int, scale float64) *float64 {
	if base <= 0 {
		return nil
	}
	v := round1(scale * float64(n) / float64(base))
	return &v
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// CSATTopScore reports whether a 1-5 answer counts as satisfied.
func CSATTopScore(v int) bool { return v >= 4 }

// NPSClass returns +1 for a promoter (9-10), -1 for a detractor (0-6), 0 for passive.
func NPSClass(v int) int {
	switch {
	case v >= 9:
		return 1
	case v <= 6:
		return -1
	}
	return 0
}

// GroupBy names the dimension of a results query.
type GroupBy string

// The result groupings.
const (
	ByAgent  GroupBy = "agent"
	BySurvey GroupBy = "survey"
	ByDay    GroupBy = "day"
	ByWeek   GroupBy = "week"
	ByMonth  GroupBy = "month"
)

// Valid reports whether g is a known grouping.
func (g GroupBy) Valid() bool {
	switch g {
	case ByAgent, BySurvey, ByDay, ByWeek, ByMonth:
		return true
	}
	return false
}

// ResultFilter selects the responses of a results query.
type ResultFilter struct {
	GroupBy  GroupBy
	SurveyID int64  // 0 = every survey
	Agent    string // "" = every agent
	From, To time.Time
	// LowOnly keeps the responses with a low score (the follow-ups for supervisors).
	LowOnly bool
}

// Add sums two tallies (for totals).
func (t Tally) Add(o Tally) Tally {
	t.Responses += o.Responses
	t.Answered += o.Answered
	t.Completed += o.Completed
	t.CSATCount += o.CSATCount
	t.CSATTop += o.CSATTop
	t.NPSCount += o.NPSCount
	t.Promoters += o.Promoters
	t.Detractors += o.Detractors
	t.ScoreSum += o.ScoreSum
	t.LowScores += o.LowScores
	return t
}
