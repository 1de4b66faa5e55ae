package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/survey"
)

// surveyPages serves the survey pages for supervisors and admins: results
// per agent, the survey editor, phone questionnaire campaigns (their
// audience, progress and results) and the clients who refuse survey calls.
type surveyPages struct {
	p         *Pages
	surveys   survey.Service
	campaigns survey.CampaignService
	classes   SurveyClasses
	owners    SurveyOwners
	now       func() time.Time
}

// SurveyClasses list the priority classes the campaign filter offers.
type SurveyClasses interface {
	List(ctx context.Context) ([]crm.PriorityClass, error)
}

// SurveyOwners list the users the campaign filter's owner picker searches.
type SurveyOwners interface {
	ListUsers(ctx context.Context) ([]crm.User, error)
}

// SurveyPageDeps are what the survey pages read and write. Now is the
// clock of purchase windows (nil: time.Now).
type SurveyPageDeps struct {
	Surveys   survey.Service
	Campaigns survey.CampaignService
	Classes   SurveyClasses
	Owners    SurveyOwners
	Now       func() time.Time
}

// MountSurveys adds the survey pages (/surveys...) for supervisors and
// admins, with a "Surveys" link in their nav bar.
func (p *Pages) MountSurveys(deps SurveyPageDeps) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	sp := &surveyPages{p: p, surveys: deps.Surveys, campaigns: deps.Campaigns, classes: deps.Classes, owners: deps.Owners, now: deps.Now}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser, sp.requireSupervisor)
		r.Get("/surveys", sp.page)
		r.Get("/surveys/new", sp.newSurvey)
		r.Post("/surveys", sp.saveSurvey)
		r.Get("/surveys/{id}/edit", sp.editSurvey)
		r.Post("/surveys/{id}", sp.saveSurvey)
		r.Get("/surveys/campaigns/new", sp.newCampaign)
		r.Post("/surveys/campaigns", sp.createCampaign)
		r.Get("/surveys/campaigns/{id}", sp.campaignResults)
		r.Get("/surveys/campaigns/{id}/answers.csv", sp.campaignCSV)
		r.Post("/surveys/campaigns/{id}/state", sp.setState)
		r.Get("/surveys/owners", sp.searchOwners)
		r.Post("/surveys/opt-outs", sp.setOptOut)
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
	Surveys   []survey.Survey
	Campaigns []campaignRow
	OptOuts   []survey.AudienceClient
}

func (sp *surveyPages) page(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	to := sp.now()
	tallies, err := sp.surveys.SurveyTallies(ctx, survey.ResultFilter{GroupBy: survey.ByAgent, From: to.AddDate(0, 0, -30), To: to})
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	var d surveyPageData
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
		s.Name = seeded(loc(r), s.Name)
		d.Surveys = append(d.Surveys, s)
		names[s.ID] = s.Name
	}
	if d.Campaigns, err = sp.campaignRows(ctx, names); err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	if d.OptOuts, err = sp.campaigns.SurveyOptOuts(ctx); err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	sp.p.render(w, r, http.StatusOK, "survey", "web.nav.surveys", view{Data: d})
}

// campaignRows are the campaigns with their progress, newest first.
func (sp *surveyPages) campaignRows(ctx context.Context, surveyNames map[int64]string) ([]campaignRow, error) {
	campaigns, err := sp.campaigns.ListCampaigns(ctx)
	if err != nil {
		return nil, err
	}
	var rows []campaignRow
	for _, c := range campaigns {
		if full, err := sp.campaigns.GetCampaign(ctx, c.ID); err == nil {
			c = full
		}
		rows = append(rows, newCampaignRow(c, surveyNames[c.SurveyID]))
	}
	return rows, nil
}

func (sp *surveyPages) setState(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	id := pathID(r)
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
