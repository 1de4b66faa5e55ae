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
	"maps"
	"slices"
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
	// Prompt are Asterisk media URIs played in order ("sound:...",
	// "recording:...", "digits:...") after the question's spoken text
	// (Survey.Texts); optional when the survey has texts.
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
	OptOut string `json:"opt_out,omitempty"`
	// Texts are what the survey says, by language ("ru", "en"): each text
	// is synthesized (or replaced by an uploaded recording) and spoken
	// before the matching media above. A caller hears the texts of their
	// own language, or of the survey's Language when it has none.
	// Definitions without texts play their media only, as before.
	Texts     map[string]Texts `json:"texts,omitempty"`
	Default   bool             `json:"default"`
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// Texts are the words of a survey in one language.
type Texts struct {
	// Greeting opens a campaign's outbound call, before Intro.
	Greeting string `json:"greeting,omitempty"`
	Intro    string `json:"intro,omitempty"`
	// Questions are the questions' texts by question key.
	Questions map[string]string `json:"questions,omitempty"`
	Invalid   string            `json:"invalid,omitempty"`
	Thanks    string            `json:"thanks,omitempty"`
}

// Spoken returns every non-empty text of t, the prompts a caller may hear.
func (t Texts) Spoken() []string {
	var out []string
	for _, v := range []string{t.Greeting, t.Intro, t.Invalid, t.Thanks} {
		if strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(t.Questions)) {
		if v := t.Questions[k]; strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return out
}

// MaxText bounds one spoken text (the synthesizer's limit).
const MaxText = 1000

// Speech returns the texts a caller speaking lang hears and their
// language: lang's, else the survey's own Language's; ok is false for a
// survey without texts.
func (s *Survey) Speech(lang string) (t Texts, spoken string, ok bool) {
	if t, ok := s.Texts[lang]; ok && lang != "" {
		return t, lang, true
	}
	if t, ok := s.Texts[s.Language]; ok {
		return t, s.Language, true
	}
	return Texts{}, "", false
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
	if err := s.validateQuestions(); err != nil {
		return err
	}
	return s.validateTexts()
}

// validateTexts checks the spoken texts: known languages and question
// keys, bounded lengths, and a spoken or played prompt for each question.
func (s *Survey) validateTexts() error {
	if len(s.Texts) > 10 {
		return crm.Invalid("texts", "at most 10 languages")
	}
	for lang, t := range s.Texts {
		field := "texts." + lang
		if !langOK(lang) {
			return crm.Invalid("texts", "%q is not a language code such as ru or en", lang)
		}
		for name, text := range map[string]string{"greeting": t.Greeting, "intro": t.Intro, "invalid": t.Invalid, "thanks": t.Thanks} {
			if err := textOK(field+"."+name, text); err != nil {
				return err
			}
		}
		for key, text := range t.Questions {
			if !slices.ContainsFunc(s.Questions, func(q Question) bool { return q.Key == key }) {
				return crm.Invalid(field+".questions", "%q is not a question of the survey", key)
			}
			if err := textOK(field+".questions."+key, text); err != nil {
				return err
			}
		}
	}
	for i, q := range s.Questions {
		if len(q.Prompt) > 0 {
			continue
		}
		t, _, ok := s.Speech(s.Language)
		if !ok || strings.TrimSpace(t.Questions[q.Key]) == "" {
			return crm.Invalid(fmt.Sprintf("questions[%d].prompt", i),
				"needs a text in texts.%s.questions.%s or at least one media URI such as sound:beep", s.Language, q.Key)
		}
	}
	return nil
}

func textOK(field, text string) error {
	if !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxText {
		return crm.Invalid(field, "must be at most %d characters", MaxText)
	}
	return nil
}

func langOK(l string) bool {
	if len(l) < 2 || len(l) > 16 {
		return false
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return false
		}
	}
	return true
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
		if err := validMedia(field+".prompt", q.Prompt, false); err != nil {
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
// 00020 as the default, given its spoken texts by 00251). It speaks
// Russian, or English to a caller whose client speaks English; a beep
// after each question says "press now".
func DefaultSurvey() Survey {
	return Survey{
		Name: "After-call satisfaction", Language: "ru", Default: true,
		Questions: []Question{
			{Key: "agent", Text: "Оценка оператора, 1–5", Prompt: []string{"sound:beep"}, Min: 1, Max: 5, Required: true},
			{Key: "nps", Text: "Готовность рекомендовать, 0–10", Prompt: []string{"sound:beep"}, Min: 0, Max: 10},
		},
		Texts: map[string]Texts{
			"ru": {
				Greeting: "Здравствуйте! Вам звонит служба поддержки. Пожалуйста, ответьте на два коротких вопроса.",
				Intro:    "Пожалуйста, оцените наш разговор. Это займёт меньше минуты.",
				Questions: map[string]string{
					"agent": "Оцените работу оператора от одного до пяти, где пять — отлично.",
					"nps":   "Насколько вероятно, что вы порекомендуете нас знакомым? Нажмите число от нуля до десяти, затем решётку.",
				},
				Invalid: "Такого варианта нет. Попробуйте ещё раз.",
				Thanks:  "Спасибо за ваши ответы! До свидания.",
			},
			"en": {
				Greeting: "Hello! This is the support team calling. Please answer two short questions.",
				Intro:    "Please rate our conversation. It takes less than a minute.",
				Questions: map[string]string{
					"agent": "Please rate the agent from one to five, where five is excellent.",
					"nps":   "How likely are you to recommend us to a friend? Press a number from zero to ten, then the hash key.",
				},
				Invalid: "That is not one of the options. Please try again.",
				Thanks:  "Thank you for your answers! Goodbye.",
			},
		},
		Timeout: 5, InterDigit: 2, Retries: 1, LowScore: 2,
	}
}
