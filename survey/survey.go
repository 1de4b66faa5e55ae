// Package survey holds Hotline's IVR satisfaction surveys and phone
// questionnaire campaigns: survey definitions and their rules, the runner
// that plays a survey to a channel in Stasis over ARI and saves each answer
// the moment it is given (to a durable journal, replayed later, while the
// database is down), the results maths (CSAT, NPS, response and
// completion rates) and the campaign dialer that calls a list of contacts
// into a survey with pacing, calling windows and retries.
//
// The package declares the stores and ARI calls it needs as interfaces;
// crm/postgres and *ari.Client satisfy them.
package survey

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"hotline/crm"
)

// Question is one question of a survey: its prompt and the answers it accepts.
type Question struct {
	// Key names the question in results and exports, e.g. "agent" or "nps".
	Key string `json:"key,omitempty"`
	// Text is what the prompt says, for people reading results.
	Text string `json:"text,omitempty"`
	// Prompt are the Asterisk media URIs played in order ("sound:...", "recording:...", "digits:...").
	Prompt []string `json:"prompt"`
	// Min and Max are the accepted range (1-5, 0-10, ...); ignored when Digits is set.
	Min int `json:"min,omitempty"`
	Max int `json:"max,omitempty"`
	// Digits, if set, lists the single digits accepted, e.g. "12" for yes/no.
	Digits string `json:"digits,omitempty"`
	// Required questions end the survey when not answered; optional ones are skipped.
	Required bool `json:"required,omitempty"`
}

// Scale tells how a question's answers are aggregated.
type Scale string

// The scales.
const (
	ScaleCSAT  Scale = "csat"  // 1-5: CSAT counts the top two scores
	ScaleNPS   Scale = "nps"   // 0-10: NPS = promoters (9-10) minus detractors (0-6)
	ScaleOther Scale = "other" // anything else: only averages
)

// Scale returns the question's scale.
func (q Question) Scale() Scale {
	switch {
	case q.Digits != "":
		return ScaleOther
	case q.Min == 1 && q.Max == 5:
		return ScaleCSAT
	case q.Min == 0 && q.Max == 10:
		return ScaleNPS
	}
	return ScaleOther
}

// Parse checks the digits typed so far (without '#'): valid says they are a
// complete valid answer (value), more says more digits could still make a
// valid answer (e.g. "1" on a 0-10 scale may become "10").
func (q Question) Parse(input string) (value int, valid, more bool) {
	if input == "" {
		return 0, false, true
	}
	if q.Digits != "" {
		if len(input) == 1 && strings.Contains(q.Digits, input) {
			v, _ := strconv.Atoi(input)
			return v, true, false
		}
		return 0, false, false
	}
	v, err := strconv.Atoi(input)
	if err != nil || strings.ContainsAny(input, "+-") {
		return 0, false, false
	}
	valid = v >= q.Min && v <= q.Max
	more = len(input) < len(strconv.Itoa(q.Max)) && v*10 <= q.Max && v != 0
	return v, valid, more
}

// Survey is a survey definition.
type Survey struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Language string `json:"language"` // sound language, e.g. "en" or "ru"
	// Intro is played before the first question; Thanks after the last answer;
	// Invalid before a question is repeated after a wrong digit or silence.
	Intro     []string   `json:"intro"`
	Questions []Question `json:"questions"`
	Thanks    []string   `json:"thanks"`
	Invalid   []string   `json:"invalid,omitempty"`
	// Timeout is how long to wait for the first digit after a prompt ends;
	// InterDigit for the next digit of a multi-digit answer.
	Timeout    Seconds `json:"timeout_seconds"`
	InterDigit Seconds `json:"inter_digit_seconds"`
	// Retries is how many more times a question is asked after silence or a wrong digit.
	Retries int `json:"retries"`
	// LowScore: a 1-5 answer at or below it (or a 0-10 answer at or below
	// twice it) opens a follow-up for supervisors; 0 disables follow-ups.
	LowScore int `json:"low_score"`
	// OptOut is the digit that ends the survey at the caller's wish ("" = none).
	OptOut    string    `json:"opt_out,omitempty"`
	Default   bool      `json:"default"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Seconds is a duration stored and sent as whole seconds.
type Seconds int

// Duration returns s as a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

var keyOK = func(k string) bool {
	if k == "" || len(k) > 32 {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Validate checks the definition and fills defaults (language en, timeout
// 5 s, inter-digit 2 s).
func (s *Survey) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	if err := crm.CheckText("name", s.Name); err != nil {
		return err
	}
	if s.Name == "" || utf8.RuneCountInString(s.Name) > 200 {
		return crm.Invalid("name", "must be 1-200 characters")
	}
	if s.Language == "" {
		s.Language = "en"
	}
	if len(s.Language) > 16 {
		return crm.Invalid("language", "must be a sound language such as en or ru")
	}
	if s.Timeout == 0 {
		s.Timeout = 5
	}
	if s.InterDigit == 0 {
		s.InterDigit = 2
	}
	if s.Timeout < 1 || s.Timeout > 60 || s.InterDigit < 1 || s.InterDigit > 10 {
		return crm.Invalid("timeout_seconds", "timeout must be 1-60 s and inter-digit 1-10 s")
	}
	if s.Retries < 0 || s.Retries > 5 {
		return crm.Invalid("retries", "must be 0-5")
	}
	if s.LowScore < 0 || s.LowScore > 5 {
		return crm.Invalid("low_score", "must be 0 (off) to 5")
	}
	if s.OptOut != "" && (len(s.OptOut) != 1 || !strings.Contains("0123456789*#", s.OptOut)) {
		return crm.Invalid("opt_out", "must be one DTMF digit, * or #")
	}
	for field, media := range map[string][]string{"intro": s.Intro, "thanks": s.Thanks, "invalid": s.Invalid} {
		if err := validMedia(field, media, false); err != nil {
			return err
		}
	}
	return s.validateQuestions()
}

func (s *Survey) validateQuestions() error {
	if len(s.Questions) == 0 || len(s.Questions) > 20 {
		return crm.Invalid("questions", "a survey has 1-20 questions")
	}
	seen := map[string]bool{}
	for i := range s.Questions {
		q := &s.Questions[i]
		field := fmt.Sprintf("questions[%d]", i)
		if q.Key == "" {
			q.Key = fmt.Sprintf("q%d", i+1)
		}
		if !keyOK(q.Key) || seen[q.Key] {
			return crm.Invalid(field+".key", "must be unique, 1-32 characters of a-z, 0-9 or _")
		}
		seen[q.Key] = true
		if err := validMedia(field+".prompt", q.Prompt, true); err != nil {
			return err
		}
		if q.Digits != "" {
			for _, r := range q.Digits {
				if r < '0' || r > '9' || strings.Count(q.Digits, string(r)) > 1 {
					return crm.Invalid(field+".digits", "must list distinct digits 0-9")
				}
			}
		} else if q.Min < 0 || q.Max > 100 || q.Min >= q.Max {
			return crm.Invalid(field+".max", "the range must be min < max within 0-100, e.g. 1-5 or 0-10")
		}
		if _, valid, more := q.Parse(s.OptOut); s.OptOut != "" && (valid || more) {
			return crm.Invalid(field, "accepts the opt-out digit %s as an answer", s.OptOut)
		}
	}
	return nil
}

// validMedia checks media URIs: scheme:resource with a known scheme.
func validMedia(field string, media []string, required bool) error {
	if required && len(media) == 0 {
		return crm.Invalid(field, "needs at least one media URI such as sound:beep")
	}
	if len(media) > 10 {
		return crm.Invalid(field, "at most 10 media URIs")
	}
	for _, m := range media {
		scheme, res, ok := strings.Cut(m, ":")
		if !ok || res == "" || strings.ContainsAny(m, ", \t\n") || len(m) > 256 {
			return crm.Invalid(field, "%q is not a media URI such as sound:hello-world", m)
		}
		switch scheme {
		case "sound", "recording", "number", "digits", "characters", "tone":
		default:
			return crm.Invalid(field, "%q: the scheme must be sound, recording, number, digits, characters or tone", m)
		}
	}
	return nil
}

// IsLow reports whether value on q is a low score for the survey.
func (s *Survey) IsLow(q Question, value int) bool {
	if s.LowScore <= 0 {
		return false
	}
	switch q.Scale() {
	case ScaleCSAT:
		return value <= s.LowScore
	case ScaleNPS:
		return value <= 2*s.LowScore
	}
	return false
}

// DefaultSurvey is the survey shipped with Hotline (seeded by migration
// 00020 as the default). Every prompt is in Asterisk's core English sound
// set (asterisk-core-sounds-en): hello-world, beep, auth-thankyou,
// vm-goodbye, option-is-invalid; digits: is Asterisk's built-in digit
// playback from the digits/ sounds of the same set.
func DefaultSurvey() Survey {
	return Survey{
		Name: "After-call satisfaction", Language: "en", Default: true,
		Intro: []string{"sound:hello-world"},
		Questions: []Question{
			{Key: "agent", Text: "How satisfied are you with the agent? 1 to 5", Prompt: []string{"sound:beep", "digits:15"}, Min: 1, Max: 5, Required: true},
			{Key: "nps", Text: "How likely are you to recommend us? 0 to 10", Prompt: []string{"sound:beep", "digits:010"}, Min: 0, Max: 10},
		},
		Thanks:  []string{"sound:auth-thankyou", "sound:vm-goodbye"},
		Invalid: []string{"sound:option-is-invalid"},
		Timeout: 5, InterDigit: 2, Retries: 1, LowScore: 2,
	}
}
