package httpapi_test

import (
	"context"
	"encoding/csv"
	"net/http"
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
	httpapi.RegisterSurveys(e.srv.API(), httpapi.SurveyDeps{Store: e.store, Normalize: e.srv.Phone().E164})
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
		if err := e.store.StartResponse(ctx, &r); err != nil {
			t.Fatal(err)
		}
		scales := []survey.Scale{survey.ScaleCSAT, survey.ScaleNPS}
		keys := []string{"agent", "nps"}
		for j, v := range ans {
			if err := e.store.SaveAnswer(ctx, survey.Answer{ResponseID: r.ID, Index: j, Key: keys[j], Value: v, Scale: scales[j], Low: v <= 2, At: now}); err != nil {
				t.Fatal(err)
			}
		}
		r.State = survey.StateCompleted
		if len(ans) == 1 {
			r.State = survey.StatePartial
		}
		end := now.Add(time.Minute)
		r.EndedAt = &end
		if err := e.store.FinishResponse(ctx, r); err != nil {
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
	resp, body = sup.do("GET", "/api/v1/survey-responses.csv", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "response_id" || rows[1][6] != "'+74951234567" || rows[3][9] != "2" || rows[3][11] != "true" {
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
