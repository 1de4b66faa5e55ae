package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"hotline/crm"
	"hotline/internal/i18n"
	"hotline/survey"
)

// The survey editor: a form for a survey's settings, the texts callers
// hear (Russian and English) and its questions, which are added, removed
// and moved by the form's own buttons (the page re-renders with the change
// and saves nothing until Save).

// surveyLangs are the languages a survey speaks on the form.
var surveyLangs = []string{"ru", "en"}

// questionForm is one question's row.
type questionForm struct {
	Num                 int  // 1-based position, for the legend
	Last                bool // the last question (no "down" button)
	Key, Text, Min, Max string
	Required, Beep      bool
	Spoken              map[string]string // what the caller hears, by language
}

// spokenForm are the texts of one language.
type spokenForm struct {
	Lang                             string
	Greeting, Intro, Invalid, Thanks string
}

// surveyForm is the editor's state: what was typed, and the errors by field.
type surveyForm struct {
	ID                                     int64
	Name, Language                         string
	Default                                bool
	Timeout, InterDigit, Retries, LowScore string
	OptOut                                 string
	Texts                                  []spokenForm
	Questions                              []questionForm
	Errors                                 map[string]string
}

// Err is the message of a field ("" if none).
func (f surveyForm) Err(field string) string { return f.Errors[field] }

// newSurveyForm is the form of a stored (or template) survey.
func newSurveyForm(sv survey.Survey) surveyForm {
	f := surveyForm{ID: sv.ID, Name: sv.Name, Language: sv.Language, Default: sv.Default,
		Timeout: itoaInt(int(sv.Timeout)), InterDigit: itoaInt(int(sv.InterDigit)), Retries: itoaInt(sv.Retries),
		LowScore: itoaInt(sv.LowScore), OptOut: sv.OptOut}
	for _, l := range surveyLangs {
		t := sv.Texts[l]
		f.Texts = append(f.Texts, spokenForm{Lang: l, Greeting: t.Greeting, Intro: t.Intro, Invalid: t.Invalid, Thanks: t.Thanks})
	}
	for _, q := range sv.Questions {
		qf := questionForm{Key: q.Key, Text: q.Text, Min: itoaInt(q.Min), Max: itoaInt(q.Max), Required: q.Required,
			Beep: slices.Contains(q.Prompt, "sound:beep"), Spoken: map[string]string{}}
		for _, l := range surveyLangs {
			qf.Spoken[l] = sv.Texts[l].Questions[q.Key]
		}
		f.Questions = append(f.Questions, qf)
	}
	return f
}

func itoaInt(v int) string { return strconv.Itoa(v) }

// readSurveyForm reads the posted form.
func readSurveyForm(r *http.Request, id int64) surveyForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := surveyForm{ID: id, Name: v("name"), Language: v("language"), Default: v("default") != "",
		Timeout: v("timeout"), InterDigit: v("inter_digit"), Retries: v("retries"), LowScore: v("low_score"), OptOut: v("opt_out")}
	for _, l := range surveyLangs {
		f.Texts = append(f.Texts, spokenForm{Lang: l, Greeting: v("greeting_" + l), Intro: v("intro_" + l),
			Invalid: v("invalid_" + l), Thanks: v("thanks_" + l)})
	}
	n, _ := strconv.Atoi(v("questions"))
	for i := range min(n, 50) {
		p := fmt.Sprintf("q%d_", i)
		qf := questionForm{Key: v(p + "key"), Text: v(p + "text"), Min: v(p + "min"), Max: v(p + "max"),
			Required: v(p+"required") != "", Beep: v(p+"beep") != "", Spoken: map[string]string{}}
		for _, l := range surveyLangs {
			qf.Spoken[l] = v(p + "spoken_" + l)
		}
		f.Questions = append(f.Questions, qf)
	}
	return f
}

// edit applies one of the form's own buttons ("add", "remove:2", "up:2",
// "down:2"); it reports whether op was one of them.
func (f *surveyForm) edit(op string) bool {
	name, arg, _ := strings.Cut(op, ":")
	i, err := strconv.Atoi(arg)
	inRange := err == nil && i >= 0 && i < len(f.Questions)
	switch {
	case name == "add" && len(f.Questions) < 20:
		f.Questions = append(f.Questions, questionForm{Key: f.freeKey(), Min: "1", Max: "5", Beep: true, Spoken: map[string]string{}})
	case name == "remove" && inRange:
		f.Questions = slices.Delete(f.Questions, i, i+1)
	case name == "up" && inRange && i > 0:
		f.Questions[i-1], f.Questions[i] = f.Questions[i], f.Questions[i-1]
	case name == "down" && inRange && i < len(f.Questions)-1:
		f.Questions[i+1], f.Questions[i] = f.Questions[i], f.Questions[i+1]
	default:
		return name == "add" || name == "remove" || name == "up" || name == "down"
	}
	return true
}

// freeKey is the first q<n> no question uses.
func (f *surveyForm) freeKey() string {
	for n := len(f.Questions) + 1; ; n++ {
		k := "q" + strconv.Itoa(n)
		if !slices.ContainsFunc(f.Questions, func(q questionForm) bool { return q.Key == k }) {
			return k
		}
	}
}

// survey checks the form field by field (messages in the reader's
// language) and builds the survey over base, which keeps what the form
// does not show (media of the intro and thanks, digit lists).
func (f *surveyForm) survey(l *i18n.Localizer, base survey.Survey) (survey.Survey, bool) {
	f.Errors = map[string]string{}
	sv := base
	sv.ID, sv.Name, sv.Language, sv.Default, sv.OptOut = f.ID, f.Name, f.Language, f.Default, f.OptOut
	if f.Name == "" {
		f.Errors["name"] = l.T("survey.err.name", nil)
	}
	sv.Timeout = survey.Seconds(f.number(l, "timeout", f.Timeout, 1, 60))
	sv.InterDigit = survey.Seconds(f.number(l, "inter_digit", f.InterDigit, 1, 10))
	sv.Retries = f.number(l, "retries", f.Retries, 0, 5)
	sv.LowScore = f.number(l, "low_score", f.LowScore, 0, 5)
	if len(f.Questions) == 0 {
		f.Errors["questions"] = l.T("survey.err.no_questions", nil)
	}
	sv.Texts = otherLanguages(base, f)
	for _, t := range f.Texts {
		sv.Texts[t.Lang] = survey.Texts{Greeting: t.Greeting, Intro: t.Intro, Invalid: t.Invalid, Thanks: t.Thanks, Questions: map[string]string{}}
	}
	old := map[string]survey.Question{}
	for _, q := range base.Questions {
		old[q.Key] = q
	}
	sv.Questions = nil
	for i, qf := range f.Questions {
		sv.Questions = append(sv.Questions, f.question(l, i, qf, old[qf.Key], sv))
	}
	return sv, len(f.Errors) == 0
}

// otherLanguages are base's texts in languages the form does not show,
// without the questions the form removed.
func otherLanguages(base survey.Survey, f *surveyForm) map[string]survey.Texts {
	out := map[string]survey.Texts{}
	for lang, t := range base.Texts {
		if slices.Contains(surveyLangs, lang) {
			continue
		}
		qs := map[string]string{}
		for _, q := range f.Questions {
			if text, ok := t.Questions[q.Key]; ok {
				qs[q.Key] = text
			}
		}
		t.Questions = qs
		out[lang] = t
	}
	return out
}

// question checks one question's row and builds it.
func (f *surveyForm) question(l *i18n.Localizer, i int, qf questionForm, old survey.Question, sv survey.Survey) survey.Question {
	p := fmt.Sprintf("q%d_", i)
	q := survey.Question{Key: qf.Key, Text: qf.Text, Required: qf.Required, Digits: old.Digits, Prompt: slices.DeleteFunc(
		slices.Clone(old.Prompt), func(m string) bool { return m == "sound:beep" })}
	if qf.Beep {
		q.Prompt = append(q.Prompt, "sound:beep")
	}
	if q.Prompt == nil {
		q.Prompt = []string{}
	}
	q.Min = f.number(l, p+"min", qf.Min, 0, 100)
	q.Max = f.number(l, p+"max", qf.Max, 0, 100)
	if f.Errors[p+"min"] == "" && f.Errors[p+"max"] == "" && q.Digits == "" && q.Min >= q.Max {
		f.Errors[p+"max"] = l.T("survey.err.range", nil)
	}
	for _, lang := range surveyLangs {
		if text := qf.Spoken[lang]; text != "" {
			sv.Texts[lang].Questions[q.Key] = text
		}
	}
	if sv.Texts[sv.Language].Questions[q.Key] == "" && len(q.Prompt) == 0 {
		field := p + "spoken_" + sv.Language
		if !slices.Contains(surveyLangs, sv.Language) {
			field = "questions"
		}
		f.Errors[field] = l.T("survey.err.spoken", nil)
	}
	return q
}

// number reads a whole number within [lo, hi]; a wrong one is noted as field's error.
func (f *surveyForm) number(l *i18n.Localizer, field, text string, lo, hi int) int {
	v, err := strconv.Atoi(text)
	if err != nil || v < lo || v > hi {
		f.Errors[field] = l.T("survey.err.number", map[string]any{"Min": lo, "Max": hi})
	}
	return v
}

// surveyFormData is the editor page's data.
type surveyFormData struct {
	Form  surveyForm
	Langs []string // the languages whose texts the form shows
	// Languages are the choices of the survey's own language: those,
	// and a stored survey's other one.
	Languages []string
}

func (sp *surveyPages) newSurvey(w http.ResponseWriter, r *http.Request) {
	tmpl := survey.DefaultSurvey()
	tmpl.Name, tmpl.Default = loc(r).T("web.survey.new", nil), false
	sp.showForm(w, r, http.StatusOK, newSurveyForm(tmpl))
}

func (sp *surveyPages) editSurvey(w http.ResponseWriter, r *http.Request) {
	sv, err := sp.surveys.GetSurvey(r.Context(), pathID(r))
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	sv.Name = seeded(loc(r), sv.Name) // a seeded name in the reader's words until renamed
	sp.showForm(w, r, http.StatusOK, newSurveyForm(sv))
}

func (sp *surveyPages) showForm(w http.ResponseWriter, r *http.Request, status int, f surveyForm) {
	title := "survey.form.new"
	if f.ID != 0 {
		title = "survey.form.edit"
	}
	for i := range f.Questions {
		f.Questions[i].Num, f.Questions[i].Last = i+1, i == len(f.Questions)-1
	}
	problem := ""
	if len(f.Errors) > 0 {
		problem = loc(r).T("survey.err.form", nil)
	}
	langs := surveyLangs
	if f.Language != "" && !slices.Contains(langs, f.Language) {
		langs = append(slices.Clone(langs), f.Language)
	}
	sp.p.render(w, r, status, "survey_form", title, view{Error: problem, Active: "/surveys",
		Data: surveyFormData{Form: f, Langs: surveyLangs, Languages: langs}})
}

// saveSurvey applies a question button, or checks and saves the survey.
func (sp *surveyPages) saveSurvey(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	id := pathID(r)
	f := readSurveyForm(r, id)
	if f.edit(r.PostFormValue("op")) {
		sp.showForm(w, r, http.StatusOK, f)
		return
	}
	base := survey.Survey{}
	if id != 0 {
		var err error
		if base, err = sp.surveys.GetSurvey(r.Context(), id); err != nil {
			sp.p.errorPage(w, r, err)
			return
		}
	}
	sv, ok := f.survey(loc(r), base)
	if !ok {
		sp.showForm(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	var err error
	if id != 0 {
		err = sp.surveys.UpdateSurvey(r.Context(), &sv)
	} else {
		err = sp.surveys.CreateSurvey(r.Context(), &sv)
	}
	if crm.IsKind(err, crm.KindInvalid) {
		f.Errors = map[string]string{formField(err): errorText(loc(r), err)}
		sp.showForm(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/surveys#survey-"+strconv.FormatInt(sv.ID, 10), http.StatusSeeOther)
}

// formField is the form's name of a domain error's field
// ("questions[1].max" is q1_max); others are shown at the top.
func formField(err error) string {
	var e *crm.Error
	if !errors.As(err, &e) {
		return ""
	}
	field := e.Field
	var i int
	var rest string
	if _, e := fmt.Sscanf(field, "questions[%d].%s", &i, &rest); e == nil {
		return fmt.Sprintf("q%d_%s", i, rest)
	}
	return field
}
