package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/web"
	"hotline/survey"
)

// newSurveySite is newSite with the survey page mounted.
func newSurveySite(t *testing.T) *site {
	t.Helper()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountSurveys(web.SurveyPageDeps{Surveys: st.Surveys, Campaigns: st.Campaigns, Classes: st.Priority, Owners: st.Users})
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	for _, u := range []crm.User{{Login: "admin", Name: "Anna Admin", Role: crm.RoleAdmin}, {Login: "agent", Name: "Alex Agent", Role: crm.RoleAgent}} {
		if _, err := auth.CreateUser(context.Background(), st.Users, u, adminPassword); err != nil {
			t.Fatal(err)
		}
	}
	return &site{t: t, store: st, ts: ts}
}

func TestSurveyPageForSupervisorsOnly(t *testing.T) {
	s := newSurveySite(t)
	agent := s.browser()
	agent.login("agent")
	if resp, _ := agent.get("/surveys"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent /surveys: %d, want 403", resp.StatusCode)
	}
	if _, body := agent.get("/clients"); strings.Contains(body, `href="/surveys"`) {
		t.Error("agents see the Surveys link")
	}
	admin := s.browser()
	admin.login("admin")
	resp, body := admin.get("/surveys")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "After-call satisfaction") || !strings.Contains(body, `href="/surveys"`) {
		t.Fatalf("admin /surveys: %d %s", resp.StatusCode, body)
	}
}

func TestSurveyPageCampaignAndDefinitionForms(t *testing.T) {
	s := newSurveySite(t)
	b := s.browser()
	csrf := b.login("admin")
	ctx := context.Background()

	// A campaign with a bad number is refused and the form keeps what was typed.
	resp, body := b.post("/surveys/campaigns", url.Values{"csrf_token": {csrf}, "name": {"<b>Winter</b>"}, "survey_id": {"1"},
		"phones": {"+74951112233\nnonsense"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "nonsense") || strings.Contains(body, "<b>Winter</b>") {
		t.Fatalf("bad campaign: %d %s", resp.StatusCode, body)
	}
	resp, _ = b.post("/surveys/campaigns", url.Values{"csrf_token": {csrf}, "name": {"Winter"}, "survey_id": {"1"},
		"time_zone": {"Europe/Moscow"}, "window_start": {"10:00"}, "phones": {"+74951112233\n8 495 111 22 44"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create campaign: %d", resp.StatusCode)
	}
	list, err := s.store.Campaigns.ListCampaigns(ctx)
	if err != nil || len(list) != 1 || list[0].WindowStart != 600 {
		t.Fatalf("campaigns = %+v, %v", list, err)
	}
	id := list[0].ID
	if resp, _ := b.post("/surveys/campaigns/"+itoa(id)+"/state", url.Values{"csrf_token": {csrf}, "state": {"running"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", resp.StatusCode)
	}
	_, body = b.get("/surveys")
	if !strings.Contains(body, "running") || !strings.Contains(body, "pending 2") {
		t.Errorf("page does not show the running campaign with 2 pending contacts: %s", body)
	}
	// Without the CSRF token nothing changes.
	if resp, _ := b.post("/surveys/campaigns/"+itoa(id)+"/state", url.Values{"state": {"done"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("state change without CSRF: %d", resp.StatusCode)
	}

	// Definitions are edited on a form; invalid fields are refused with their own messages.
	form := surveyFormValues(csrf)
	form.Set("q0_max", "1")
	form.Set("q1_spoken_ru", "")
	form.Del("q1_beep")
	resp, body = b.post("/surveys/1", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The highest answer must be above the lowest") ||
		!strings.Contains(body, "Write the question&#39;s text or turn the beep on") {
		t.Fatalf("bad definition: %d %s", resp.StatusCode, body)
	}
	form = surveyFormValues(csrf)
	form.Set("name", "Renamed")
	resp, _ = b.post("/surveys/1", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save definition: %d", resp.StatusCode)
	}
	got, err := s.store.Surveys.GetSurvey(ctx, 1)
	if err != nil || got.Name != "Renamed" || len(got.Questions) != 2 || got.Texts["ru"].Questions["nps"] == "" {
		t.Errorf("survey 1 = %+v, %v", got, err)
	}
}

// TestSurveyEditorQuestionButtons: questions are added, moved and removed
// by the form's buttons, which save nothing until Save.
func TestSurveyEditorQuestionButtons(t *testing.T) {
	s := newSurveySite(t)
	b := s.browser()
	csrf := b.login("admin")
	form := surveyFormValues(csrf)
	form.Set("op", "add")
	_, body := b.post("/surveys/1", form)
	if !strings.Contains(body, `name="q2_key" value="q3"`) || !strings.Contains(body, `name="questions" value="3"`) {
		t.Fatalf("add: %s", body)
	}
	form.Set("op", "down:0")
	_, body = b.post("/surveys/1", form)
	if i, j := strings.Index(body, `value="nps"`), strings.Index(body, `value="agent"`); i < 0 || j < 0 || i > j {
		t.Errorf("down: nps should come first")
	}
	form.Set("op", "remove:0")
	_, body = b.post("/surveys/1", form)
	if strings.Contains(body, `value="agent"`) || !strings.Contains(body, `name="questions" value="1"`) {
		t.Errorf("remove: %s", body)
	}
	if got, _ := s.store.Surveys.GetSurvey(context.Background(), 1); len(got.Questions) != 2 {
		t.Errorf("the buttons saved the survey: %+v", got.Questions)
	}
}

// surveyFormValues is the editor's form of the default survey.
func surveyFormValues(csrf string) url.Values {
	sv := survey.DefaultSurvey()
	v := url.Values{"csrf_token": {csrf}, "name": {sv.Name}, "language": {"ru"}, "timeout": {"5"}, "inter_digit": {"2"},
		"retries": {"1"}, "low_score": {"2"}, "questions": {strconv.Itoa(len(sv.Questions))}}
	for _, l := range []string{"ru", "en"} {
		t := sv.Texts[l]
		v.Set("greeting_"+l, t.Greeting)
		v.Set("intro_"+l, t.Intro)
		v.Set("invalid_"+l, t.Invalid)
		v.Set("thanks_"+l, t.Thanks)
	}
	for i, q := range sv.Questions {
		p := "q" + strconv.Itoa(i) + "_"
		v.Set(p+"key", q.Key)
		v.Set(p+"text", q.Text)
		v.Set(p+"min", strconv.Itoa(q.Min))
		v.Set(p+"max", strconv.Itoa(q.Max))
		v.Set(p+"beep", "1")
		for _, l := range []string{"ru", "en"} {
			v.Set(p+"spoken_"+l, sv.Texts[l].Questions[q.Key])
		}
	}
	return v
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// TestSurveyEditorKeepsOtherLanguages: a survey speaking German (made
// through the API) keeps its German texts and language when saved on the
// form, which shows Russian and English.
func TestSurveyEditorKeepsOtherLanguages(t *testing.T) {
	s := newSurveySite(t)
	ctx := context.Background()
	sv := survey.Survey{Name: "Umfrage", Language: "de",
		Questions: []survey.Question{{Key: "q1", Prompt: []string{}, Min: 1, Max: 5}, {Key: "q2", Prompt: []string{"sound:beep"}, Min: 0, Max: 10}},
		Texts:     map[string]survey.Texts{"de": {Intro: "Hallo", Questions: map[string]string{"q1": "Wie war es?", "q2": "Empfehlen?"}}}}
	if err := s.store.Surveys.CreateSurvey(ctx, &sv); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	csrf := b.login("admin")
	_, body := b.get("/surveys/" + itoa(sv.ID) + "/edit")
	if !strings.Contains(body, `<option value="de" selected>`) {
		t.Fatalf("the form does not keep the survey's language: %s", body)
	}
	form := url.Values{"csrf_token": {csrf}, "name": {"Umfrage 2"}, "language": {"de"}, "timeout": {"5"}, "inter_digit": {"2"},
		"retries": {"1"}, "low_score": {"0"}, "questions": {"1"}, "q0_key": {"q1"}, "q0_min": {"1"}, "q0_max": {"5"}}
	if resp, body := b.post("/surveys/"+itoa(sv.ID), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", resp.StatusCode, body)
	}
	got, _ := s.store.Surveys.GetSurvey(ctx, sv.ID)
	if got.Language != "de" || got.Texts["de"].Intro != "Hallo" || got.Texts["de"].Questions["q1"] != "Wie war es?" || len(got.Texts["de"].Questions) != 1 {
		t.Errorf("saved = %+v", got)
	}
}
