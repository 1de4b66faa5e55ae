package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"hotline/crm"
	"hotline/internal/i18n"
	"hotline/survey"
)

// The new-campaign form: the campaign's survey, calling window and pacing,
// and whom it calls: clients picked by a CRM filter (counted and previewed
// before the campaign is made), a pasted list of numbers or an uploaded
// CSV or XLSX file.

// The audience sources.
const (
	sourceCRM  = "crm"
	sourceList = "list"
	sourceFile = "file"
)

// previewSize is how many picked clients the form shows.
const previewSize = 10

// campaignForm is what was typed on the form.
type campaignForm struct {
	Name, SurveyID, TimeZone, WindowStart, WindowEnd  string
	MaxConcurrent, PerMinute, MaxAttempts, RetryDelay string
	CallerID, Source, Phones, FileName, FileData      string
	Priority, Tag, OwnerID, OwnerName                 string
	BoughtWithin, NotSince                            string
	Field, Error                                      string // the field in error and its message
}

// campaignFormData is the form page's data.
type campaignFormData struct {
	Form    campaignForm
	Surveys []survey.Survey
	Classes []crm.PriorityClass
	Tags    []string
	Match   *survey.AudienceMatch
}

func readCampaignForm(r *http.Request) campaignForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := campaignForm{Name: v("name"), SurveyID: v("survey_id"), TimeZone: v("time_zone"), WindowStart: v("window_start"),
		WindowEnd: v("window_end"), MaxConcurrent: v("max_concurrent"), PerMinute: v("per_minute"), MaxAttempts: v("max_attempts"),
		RetryDelay: v("retry_delay"), CallerID: v("caller_id"), Source: v("source"), Phones: r.PostFormValue("phones"),
		FileName: v("file_name"), FileData: v("file_data"), Priority: v("priority"), Tag: v("tag"), OwnerID: v("owner_id"),
		OwnerName: v("owner_name"), BoughtWithin: v("bought_within"), NotSince: v("not_since")}
	if f.Source == "" {
		f.Source = sourceList
	}
	return f
}

// audience is the CRM filter of the form.
func (f campaignForm) audience() survey.Audience {
	a := survey.Audience{Priority: f.Priority, Tag: f.Tag}
	if id, err := strconv.ParseInt(f.OwnerID, 10, 64); err == nil && id > 0 {
		a.OwnerID = &id
	}
	a.BoughtWithinDays, _ = strconv.Atoi(f.BoughtWithin)
	a.NotSinceDays, _ = strconv.Atoi(f.NotSince)
	return a
}

// campaign is the campaign the form describes.
func (f campaignForm) campaign() survey.Campaign {
	atoi := func(s string) int { v, _ := strconv.Atoi(s); return v }
	surveyID, _ := strconv.ParseInt(f.SurveyID, 10, 64)
	return survey.Campaign{Name: f.Name, SurveyID: surveyID, TimeZone: f.TimeZone,
		WindowStart: hhmm(f.WindowStart, 9*60), WindowEnd: hhmm(f.WindowEnd, 20*60),
		MaxConcurrent: atoi(f.MaxConcurrent), PerMinute: atoi(f.PerMinute), MaxAttempts: atoi(f.MaxAttempts),
		RetryDelay: survey.Seconds(atoi(f.RetryDelay)), CallerID: f.CallerID, State: survey.CampaignDraft}
}

func hhmm(s string, def int) int {
	var h, m int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil || h < 0 || h > 24 || m < 0 || m > 59 {
		return def
	}
	return h*60 + m
}

func (sp *surveyPages) newCampaign(w http.ResponseWriter, r *http.Request) {
	f := campaignForm{Source: sourceCRM, SurveyID: r.URL.Query().Get("survey")}
	sp.showCampaignForm(w, r, http.StatusOK, f, nil)
}

func (sp *surveyPages) showCampaignForm(w http.ResponseWriter, r *http.Request, status int, f campaignForm, m *survey.AudienceMatch) {
	ctx := r.Context()
	d := campaignFormData{Form: f, Match: m}
	var err error
	if d.Surveys, err = sp.surveys.ListSurveys(ctx); err == nil {
		d.Tags, err = sp.campaigns.AudienceTags(ctx)
	}
	if err == nil && sp.classes != nil {
		d.Classes, err = sp.classes.List(ctx)
		seededClasses(i18n.FromContext(ctx), d.Classes)
	}
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	for i := range d.Surveys {
		d.Surveys[i].Name = seeded(loc(r), d.Surveys[i].Name)
	}
	seededClasses(loc(r), d.Classes)
	problem := ""
	if f.Error != "" {
		problem = loc(r).T("web.survey.err.campaign", map[string]any{"Error": f.Error})
	}
	sp.p.render(w, r, status, "survey_campaign", "survey.campaign.new", view{Error: problem, Active: "/surveys", Data: d})
}

// createCampaign previews the CRM audience (op=preview) or makes the
// campaign with its numbers.
func (sp *surveyPages) createCampaign(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := readCampaignForm(r)
	l := loc(r)
	fail := func(field, msg string) {
		f.Field, f.Error = field, msg
		sp.showCampaignForm(w, r, http.StatusUnprocessableEntity, f, nil)
	}
	if r.PostFormValue("op") == "preview" {
		m, err := sp.campaigns.MatchAudience(r.Context(), f.audience(), sp.now(), previewSize)
		if err != nil {
			sp.formError(w, r, err, fail)
			return
		}
		sp.showCampaignForm(w, r, http.StatusOK, f, &m)
		return
	}
	contacts, field, msg := sp.typedContacts(f, l)
	if msg != "" {
		fail(field, msg)
		return
	}
	c := f.campaign()
	if err := sp.campaigns.CreateCampaign(r.Context(), &c); err != nil {
		sp.formError(w, r, err, fail)
		return
	}
	var err error
	if f.Source == sourceCRM {
		_, err = sp.campaigns.AddAudience(r.Context(), c.ID, f.audience(), sp.now())
	} else {
		_, err = sp.campaigns.AddCampaignContacts(r.Context(), c.ID, contacts)
	}
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/surveys#campaign-"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

// formError shows an invalid or unknown field on the form, any other error as a page.
func (sp *surveyPages) formError(w http.ResponseWriter, r *http.Request, err error, fail func(field, msg string)) {
	if k := crm.KindOf(err); k == crm.KindInvalid || k == crm.KindNotFound {
		fail(formField(err), errorText(loc(r), err))
		return
	}
	sp.p.errorPage(w, r, err)
}

// typedContacts are the numbers of a pasted list or a file, in E.164;
// field and msg say what is wrong. A CRM audience has none here.
func (sp *surveyPages) typedContacts(f campaignForm, l *i18n.Localizer) (list []survey.Contact, field, msg string) {
	norm := sp.p.api.Phone().E164
	var numbers []string
	switch f.Source {
	case sourceCRM:
		if err := f.audience().Validate(); err != nil {
			return nil, formField(err), l.T("survey.err.audience", nil)
		}
		return nil, "", ""
	case sourceFile:
		if f.FileData == "" {
			return nil, "file", l.T("survey.err.no_file", nil)
		}
		var err error
		if numbers, err = fileNumbers(f.FileName, f.FileData, norm); err != nil {
			return nil, "file", l.T("survey.err.file", map[string]any{"Name": f.FileName})
		}
	default:
		numbers = pastedNumbers(f.Phones)
	}
	for _, n := range numbers {
		e164, err := norm(n)
		if err != nil {
			return nil, "phones", l.T("web.survey.err.phone", map[string]any{"Number": n})
		}
		list = append(list, survey.Contact{Phone: e164})
	}
	if len(list) == 0 {
		return nil, f.Source, l.T("web.survey.err.no_phones", nil)
	}
	return list, "", ""
}
