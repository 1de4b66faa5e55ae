package survey

import (
	"slices"
	"time"
)

// CampaignReport is how a campaign went: its numbers by outcome and each
// question's answers.
type CampaignReport struct {
	Contacts   int // numbers in the campaign
	Reached    int // answered the call (the survey was played)
	Completed  int // answered every question asked
	Refused    int // hung up, opted out or stayed silent before the end
	NotReached int // every attempt failed
	Waiting    int // still to be called (pending or calling)
	Questions  []QuestionReport
}

// QuestionReport is one question's answers in a campaign.
type QuestionReport struct {
	Key     string
	Text    string
	Count   int
	Average float64
	// Values are the answers given, by value ascending, with their counts.
	Values []ValueCount
}

// ValueCount is how many times a value was answered.
type ValueCount struct {
	Value, Count int
}

// Share is v's count in percent of the question's answers (0-100).
func (q QuestionReport) Share(v ValueCount) float64 {
	if q.Count == 0 {
		return 0
	}
	return 100 * float64(v.Count) / float64(q.Count)
}

// OrderQuestions puts the report's questions in the survey's order, with
// their texts; keys the survey no longer has follow, by key.
func (r *CampaignReport) OrderQuestions(sv Survey) {
	pos := map[string]int{}
	for i, q := range sv.Questions {
		pos[q.Key] = i
	}
	for i := range r.Questions {
		if p, ok := pos[r.Questions[i].Key]; ok {
			r.Questions[i].Text = sv.Questions[p].Text
			r.Questions[i].fillRange(sv.Questions[p])
		}
	}
	slices.SortStableFunc(r.Questions, func(a, b QuestionReport) int {
		pa, oka := pos[a.Key]
		pb, okb := pos[b.Key]
		switch {
		case oka && okb:
			return pa - pb
		case oka:
			return -1
		case okb:
			return 1
		}
		return compareStrings(a.Key, b.Key)
	})
}

// fillRange lists every value of a small range (up to 0-10), unanswered
// ones with a count of 0, so the bars show the whole scale.
func (q *QuestionReport) fillRange(def Question) {
	if def.Digits != "" || def.Max-def.Min > 10 || def.Min >= def.Max {
		return
	}
	counts := map[int]int{}
	for _, v := range q.Values {
		counts[v.Value] = v.Count
	}
	var all []ValueCount
	for v := def.Min; v <= def.Max; v++ {
		all = append(all, ValueCount{Value: v, Count: counts[v]})
	}
	for _, v := range q.Values {
		if v.Value < def.Min || v.Value > def.Max {
			all = append(all, v)
		}
	}
	q.Values = all
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CampaignAnswer is one reached number's response in a campaign, for the
// answers export.
type CampaignAnswer struct {
	ResponseID int64
	ClientID   *int64
	ClientName string
	Phone      string
	State      State
	StartedAt  time.Time
	// Answers are the values by question key.
	Answers map[string]int
}
