package survey_test

import (
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/survey"
)

func fptr(v float64) *float64 { return &v }

func eq(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func TestTallyRates(t *testing.T) {
	cases := []struct {
		name                        string
		t                           survey.Tally
		csat, nps, avg, resp, compl *float64
	}{
		{name: "no responses"},
		{name: "all top scores", t: survey.Tally{Responses: 4, Answered: 4, Completed: 4, CSATCount: 4, CSATTop: 4, ScoreSum: 19},
			csat: fptr(100), avg: fptr(4.8), resp: fptr(100), compl: fptr(100)},
		{name: "two of three top, one silent session",
			t:    survey.Tally{Responses: 4, Answered: 3, Completed: 2, CSATCount: 3, CSATTop: 2, ScoreSum: 11},
			csat: fptr(66.7), avg: fptr(3.7), resp: fptr(75), compl: fptr(50)},
		{name: "nps: 2 promoters, 1 passive, 1 detractor",
			t:   survey.Tally{Responses: 4, Answered: 4, Completed: 4, NPSCount: 4, Promoters: 2, Detractors: 1},
			nps: fptr(25), resp: fptr(100), compl: fptr(100)},
		{name: "nps all detractors", t: survey.Tally{Responses: 2, Answered: 2, NPSCount: 2, Detractors: 2},
			nps: fptr(-100), resp: fptr(100), compl: fptr(0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.t.Rates()
			if !eq(r.CSAT, c.csat) || !eq(r.NPS, c.nps) || !eq(r.AvgScore, c.avg) || !eq(r.ResponseRate, c.resp) || !eq(r.CompletionRate, c.compl) {
				t.Errorf("rates = csat %v nps %v avg %v resp %v compl %v", show(r.CSAT), show(r.NPS), show(r.AvgScore), show(r.ResponseRate), show(r.CompletionRate))
			}
		})
	}
}

func show(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestNPSClassAndCSATTop(t *testing.T) {
	for v, want := range map[int]int{0: -1, 6: -1, 7: 0, 8: 0, 9: 1, 10: 1} {
		if got := survey.NPSClass(v); got != want {
			t.Errorf("NPSClass(%d) = %d, want %d", v, got, want)
		}
	}
	for v, want := range map[int]bool{1: false, 3: false, 4: true, 5: true} {
		if survey.CSATTopScore(v) != want {
			t.Errorf("CSATTopScore(%d) != %v", v, want)
		}
	}
}

func TestQuestionParse(t *testing.T) {
	csat := survey.Question{Min: 1, Max: 5}
	nps := survey.Question{Min: 0, Max: 10}
	yesNo := survey.Question{Digits: "12"}
	cases := []struct {
		name        string
		q           survey.Question
		in          string
		v           int
		valid, more bool
	}{
		{"csat 5", csat, "5", 5, true, false},
		{"csat 0 out of range", csat, "0", 0, false, false},
		{"csat 7 out of range", csat, "7", 7, false, false},
		{"nps 1 may become 10", nps, "1", 1, true, true},
		{"nps 10", nps, "10", 10, true, false},
		{"nps 0", nps, "0", 0, true, false},
		{"nps 11", nps, "11", 11, false, false},
		{"nps 9", nps, "9", 9, true, false},
		{"star", csat, "*", 0, false, false},
		{"yes", yesNo, "1", 1, true, false},
		{"not listed", yesNo, "3", 0, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, valid, more := c.q.Parse(c.in)
			if valid != c.valid || more != c.more || (valid && v != c.v) {
				t.Errorf("Parse(%q) = %d %v %v, want %d %v %v", c.in, v, valid, more, c.v, c.valid, c.more)
			}
		})
	}
}

func TestSurveyValidate(t *testing.T) {
	ok := survey.DefaultSurvey()
	if err := ok.Validate(); err != nil {
		t.Fatalf("default survey: %v", err)
	}
	cases := map[string]struct {
		edit  func(*survey.Survey)
		field string
	}{
		"no name":        {func(s *survey.Survey) { s.Name = " " }, "name"},
		"no questions":   {func(s *survey.Survey) { s.Questions = nil }, "questions"},
		"bad media":      {func(s *survey.Survey) { s.Intro = []string{"hello-world"} }, "intro"},
		"unknown scheme": {func(s *survey.Survey) { s.Thanks = []string{"http://x"} }, "thanks"},
		"empty range":    {func(s *survey.Survey) { s.Questions[0].Min, s.Questions[0].Max = 5, 5 }, "questions[0].max"},
		"no prompt":      {func(s *survey.Survey) { s.Questions[1].Prompt = nil; delete(s.Texts["ru"].Questions, "nps") }, "questions[1].prompt"},
		"unknown text":   {func(s *survey.Survey) { s.Texts["en"].Questions["csat"] = "Rate us" }, "texts.en.questions"},
		"text language":  {func(s *survey.Survey) { s.Texts["r u"] = survey.Texts{Intro: "x"} }, "texts"},
		"long text":      {func(s *survey.Survey) { t := s.Texts["ru"]; t.Thanks = strings.Repeat("я", 1001); s.Texts["ru"] = t }, "texts.ru.thanks"},
		"duplicate key":  {func(s *survey.Survey) { s.Questions[1].Key = "agent" }, "questions[1].key"},
		"opt-out clash":  {func(s *survey.Survey) { s.OptOut = "3" }, "questions[0]"},
		"retries":        {func(s *survey.Survey) { s.Retries = 9 }, "retries"},
	}
	spoken := survey.DefaultSurvey()
	spoken.Questions[1].Prompt = nil // its text is its prompt
	if err := spoken.Validate(); err != nil {
		t.Fatalf("a question with a text and no media: %v", err)
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := survey.DefaultSurvey()
			c.edit(&s)
			err := s.Validate()
			var ce *crm.Error
			if !crm.IsKind(err, crm.KindInvalid) || !asErr(err, &ce) || ce.Field != c.field {
				t.Errorf("Validate = %v, want invalid %s", err, c.field)
			}
		})
	}
}

func asErr(err error, target **crm.Error) bool {
	e, ok := err.(*crm.Error)
	*target = e
	return ok
}

func TestIsLow(t *testing.T) {
	s := survey.DefaultSurvey()
	csat, nps := s.Questions[0], s.Questions[1]
	for _, c := range []struct {
		q    survey.Question
		v    int
		want bool
	}{{csat, 2, true}, {csat, 3, false}, {nps, 4, true}, {nps, 5, false}} {
		if got := s.IsLow(c.q, c.v); got != c.want {
			t.Errorf("IsLow(%s, %d) = %v", c.q.Key, c.v, got)
		}
	}
}

func TestCampaignWindowAndResults(t *testing.T) {
	c := survey.Campaign{Name: "x", SurveyID: 1, TimeZone: "Europe/Moscow", WindowStart: 9 * 60, WindowEnd: 20 * 60}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	at := func(h int) time.Time { return time.Date(2026, 11, 27, h, 0, 0, 0, time.UTC) } // Moscow is UTC+3
	for h, want := range map[int]bool{5: false, 6: true, 16: true, 17: false} {
		if got := c.InWindow(at(h)); got != want {
			t.Errorf("InWindow(%02d:00 UTC) = %v, want %v", h, got, want)
		}
	}
	bad := survey.Campaign{Name: "x", SurveyID: 1, TimeZone: "Mars/Base"}
	if err := bad.Validate(); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("unknown zone: %v", err)
	}
	for cause, want := range map[int]string{17: survey.ResultBusy, 0: survey.ResultBusy, 19: survey.ResultNoAnswer, 34: survey.ResultFailed} {
		if got := survey.AttemptResult(cause); got != want {
			t.Errorf("AttemptResult(%d) = %s, want %s", cause, got, want)
		}
	}
}
