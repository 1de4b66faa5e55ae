package web

import (
	"bytes"
	"encoding/csv"
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

// A campaign's results page (numbers by outcome, each question's average
// and distribution drawn as bars) and its answers as CSV; the owner search
// of the campaign form and the survey opt-out list.

// campaignResultsData is the results page's data.
type campaignResultsData struct {
	Campaign   campaignRow
	Report     survey.CampaignReport
	SurveyName string
}

// Pct is part of whole in percent, for a bar's width.
func (campaignResultsData) Pct(part, whole int) int {
	if whole <= 0 {
		return 0
	}
	return part * 100 / whole
}

// campaign reads the campaign and its survey (the survey's name as the
// reader says it).
func (sp *surveyPages) campaign(r *http.Request) (survey.Campaign, survey.Survey, error) {
	c, err := sp.campaigns.GetCampaign(r.Context(), pathID(r))
	if err != nil {
		return c, survey.Survey{}, err
	}
	sv, err := sp.surveys.GetSurvey(r.Context(), c.SurveyID)
	sv.Name = seeded(loc(r), sv.Name)
	return c, sv, err
}

func (sp *surveyPages) campaignResults(w http.ResponseWriter, r *http.Request) {
	c, sv, err := sp.campaign(r)
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	rep, err := sp.campaigns.CampaignResults(r.Context(), c.ID)
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	rep.OrderQuestions(sv)
	d := campaignResultsData{Campaign: newCampaignRow(c, sv.Name), Report: rep, SurveyName: sv.Name}
	sp.p.render(w, r, http.StatusOK, "survey_results", "", view{Title: c.Name, Active: "/surveys", Data: d})
}

// campaignCSV writes a campaign's answers, one row per reached number:
// the client, the number, the outcome, when, and each question's answer;
// headers in the reader's language, times in the centre's zone.
func (sp *surveyPages) campaignCSV(w http.ResponseWriter, r *http.Request) {
	c, sv, err := sp.campaign(r)
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	list, err := sp.campaigns.CampaignAnswers(r.Context(), c.ID)
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	l := loc(r)
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	head := []string{l.T("survey.csv.client", nil), l.T("survey.csv.phone", nil), l.T("survey.csv.state", nil), l.T("survey.csv.at", nil)}
	for _, q := range sv.Questions {
		head = append(head, questionTitle(q))
	}
	_ = cw.Write(head)
	for _, a := range list {
		row := []string{csvText(a.ClientName), csvText(a.Phone), l.T("survey.state."+string(a.State), nil),
			a.StartedAt.In(l.Zone()).Format(time.DateTime)}
		for _, q := range sv.Questions {
			v, ok := a.Answers[q.Key]
			row = append(row, map[bool]string{true: strconv.Itoa(v)}[ok])
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="campaign-%d.csv"`, c.ID))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("\ufeff")) // spreadsheets then read the Cyrillic as UTF-8
	_, _ = w.Write(buf.Bytes())
}

// questionTitle names a question in a table's header: its text, else its key.
func questionTitle(q survey.Question) string {
	if q.Text != "" {
		return q.Text
	}
	return q.Key
}

// csvText keeps a spreadsheet from reading a cell as a formula ("+7..." stays text).
func csvText(v string) string {
	if v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
		return "'" + v
	}
	return v
}

// searchOwners answers the owner picker: users whose name or login has q.
func (sp *surveyPages) searchOwners(w http.ResponseWriter, r *http.Request) {
	type item struct {
		ID      int64  `json:"id"`
		Name    string `json:"name"`
		Company string `json:"company,omitempty"`
	}
	out := struct {
		Items []item `json:"items"`
	}{Items: []item{}}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	if sp.owners != nil && q != "" {
		users, err := sp.owners.ListUsers(r.Context())
		if err != nil {
			sp.p.errorPage(w, r, err)
			return
		}
		for _, u := range users {
			if len(out.Items) < 8 && (strings.Contains(strings.ToLower(u.Name), q) || strings.Contains(strings.ToLower(u.Login), q)) {
				out.Items = append(out.Items, item{ID: u.ID, Name: cmpOr(u.Name, u.Login), Company: u.Login})
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// setOptOut adds a client (picked by name) to the clients who refuse
// survey calls, or takes one off (remove=1).
func (sp *surveyPages) setOptOut(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	id, err := strconv.ParseInt(r.PostFormValue("client_id"), 10, 64)
	if err != nil || id <= 0 {
		sp.p.errorPage(w, r, crm.Invalid("client_id", "pick a client"))
		return
	}
	if err := sp.campaigns.SetSurveyOptOut(r.Context(), id, r.PostFormValue("remove") == ""); err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/surveys#opt-outs", http.StatusSeeOther)
}

// campaignWindow says a campaign's calling window.
func campaignWindow(c survey.Campaign) string {
	return fmt.Sprintf("%02d:%02d–%02d:%02d %s", c.WindowStart/60, c.WindowStart%60, c.WindowEnd/60, c.WindowEnd%60, c.TimeZone)
}

func newCampaignRow(c survey.Campaign, surveyName string) campaignRow {
	return campaignRow{Campaign: c, SurveyName: surveyName, Window: campaignWindow(c)}
}

// surveyOptOut is the client card's survey calls line.
type surveyOptOut struct{ Out bool } // the client refuses survey calls

// clientSurveyOptOut is whether the client refuses survey calls (nil when
// the survey pages are not mounted).
func (p *Pages) clientSurveyOptOut(r *http.Request, clientID int64) (*surveyOptOut, error) {
	p.mu.RLock()
	svc := p.surveyOptOuts
	p.mu.RUnlock()
	if svc == nil {
		return nil, nil
	}
	out, err := svc.SurveyOptedOut(r.Context(), clientID)
	if err != nil {
		return nil, err
	}
	return &surveyOptOut{Out: out}, nil
}

// setClientOptOut records, from the client's card, that the client refuses
// survey calls (out=1) or accepts them again.
func (sp *surveyPages) setClientOptOut(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		sp.p.errorPage(w, r, crm.Errorf(crm.KindNotFound, "no such client"))
		return
	}
	if err := sp.campaigns.SetSurveyOptOut(r.Context(), id, r.PostFormValue("out") == "1"); err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10)+"#client-survey-opt-out", http.StatusSeeOther)
}
