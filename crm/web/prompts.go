package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/internal/i18n"
	"hotline/survey"
	"hotline/telephony/voice"
)

// PromptVoice makes and replaces prompts' audio (*voice.Voice).
type PromptVoice interface {
	Resynthesize(ctx context.Context, lang, text string) (voice.Audio, error)
	Upload(ctx context.Context, lang, text string, file []byte) (voice.Audio, error)
	Media(ctx context.Context, lang, text string) (string, error)
	// Path is the signed path of a's audio on this server (the page's
	// <audio> element fetches it from the page's own origin).
	Path(a voice.Audio) string
}

// PromptSurveys are the surveys whose texts are prompts.
type PromptSurveys interface {
	ListSurveys(ctx context.Context) ([]survey.Survey, error)
	GetSurvey(ctx context.Context, id int64) (survey.Survey, error)
	UpdateSurvey(ctx context.Context, sv *survey.Survey) error
}

// PromptAudio tells which prompts have audio made (crm/postgres.VoiceService).
type PromptAudio interface {
	AudioInfos(ctx context.Context, keys []string) (map[string]voice.Audio, error)
}

// PromptPageDeps are what the prompts page needs. Catalogue gives the
// status line's phrases, which are prompts too.
type PromptPageDeps struct {
	Surveys   PromptSurveys
	Audio     PromptAudio
	Voice     PromptVoice
	Catalogue *i18n.Catalogue
}

// statusPhrases are the status line's fixed phrases (those without
// arguments: the others are made per request and synthesized on the call).
var statusPhrases = []string{"greeting", "none", "request", "state.new", "state.in_progress", "state.waiting",
	"state.reopened", "unassigned", "menu", "agent", "goodbye"}

// maxPromptSurveys bounds the surveys one page lists.
const maxPromptSurveys = 50

type promptPages struct {
	p *Pages
	o PromptPageDeps
}

// MountPrompts adds the prompts page (/admin/prompts) for admins: every
// spoken prompt with its text and language, a player, "synthesize again"
// and a recording upload; survey prompts' texts are edited there.
func (p *Pages) MountPrompts(o PromptPageDeps) {
	pp := &promptPages{p: p, o: o}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser, requireAdmin(p))
		r.Get("/admin/prompts", pp.page)
		r.Post("/admin/prompts/text", pp.saveText)
		r.Post("/admin/prompts/synthesize", pp.synthesize)
		r.Post("/admin/prompts/upload", pp.upload)
	})
	p.AddNav(NavItem{Label: "web.nav.prompts", Path: "/admin/prompts", Roles: []crm.Role{crm.RoleAdmin}, Group: "web.nav.group.admin"})
}

func requireAdmin(p *Pages) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if pr := crm.UserFromContext(r.Context()); pr == nil || pr.Role != crm.RoleAdmin {
				p.errorPage(w, r, crm.Errorf(crm.KindForbidden, "prompts are for admins"))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// promptRow is one prompt: where it is said, its language and text, and
// its audio if made.
type promptRow struct {
	Ref      string // survey:<id>:<lang>:<part> or status:<lang>:<phrase>
	Group    string // the survey's name, or the status line
	Part     string // what the prompt is, in the reader's language
	Lang     string
	Text     string
	Editable bool
	Audio    *voice.Audio
	URL      string // signed, for the <audio> element
	Duration string
	Anchor   string
}

// promptGroup is a survey's prompts, or the status line's.
type promptGroup struct {
	ID, Name string
	Rows     []promptRow
}

type promptsData struct {
	l      *i18n.Localizer
	Groups []promptGroup
}

// T is a text of the page in the reader's language.
func (d promptsData) T(key string) string { return d.l.T(key, nil) }

func (pp *promptPages) page(w http.ResponseWriter, r *http.Request) {
	pp.render(w, r, http.StatusOK, "", r.URL.Query().Get("done"))
}

func (pp *promptPages) render(w http.ResponseWriter, r *http.Request, status int, problem, flash string) {
	ctx := r.Context()
	l := i18n.FromContext(ctx)
	rows, err := pp.rows(ctx, l)
	if err != nil {
		pp.p.errorPage(w, r, err)
		return
	}
	if flash != "" {
		flash = l.T("voice.page.done."+flash, nil)
	}
	var groups []promptGroup
	for _, row := range rows {
		id := "prompts-status-line"
		if kind, rest, _ := strings.Cut(row.Ref, ":"); kind == "survey" {
			sid, _, _ := strings.Cut(rest, ":")
			id = "prompts-survey-" + sid
		}
		if len(groups) == 0 || groups[len(groups)-1].ID != id {
			groups = append(groups, promptGroup{ID: id, Name: row.Group})
		}
		groups[len(groups)-1].Rows = append(groups[len(groups)-1].Rows, row)
	}
	pp.p.render(w, r, status, "prompts", "voice.page.title", view{Error: problem, Flash: flash, Data: promptsData{l: l, Groups: groups}})
}

// rows lists every prompt: the surveys' parts in Russian and English, then
// the status line's phrases, with the audio made of each.
func (pp *promptPages) rows(ctx context.Context, l *i18n.Localizer) ([]promptRow, error) {
	surveys, err := pp.o.Surveys.ListSurveys(ctx)
	if err != nil {
		return nil, err
	}
	var rows []promptRow
	for _, sv := range surveys[:min(len(surveys), maxPromptSurveys)] {
		for _, lang := range crm.Languages {
			for _, part := range surveyParts(sv) {
				rows = append(rows, promptRow{Ref: fmt.Sprintf("survey:%d:%s:%s", sv.ID, lang, part), Group: sv.Name,
					Part: partName(l, part), Lang: lang, Text: surveyText(sv, lang, part), Editable: true})
			}
		}
	}
	for _, lang := range crm.Languages {
		for _, ph := range statusPhrases {
			rows = append(rows, promptRow{Ref: "status:" + lang + ":" + ph, Group: l.T("voice.page.status_line", nil),
				Part: l.T("voice.page.phrase."+ph, nil), Lang: lang, Text: pp.o.Catalogue.For(i18n.Lang(lang)).T("voice.status."+ph, nil)})
		}
	}
	keys := make([]string, 0, len(rows))
	for _, row := range rows {
		if row.Text != "" {
			keys = append(keys, voice.Key(row.Lang, row.Text))
		}
	}
	audio, err := pp.o.Audio.AudioInfos(ctx, keys)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Anchor = "prompt-" + strings.NewReplacer(":", "-", ".", "-").Replace(rows[i].Ref)
		if a, ok := audio[voice.Key(rows[i].Lang, rows[i].Text)]; ok && rows[i].Text != "" {
			rows[i].Audio, rows[i].URL = &a, pp.o.Voice.Path(a)
			rows[i].Duration = l.Decimal(a.Duration.Round(100*time.Millisecond).Milliseconds()/100, 1) // tenths of a second
		}
	}
	return rows, nil
}

// surveyParts are the prompts of a survey: greeting, intro, each
// question, invalid answer, thanks.
func surveyParts(sv survey.Survey) []string {
	parts := []string{"greeting", "intro"}
	for _, q := range sv.Questions {
		parts = append(parts, "q."+q.Key)
	}
	return append(parts, "invalid", "thanks")
}

func partName(l *i18n.Localizer, part string) string {
	if key, ok := strings.CutPrefix(part, "q."); ok {
		return l.T("voice.page.part.question", map[string]any{"Key": key})
	}
	return l.T("voice.page.part."+part, nil)
}

func surveyText(sv survey.Survey, lang, part string) string {
	t := sv.Texts[lang]
	switch part {
	case "greeting":
		return t.Greeting
	case "intro":
		return t.Intro
	case "invalid":
		return t.Invalid
	case "thanks":
		return t.Thanks
	}
	return t.Questions[strings.TrimPrefix(part, "q.")]
}

func setSurveyText(sv *survey.Survey, lang, part, text string) {
	if sv.Texts == nil {
		sv.Texts = map[string]survey.Texts{}
	}
	t := sv.Texts[lang]
	switch part {
	case "greeting":
		t.Greeting = text
	case "intro":
		t.Intro = text
	case "invalid":
		t.Invalid = text
	case "thanks":
		t.Thanks = text
	default:
		qs := map[string]string{}
		for k, v := range t.Questions {
			qs[k] = v
		}
		if text == "" {
			delete(qs, strings.TrimPrefix(part, "q."))
		} else {
			qs[strings.TrimPrefix(part, "q.")] = text
		}
		t.Questions = qs
	}
	sv.Texts[lang] = t
}

// prompt resolves a ref to its survey (nil for a status phrase), language,
// part and current text; the text is never taken from the form.
func (pp *promptPages) prompt(ctx context.Context, ref string) (*survey.Survey, string, string, string, error) {
	bad := crm.Invalid("prompt", "unknown prompt %q", ref)
	kind, rest, _ := strings.Cut(ref, ":")
	switch kind {
	case "survey":
		f := strings.SplitN(rest, ":", 3)
		if len(f) != 3 || !slices.Contains(crm.Languages, f[1]) {
			return nil, "", "", "", bad
		}
		id, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || id <= 0 {
			return nil, "", "", "", bad
		}
		sv, err := pp.o.Surveys.GetSurvey(ctx, id)
		if err != nil {
			return nil, "", "", "", err
		}
		if !slices.Contains(surveyParts(sv), f[2]) {
			return nil, "", "", "", bad
		}
		return &sv, f[1], f[2], surveyText(sv, f[1], f[2]), nil
	case "status":
		lang, ph, ok := strings.Cut(rest, ":")
		if !ok || !slices.Contains(crm.Languages, lang) || !slices.Contains(statusPhrases, ph) {
			return nil, "", "", "", bad
		}
		return nil, lang, ph, pp.o.Catalogue.For(i18n.Lang(lang)).T("voice.status."+ph, nil), nil
	}
	return nil, "", "", "", bad
}

func (pp *promptPages) saveText(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ref := r.PostFormValue("prompt")
	sv, lang, part, _, err := pp.prompt(ctx, ref)
	if err == nil && sv == nil {
		err = crm.Invalid("prompt", "the status line's phrases are in the message catalogue")
	}
	if err != nil {
		pp.fail(w, r, err)
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	setSurveyText(sv, lang, part, text)
	if err := pp.o.Surveys.UpdateSurvey(ctx, sv); err != nil {
		pp.fail(w, r, err)
		return
	}
	if text != "" { // made now, so the first caller does not wait for it
		if _, err := pp.o.Voice.Media(ctx, lang, text); err != nil {
			pp.fail(w, r, fmt.Errorf("%w: %w", errSpeech, err))
			return
		}
	}
	pp.done(w, r, "saved", ref)
}

var errSpeech = errors.New("the text is saved but could not be spoken")

func (pp *promptPages) synthesize(w http.ResponseWriter, r *http.Request) {
	ref := r.PostFormValue("prompt")
	_, lang, _, text, err := pp.prompt(r.Context(), ref)
	if err == nil && text == "" {
		err = crm.Invalid("text", "the prompt has no text to speak")
	}
	if err == nil {
		_, err = pp.o.Voice.Resynthesize(r.Context(), lang, text)
	}
	if err != nil {
		pp.fail(w, r, err)
		return
	}
	pp.done(w, r, "synthesized", ref)
}

func (pp *promptPages) upload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, voice.MaxUpload+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		pp.fail(w, r, crm.Invalid("file", "send a WAV or MP3 file of at most %d MiB", voice.MaxUpload>>20))
		return
	}
	ref := r.FormValue("prompt")
	_, lang, _, text, err := pp.prompt(r.Context(), ref)
	if err == nil && text == "" {
		err = crm.Invalid("text", "write the prompt's text first: the recording replaces its audio")
	}
	if err != nil {
		pp.fail(w, r, err)
		return
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		pp.fail(w, r, crm.Invalid("file", "choose a WAV or MP3 file"))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, voice.MaxUpload+1))
	if err == nil {
		_, err = pp.o.Voice.Upload(r.Context(), lang, text, data)
	}
	if err != nil {
		pp.fail(w, r, err)
		return
	}
	pp.done(w, r, "uploaded", ref)
}

func (pp *promptPages) done(w http.ResponseWriter, r *http.Request, what, ref string) {
	anchor := "prompt-" + strings.NewReplacer(":", "-", ".", "-").Replace(ref)
	http.Redirect(w, r, "/admin/prompts?done="+url.QueryEscape(what)+"#"+anchor, http.StatusSeeOther)
}

// fail shows the page again with the error; nothing was changed.
func (pp *promptPages) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := crm.ErrorStatus(err)
	if errors.Is(err, errSpeech) {
		status = http.StatusOK
	} else if status >= 500 {
		pp.p.errorPage(w, r, err)
		return
	}
	msg := err.Error()
	if errors.Is(err, errSpeech) {
		msg = i18n.FromContext(r.Context()).T("voice.page.error.speech", nil)
	}
	pp.render(w, r, status, msg, "")
}
