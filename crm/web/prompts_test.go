package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/web"
	"hotline/internal/i18n"
	"hotline/telephony/voice"
	"hotline/telephony/voice/voicetest"
)

// promptSite is a site with the prompts page, prompts synthesized with
// espeak-ng and their audio served at /media/v1/ as in hotline serve.
type promptSite struct {
	*site
	voice *voice.Voice
}

func newPromptSite(t *testing.T) *promptSite {
	t.Helper()
	st := pgtest.NewStore(t)
	cat, err := i18n.Load(i18n.Options{Default: i18n.Russian})
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU", I18n: cat})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	v, err := voice.New(context.Background(), voice.Options{Store: st.Voice, Synth: voicetest.Espeak(t), BaseURL: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	api.Router().Handle(voice.MediaPath+"*", v.Handler())
	pages.MountPrompts(web.PromptPageDeps{Surveys: st.Surveys, Audio: st.Voice, Voice: v, Catalogue: cat})
	for _, u := range []crm.User{{Login: "admin", Name: "Анна Админ", Role: crm.RoleAdmin, Language: "ru"}, {Login: "agent", Name: "Alex", Role: crm.RoleSupervisor}} {
		if _, err := auth.CreateUser(context.Background(), st.Users, u, adminPassword); err != nil {
			t.Fatal(err)
		}
	}
	return &promptSite{site: &site{t: t, store: st, ts: ts}, voice: v}
}

// upload posts a recording for prompt as a multipart form.
func (b *browser) upload(path, csrf, prompt string, file []byte) (*http.Response, string) {
	b.s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", csrf)
	_ = mw.WriteField("prompt", prompt)
	fw, _ := mw.CreateFormFile("file", "greeting.mp3")
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.s.ts.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", csrf) // as static/prompts.js sends it
	resp, err := b.hc.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

// TestPromptsPage: an admin edits a survey question's Russian text (it is
// synthesized at once and playable), synthesizes a status phrase, uploads
// an MP3 that replaces the synthesized audio; bad input changes nothing;
// a supervisor is refused.
func TestPromptsPage(t *testing.T) {
	t.Parallel()
	s := newPromptSite(t)
	ctx := context.Background()
	sv, err := s.store.Surveys.DefaultSurvey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	csrf := b.login("admin")
	resp, body := b.get("/admin/prompts")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Голосовые подсказки") ||
		!strings.Contains(body, sv.Texts["ru"].Questions["agent"]) || !strings.Contains(body, "Линия статуса заявок") {
		t.Fatalf("prompts page: %d %s", resp.StatusCode, pageError(body))
	}

	ref := "survey:" + strconv.FormatInt(sv.ID, 10) + ":ru:q.agent"
	text := "Поставьте оценку оператору: от одного до пяти."
	resp = mustPost(t, b, "/admin/prompts/text", url.Values{"csrf_token": {csrf}, "prompt": {ref}, "text": {text}})
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/admin/prompts?done=saved#prompt-survey-") {
		t.Fatalf("save text: %q", loc)
	}
	if got, _ := s.store.Surveys.DefaultSurvey(ctx); got.Texts["ru"].Questions["agent"] != text || got.Texts["en"].Questions["agent"] != sv.Texts["en"].Questions["agent"] {
		t.Fatalf("survey texts after saving: %+v", got.Texts)
	}
	a, err := s.voice.Ensure(ctx, "ru", text)
	if err != nil || a.Source != voice.Synthesized {
		t.Fatalf("the saved text was not synthesized: %+v %v", a, err)
	}
	_, body = b.get("/admin/prompts?done=saved")
	if !strings.Contains(body, "Текст сохранён и озвучен.") || !strings.Contains(body, `src="`+s.voice.Path(a)+`"`) {
		t.Fatal("the page does not play the new audio")
	}
	// The <audio> element's URL answers with the WAV.
	if resp, err := http.Get(s.voice.URL(a)); err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("audio URL: %v %v", resp, err)
	}

	mustPost(t, b, "/admin/prompts/synthesize", url.Values{"csrf_token": {csrf}, "prompt": {"status:ru:menu"}})
	menu, err := s.voice.Ensure(ctx, "ru", "Чтобы прослушать ещё раз, нажмите один. Чтобы поговорить с оператором, нажмите ноль.")
	if err != nil || menu.Source != voice.Synthesized {
		t.Fatalf("status phrase: %+v %v", menu, err)
	}

	mp3, err := os.ReadFile("../../telephony/voice/testdata/greeting.mp3")
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := b.upload("/admin/prompts/upload", csrf, ref, mp3); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	up, err := s.voice.Ensure(ctx, "ru", text)
	if err != nil || up.Source != voice.Uploaded || up.Version == a.Version || up.Duration < 1900*1e6 {
		t.Fatalf("after upload: %+v %v", up, err)
	}
	if _, body := b.get("/admin/prompts"); !strings.Contains(body, `src="`+s.voice.Path(up)+`"`) || !strings.Contains(body, "запись · 2,1 с") {
		t.Fatal("the page does not show the recording")
	}

	for name, bad := range map[string]url.Values{
		"unknown survey": {"prompt": {"survey:999999:ru:intro"}, "text": {"x"}},
		"unknown part":   {"prompt": {"survey:" + strconv.FormatInt(sv.ID, 10) + ":ru:q.nope"}, "text": {"x"}},
		"bad language":   {"prompt": {"survey:" + strconv.FormatInt(sv.ID, 10) + ":de:intro"}, "text": {"x"}},
		"too long":       {"prompt": {ref}, "text": {strings.Repeat("я", 1001)}},
		"status phrase":  {"prompt": {"status:ru:menu"}, "text": {"x"}},
	} {
		bad.Set("csrf_token", csrf)
		if resp, body := b.post("/admin/prompts/text", bad); resp.StatusCode < 400 {
			t.Errorf("%s: %d %s", name, resp.StatusCode, pageError(body))
		}
	}
	if resp, _ := b.upload("/admin/prompts/upload", csrf, ref, []byte("not audio")); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("non-audio upload: %d", resp.StatusCode)
	}
	if got, _ := s.store.Surveys.DefaultSurvey(ctx); got.Texts["ru"].Questions["agent"] != text {
		t.Fatal("a refused edit changed the survey")
	}
	if still, _ := s.voice.Ensure(ctx, "ru", text); still.Version != up.Version {
		t.Fatal("a refused upload changed the audio")
	}

	sup := s.browser()
	supCSRF := sup.login("agent") // a supervisor
	if resp, _ := sup.get("/admin/prompts"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("supervisor on the prompts page: %d", resp.StatusCode)
	}
	if resp, _ := sup.post("/admin/prompts/synthesize", url.Values{"csrf_token": {supCSRF}, "prompt": {"status:ru:menu"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("supervisor synthesizes: %d", resp.StatusCode)
	}
}
