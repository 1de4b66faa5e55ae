package httpapi_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/survey"
)

func newSurveyEnv(t *testing.T) *env {
	e := newEnv(t)
	httpapi.RegisterSurveys(e.srv, httpapi.SurveyDeps{Surveys: e.store.Surveys, Campaigns: e.store.Campaigns, Clients: e.store.Clients})
	return e
}

var newSurveyBody = map[string]any{
	"name": "Delivery poll", "intro": []string{"sound:hello-world"},
	"questions": []map[string]any{{"key": "speed", "prompt": []string{"sound:beep"}, "min": 1, "max": 5, "required": true}},
	"thanks":    []string{"sound:auth-thankyou"}, "low_score": 2,
}

func TestSurveyRoles(t *testing.T) {
	e := newSurveyEnv(t)
	agent, sup, admin := e.login(crm.RoleAgent), e.login(crm.RoleSupervisor), e.login(crm.RoleAdmin)

	// Everyone reads definitions; the default survey is shipped by the migration.
	resp, body := agent.do("GET", "/api/v1/surveys", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"default":true`) {
		t.Fatalf("agent list surveys: %d %s", resp.StatusCode, body)
	}
	// Agents may not edit surveys, see results or run campaigns.
	for _, r := range []struct{ method, path string }{
		{"POST", "/api/v1/surveys"}, {"PUT", "/api/v1/surveys/1"}, {"GET", "/api/v1/survey-results"},
		{"GET", "/api/v1/survey-responses"}, {"GET", "/api/v1/survey-responses.csv"},
		{"GET", "/api/v1/survey-campaigns"}, {"POST", "/api/v1/survey-campaigns"},
	} {
		resp, body := agent.do(r.method, r.path, newSurveyBody)
		mustProblem(t, resp, body, http.StatusForbidden)
	}
	// Supervisors edit surveys and see results; admins too.
	resp, body = sup.do("POST", "/api/v1/surveys", newSurveyBody)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("supervisor create survey: %d %s", resp.StatusCode, body)
	}
	for _, c := range []*client{sup, admin} {
		if resp, body := c.do("GET", "/api/v1/survey-results?group_by=agent", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("results: %d %s", resp.StatusCode, body)
		}
	}
	// Anonymous callers get 401.
	resp, body = e.anon().do("GET", "/api/v1/surveys", nil)
	mustProblem(t, resp, body, http.StatusUnauthorized)
}

func TestSurveyBadInput(t *testing.T) {
	e := newSurveyEnv(t)
	sup := e.login(crm.RoleSupervisor)
	bad := map[string]any{"name": "x", "questions": []map[string]any{{"prompt": []string{"beep"}, "min": 1, "max": 5}}}
	resp, body := sup.do("POST", "/api/v1/surveys", bad)
	p := mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	if len(p.Errors) == 0 || p.Errors[0].Location != "body.questions[0].prompt" {
		t.Errorf("problem = %+v, want the prompt named", p)
	}
	resp, body = sup.do("PUT", "/api/v1/surveys/999", newSurveyBody)
	mustProblem(t, resp, body, http.StatusNotFound)
	resp, body = sup.do("GET", "/api/v1/survey-results?group_by=hour", nil)
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = sup.do("POST", "/api/v1/survey-campaigns", map[string]any{"name": "c", "survey_id": 999})
	mustProblem(t, resp, body, http.StatusNotFound)
	resp, body = sup.do("POST", "/api/v1/survey-campaigns", map[string]any{"name": "c", "survey_id": 1, "time_zone": "Mars/Base"})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
}

// seedResponses stores two responses for agent anna: one completed 5 and 9,
// one partial 2 (low).
func seedResponses(t *testing.T, e *env) {
	ctx := context.Background()
	now := time.Now().Add(-time.Hour)
	for i, ans := range [][]int{{5, 9}, {2}} {
		r := survey.Response{SurveyID: 1, Node: "pbx1", ChannelID: "ch" + string(rune('a'+i)), LinkedID: "l", Caller: "+74951234567",
			Agent: "anna", State: survey.StateInProgress, StartedAt: now}
		if err := e.store.Surveys.StartResponse(ctx, &r); err != nil {
			t.Fatal(err)
		}
		scales := []survey.Scale{survey.ScaleCSAT, survey.ScaleNPS}
		keys := []string{"agent", "nps"}
		for j, v := range ans {
			if err := e.store.Surveys.SaveAnswer(ctx, survey.Answer{ResponseID: r.ID, Index: j, Key: keys[j], Value: v, Scale: scales[j], Low: v <= 2, At: now}); err != nil {
				t.Fatal(err)
			}
		}
		r.State = survey.StateCompleted
		if len(ans) == 1 {
			r.State = survey.StatePartial
		}
		end := now.Add(time.Minute)
		r.EndedAt = &end
		if err := e.store.Surveys.FinishResponse(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSurveyResultsAndCSV(t *testing.T) {
	e := newSurveyEnv(t)
	seedResponses(t, e)
	sup := e.login(crm.RoleSupervisor)
	resp, body := sup.do("GET", "/api/v1/survey-results?group_by=agent", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("results: %d %s", resp.StatusCode, body)
	}
	var out struct {
		Groups []survey.Result `json:"groups"`
	}
	mustJSON(t, body, &out)
	if len(out.Groups) != 1 || out.Groups[0].Group != "anna" {
		t.Fatalf("groups = %+v", out.Groups)
	}
	g := out.Groups[0]
	if g.Responses != 2 || *g.CSAT != 50 || *g.NPS != 100 || *g.CompletionRate != 50 || *g.ResponseRate != 100 || g.LowScores != 1 {
		t.Errorf("anna = %+v csat %v nps %v", g.Tally, *g.CSAT, *g.NPS)
	}
	resp, body = sup.do("GET", "/api/v1/survey-responses?low=true", nil)
	var low struct {
		Responses []survey.Response `json:"responses"`
	}
	mustJSON(t, body, &low)
	if resp.StatusCode != http.StatusOK || len(low.Responses) != 1 || low.Responses[0].State != survey.StatePartial {
		t.Errorf("low-score responses: %d %s", resp.StatusCode, body)
	}
	resp, body = sup.do("GET", "/api/v1/survey-responses.csv", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "Response ID" || rows[1][6] != "'+74951234567" || rows[3][9] != "2" || rows[3][11] != "true" {
		t.Errorf("csv rows = %q", rows)
	}
}

func TestSurveyCampaignAPI(t *testing.T) {
	e := newSurveyEnv(t)
	cl := e.newClient("Olga", "+74957654321")
	sup := e.login(crm.RoleSupervisor)
	resp, body := sup.do("POST", "/api/v1/survey-campaigns", map[string]any{"name": "Winter poll", "survey_id": 1,
		"time_zone": "Europe/Moscow", "window_start": "10:00", "window_end": "19:30", "max_concurrent": 3})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var c survey.Campaign
	mustJSON(t, body, &c)
	if c.WindowStart != 600 || c.WindowEnd != 1170 || c.State != survey.CampaignDraft || c.MaxAttempts != 3 {
		t.Errorf("campaign = %+v", c)
	}
	path := "/api/v1/survey-campaigns/" + itoa64(c.ID)
	resp, body = sup.do("POST", path+"/contacts", map[string]any{"phones": []string{"8 (495) 111-22-33", "+74951112233"}, "client_ids": []int64{cl.ID}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"added":2`) {
		t.Fatalf("add contacts: %d %s", resp.StatusCode, body)
	}
	resp, body = sup.do("POST", path+"/contacts", map[string]any{"phones": []string{"not a phone"}})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = sup.do("PUT", path+"/state", map[string]any{"state": "running"})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"state":"running"`) || !strings.Contains(string(body), `"pending":2`) {
		t.Fatalf("start: %d %s", resp.StatusCode, body)
	}
	resp, body = sup.do("GET", path+"/contacts", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"+74951112233"`) {
		t.Fatalf("contacts: %d %s", resp.StatusCode, body)
	}
}

func itoa64(v int64) string { return strconv.FormatInt(v, 10) }

// surveySamples are requests that succeed for an allowed caller, one per
// survey operation.
func surveySamples(t *testing.T, e *env) map[string]func() (string, any) {
	campaign := func() int64 {
		c := survey.Campaign{Name: fmt.Sprintf("matrix %d", seq.Add(1)), SurveyID: 1}
		if err := e.store.Campaigns.CreateCampaign(context.Background(), &c); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	path := func(format string) func() (string, any) {
		return func() (string, any) { return fmt.Sprintf(format, campaign()), nil }
	}
	return map[string]func() (string, any){
		"list-surveys":                  func() (string, any) { return "/api/v1/surveys", nil },
		"get-survey":                    func() (string, any) { return "/api/v1/surveys/1", nil },
		"create-survey":                 func() (string, any) { return "/api/v1/surveys", newSurveyBody },
		"update-survey":                 func() (string, any) { return "/api/v1/surveys/1", newSurveyBody },
		"survey-results":                func() (string, any) { return "/api/v1/survey-results?group_by=day", nil },
		"list-survey-responses":         func() (string, any) { return "/api/v1/survey-responses", nil },
		"export-survey-responses":       func() (string, any) { return "/api/v1/survey-responses.csv", nil },
		"list-survey-campaigns":         func() (string, any) { return "/api/v1/survey-campaigns", nil },
		"create-survey-campaign":        func() (string, any) { return "/api/v1/survey-campaigns", map[string]any{"name": "m", "survey_id": 1} },
		"get-survey-campaign":           path("/api/v1/survey-campaigns/%d"),
		"list-survey-campaign-contacts": path("/api/v1/survey-campaigns/%d/contacts"),
		"set-survey-campaign-state": func() (string, any) {
			return fmt.Sprintf("/api/v1/survey-campaigns/%d/state", campaign()), map[string]string{"state": "paused"}
		},
		"add-survey-campaign-contacts": func() (string, any) {
			return fmt.Sprintf("/api/v1/survey-campaigns/%d/contacts", campaign()), map[string]any{"phones": []string{"+74951112233"}}
		},
	}
}

// TestSurveyRoleMatrix calls every survey operation as every role.
func TestSurveyRoleMatrix(t *testing.T) {
	e := newSurveyEnv(t)
	smp := surveySamples(t, e)
	roles := map[string]crm.Role{"agent": crm.RoleAgent, "supervisor": crm.RoleSupervisor, "admin": crm.RoleAdmin}
	clients := map[string]*client{"anonymous": e.anon()}
	for name, r := range roles {
		clients[name] = e.login(r)
	}
	n := 0
	for _, op := range operations(e.srv.API()) {
		if !strings.Contains(op.Path, "survey") {
			continue
		}
		n++
		access, ok := httpapi.AccessOf(op)
		s, has := smp[op.OperationID]
		if !ok || !has {
			t.Errorf("%s: declared roles %v, has sample %v", op.OperationID, ok, has)
			continue
		}
		for name, cl := range clients {
			p, body := s()
			resp, out := cl.do(op.Method, p, body)
			want := 200
			switch {
			case name == "anonymous":
				want = 401
			case !slices.Contains(access.Roles, roles[name]):
				want = 403
			}
			if got := resp.StatusCode; (want == 200 && (got < 200 || got > 299)) || (want != 200 && got != want) {
				t.Errorf("%s %s as %s: %d, want %d: %s", op.Method, p, name, got, want, out)
			}
		}
	}
	if n != len(smp) {
		t.Errorf("%d survey operations registered, %d samples", n, len(smp))
	}
}

// TestSurveySpokenTexts: a survey written in Russian through the API keeps
// its texts; texts for an unknown question are refused.
func TestSurveySpokenTexts(t *testing.T) {
	e := newSurveyEnv(t)
	sup := e.login(crm.RoleSupervisor)
	body := map[string]any{
		"name": "Опрос о доставке", "language": "ru",
		"questions": []map[string]any{{"key": "speed", "prompt": []string{}, "min": 1, "max": 5, "required": true}},
		"texts": map[string]any{"ru": map[string]any{"intro": "Здравствуйте!", "questions": map[string]string{"speed": "Оцените скорость доставки."},
			"thanks": "Спасибо!"}},
	}
	resp, out := sup.do("POST", "/api/v1/surveys", body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, out)
	}
	var sv survey.Survey
	if err := json.Unmarshal(out, &sv); err != nil || sv.Texts["ru"].Questions["speed"] != "Оцените скорость доставки." || sv.Texts["ru"].Intro != "Здравствуйте!" {
		t.Fatalf("created %+v, %v", sv, err)
	}
	body["texts"] = map[string]any{"ru": map[string]any{"questions": map[string]string{"price": "?"}}}
	resp, out = sup.do("POST", "/api/v1/surveys", body)
	mustProblem(t, resp, out, http.StatusUnprocessableEntity)
}
