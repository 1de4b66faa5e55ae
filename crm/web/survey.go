package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/survey"
)

// surveyPages serves the survey admin page: results per agent, survey
// definitions (edited as JSON) and phone questionnaire campaigns.
type surveyPages struct {
	p         *Pages
	surveys   survey.Service
	campaigns survey.CampaignService
}

// SurveyPageDeps are what the survey pages read and write.
type SurveyPageDeps struct {
	Surveys   survey.Service
	Campaigns survey.CampaignService
}

// MountSurveys adds the survey admin page (/surveys) for supervisors and
// admins, with a "Surveys" link in their nav bar.
func (p *Pages) MountSurveys(deps SurveyPageDeps) {
	sp := &surveyPages{p: p, surveys: deps.Surveys, campaigns: deps.Campaigns}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser, sp.requireSupervisor)
		r.Get("/surveys", sp.page)
		r.Post("/surveys", sp.saveSurvey)
		r.Post("/surveys/{id}", sp.saveSurvey)
		r.Post("/surveys/campaigns", sp.createCampaign)
		r.Post("/surveys/campaigns/{id}/state", sp.setState)
	})
	p.AddNav(NavItem{Label: "web.nav.surveys", Path: "/surveys", Roles: []crm.Role{crm.RoleSupervisor, crm.RoleAdmin}, Group: "web.nav.group.reports"})
}

func (sp *surveyPages) requireSupervisor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pr := crm.UserFromContext(r.Context()); pr == nil || pr.Role == crm.RoleAgent {
			sp.p.errorPage(w, r, crm.Errorf(crm.KindForbidden, "surveys are for supervisors and admins"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

type surveyDef struct {
	survey.Survey
	JSON string
}

type resultRow struct {
	Class, Group                                 string
	Responses, Low                               int
	CSAT, NPS, Avg, ResponseRate, CompletionRate string
}

func newResultRow(r survey.Result, class string) resultRow {
	return resultRow{Class: class, Group: r.Group, Responses: r.Responses, Low: r.LowScores, CSAT: fnum(r.CSAT), NPS: fnum(r.NPS),
		Avg: fnum(r.AvgScore), ResponseRate: fnum(r.ResponseRate), CompletionRate: fnum(r.CompletionRate)}
}

func fnum(p *float64) string {
	if p == nil {
		return "–"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

type campaignRow struct {
	survey.Campaign
	SurveyName, Window string
}

type surveyPageData struct {
	Results   []resultRow
	Surveys   []surveyDef
	Campaigns []campaignRow
	NewJSON   string
	Form      map[string]string
}

func (sp *surveyPages) page(w http.ResponseWriter, r *http.Request) {
	sp.show(w, r, http.StatusOK, "", nil)
}

func (sp *surveyPages) show(w http.ResponseWriter, r *http.Request, status int, problem string, form map[string]string) {
	ctx := r.Context()
	to := time.Now()
	tallies, err := sp.surveys.SurveyTallies(ctx, survey.ResultFilter{GroupBy: survey.ByAgent, From: to.AddDate(0, 0, -30), To: to})
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	d := surveyPageData{Form: form}
	var total survey.Tally
	for _, t := range tallies {
		d.Results = append(d.Results, newResultRow(t.Rates(), "agent-row"))
		total = total.Add(t)
	}
	if len(tallies) > 0 {
		total.Group = "All"
		d.Results = append(d.Results, newResultRow(total.Rates(), "total-row"))
	}
	list, err := sp.surveys.ListSurveys(ctx)
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, s := range list {
		def := surveyDef{Survey: s, JSON: definitionJSON(s)}
		def.Name = seeded(loc(r), s.Name) // the JSON keeps the stored name
		d.Surveys = append(d.Surveys, def)
		names[s.ID] = def.Name
	}
	campaigns, err := sp.campaigns.ListCampaigns(ctx)
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	for _, c := range campaigns {
		if full, err := sp.campaigns.GetCampaign(ctx, c.ID); err == nil {
			c = full
		}
		d.Campaigns = append(d.Campaigns, campaignRow{Campaign: c, SurveyName: names[c.SurveyID],
			Window: fmt.Sprintf("%02d:%02d–%02d:%02d %s", c.WindowStart/60, c.WindowStart%60, c.WindowEnd/60, c.WindowEnd%60, c.TimeZone)})
	}
	tmpl := survey.DefaultSurvey()
	tmpl.Name, tmpl.Default = loc(r).T("web.survey.new", nil), false
	d.NewJSON = definitionJSON(tmpl)
	if form != nil && form["definition"] != "" {
		d.NewJSON = form["definition"]
	}
	sp.p.render(w, r, status, "survey", "web.nav.surveys", view{Error: problem, Data: d})
}

// definitionJSON is the editable part of a survey, indented.
func definitionJSON(s survey.Survey) string {
	s.ID, s.CreatedAt, s.UpdatedAt = 0, time.Time{}, time.Time{}
	b, _ := json.MarshalIndent(struct {
		survey.Survey
		ID        int64 `json:"id,omitempty"`
		CreatedAt *int  `json:"created_at,omitempty"`
		UpdatedAt *int  `json:"updated_at,omitempty"`
	}{Survey: s}, "", "  ")
	return string(b)
}

func (sp *surveyPages) saveSurvey(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	def := r.PostFormValue("definition")
	var sv survey.Survey
	dec := json.NewDecoder(strings.NewReader(def))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sv); err != nil {
		sp.show(w, r, http.StatusUnprocessableEntity, loc(r).T("web.survey.err.json", map[string]any{"Error": err.Error()}), map[string]string{"definition": def})
		return
	}
	var err error
	if idText := chi.URLParam(r, "id"); idText != "" {
		sv.ID, _ = strconv.ParseInt(idText, 10, 64)
		err = sp.surveys.UpdateSurvey(r.Context(), &sv)
	} else {
		err = sp.surveys.CreateSurvey(r.Context(), &sv)
	}
	if err != nil {
		if crm.IsKind(err, crm.KindInvalid) {
			sp.show(w, r, http.StatusUnprocessableEntity, loc(r).T("web.survey.err.survey", map[string]any{"Error": errorText(loc(r), err)}), map[string]string{"definition": def})
			return
		}
		sp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/surveys#survey-"+strconv.FormatInt(sv.ID, 10), http.StatusSeeOther)
}

func (sp *surveyPages) createCampaign(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	form := map[string]string{}
	for _, k := range []string{"name", "survey_id", "time_zone", "window_start", "window_end", "max_concurrent", "per_minute", "max_attempts", "retry_delay", "caller_id", "phones"} {
		form[k] = r.PostFormValue(k)
	}
	fail := func(msg string) {
		sp.show(w, r, http.StatusUnprocessableEntity, loc(r).T("web.survey.err.campaign", map[string]any{"Error": msg}), form)
	}
	atoi := func(k string) int { v, _ := strconv.Atoi(strings.TrimSpace(form[k])); return v }
	surveyID, _ := strconv.ParseInt(form["survey_id"], 10, 64)
	c := survey.Campaign{Name: form["name"], SurveyID: surveyID, TimeZone: strings.TrimSpace(form["time_zone"]),
		WindowStart: hhmm(form["window_start"], 9*60), WindowEnd: hhmm(form["window_end"], 20*60),
		MaxConcurrent: atoi("max_concurrent"), PerMinute: atoi("per_minute"), MaxAttempts: atoi("max_attempts"),
		RetryDelay: survey.Seconds(atoi("retry_delay")), CallerID: strings.TrimSpace(form["caller_id"]), State: survey.CampaignDraft}
	var contacts []survey.Contact
	for _, line := range strings.FieldsFunc(form["phones"], func(r rune) bool { return r == '\n' || r == ';' }) {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		e164, err := sp.p.api.Phone().E164(line)
		if err != nil {
			fail(loc(r).T("web.survey.err.phone", map[string]any{"Number": line}))
			return
		}
		contacts = append(contacts, survey.Contact{Phone: e164})
	}
	if len(contacts) == 0 {
		fail(loc(r).T("web.survey.err.no_phones", nil))
		return
	}
	if err := sp.campaigns.CreateCampaign(r.Context(), &c); err != nil {
		if k := crm.KindOf(err); k == crm.KindInvalid || k == crm.KindNotFound {
			fail(errorText(loc(r), err))
			return
		}
		sp.p.errorPage(w, r, err)
		return
	}
	if _, err := sp.campaigns.AddCampaignContacts(r.Context(), c.ID, contacts); err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/surveys#campaign-"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

func hhmm(s string, def int) int {
	var h, m int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil || h < 0 || h > 24 || m < 0 || m > 59 {
		return def
	}
	return h*60 + m
}

func (sp *surveyPages) setState(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	state := survey.CampaignState(r.PostFormValue("state"))
	switch state {
	case survey.CampaignRunning, survey.CampaignPaused, survey.CampaignDone:
	default:
		sp.p.errorPage(w, r, crm.Invalid("state", "must be running, paused or done"))
		return
	}
	if err := sp.campaigns.SetCampaignState(r.Context(), id, state); err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/surveys#campaign-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
