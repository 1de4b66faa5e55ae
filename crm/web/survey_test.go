package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/postgres/pgtest"
	"hotline/survey"
)

// newSurveySite is newSite with the survey page mounted.
func newSurveySite(t *testing.T) *site {
	t.Helper()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Store: pgtest.WithClients(st), PhoneRegion: "RU"})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountSurveys(pgtest.WithClients(st))
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	for _, u := range []crm.User{{Login: "admin", Name: "Anna Admin", Role: crm.RoleAdmin}, {Login: "agent", Name: "Alex Agent", Role: crm.RoleAgent}} {
		if _, err := httpapi.CreateUser(context.Background(), st, u, adminPassword); err != nil {
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
	list, err := s.store.ListCampaigns(ctx)
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

	// Definitions are edited as JSON; invalid ones are refused with the field named.
	resp, body = b.post("/surveys/1", url.Values{"csrf_token": {csrf}, "definition": {`{"name":"x","questions":[{"prompt":["beep"],"min":1,"max":5}]}`}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "questions[0].prompt") {
		t.Fatalf("bad definition: %d", resp.StatusCode)
	}
	sv := survey.DefaultSurvey()
	sv.Name = "Renamed"
	resp, _ = b.post("/surveys/1", url.Values{"csrf_token": {csrf}, "definition": {mustJSONText(t, sv)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save definition: %d", resp.StatusCode)
	}
	if got, err := s.store.GetSurvey(ctx, 1); err != nil || got.Name != "Renamed" {
		t.Errorf("survey 1 = %q, %v", got.Name, err)
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func mustJSONText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
