package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/web"
	"hotline/internal/i18n"
	"hotline/survey"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
)

// surveyPBX runs the survey runner and the campaign dialer against the
// simulated PBX: every number answers on sim-customer's survey extension
// and presses 4. The PBX's clock starts now and runs ten times faster.
func surveyPBX(t *testing.T, st *postgres.Services) {
	t.Helper()
	srv := aritest.New(aritest.Options{Speed: 10})
	t.Cleanup(srv.Close)
	cli, err := ari.NewClient(ari.Config{Node: "pbx1", URL: srv.URL(), User: "hotline", Password: "hotline-secret", App: "hotline"})
	if err != nil {
		t.Fatal(err)
	}
	runner := survey.NewRunner(survey.Options{Store: st.Surveys, Timeline: st.Clients, Clock: srv.Clock(),
		ARI: func(string) survey.ARI { return cli }})
	dialer := survey.NewDialer(survey.DialerOptions{Store: st.Campaigns, ARI: cli, Clock: srv.Clock(),
		Endpoint:    func(string) string { return "Local/survey@sim-customer" },
		Variables:   func(survey.Attempt) map[string]string { return map[string]string{"DIGITS": "4"} },
		RingTimeout: 5, Tick: 200 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() {
		_ = cli.Run(ctx, func(m ari.Message) { runner.Handle(m); dialer.Handle(m) })
		done <- struct{}{}
	}()
	go func() { _ = dialer.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done; runner.Close() })
}

// TestBrowserSurveyCampaignFromTheCRM is a supervisor's path, in Russian:
// build a survey on the form, make a campaign of the VIP clients (counted
// first), start it on the simulated PBX, then read its results and CSV.
func TestBrowserSurveyCampaignFromTheCRM(t *testing.T) {
	t.Parallel()
	st, u := newRussianSurveySite(t)
	surveyPBX(t, st)
	bctx := newChrome(t)
	tctx, cancel := context.WithTimeout(bctx, 120*time.Second)
	defer cancel()
	sv := buildSurveyOnTheForm(t, tctx, st, u)
	id := campaignOfVIPClients(t, tctx, st, u, sv)
	waitCompleted(t, st, id, 2)
	err := chromedp.Do(tctx,
		chromedp.Navigate(fmt.Sprintf("%s/surveys#campaign-%d", u, id)),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#campaign-%d a.campaign-results`, id))),
		chromedp.WaitVisible(chromedp.ID("campaign-outcomes")),
	)
	if err != nil {
		t.Fatalf("results page: %v", err)
	}
	shot(t, tctx, "survey-results")
	completed, _ := chromedp.Run(tctx, chromedp.Text(chromedp.ID("outcome-completed")))
	avg, _ := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(".question-result p")))
	csv, err := chromedp.Run(tctx, chromedp.Evaluate[string](fmt.Sprintf(`fetch("/surveys/campaigns/%d/answers.csv").then(r => r.text())`, id),
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	if completed != "2" || !strings.Contains(avg, "Средний ответ 4") {
		t.Errorf("results: completed %q, %q", completed, avg)
	}
	if !strings.Contains(csv, `Клиент,Телефон,Итог,Когда,"Оценка доставки, 1–5"`) {
		t.Errorf("CSV header: %q", csv)
	}
	if !strings.Contains(csv, "Иван Петров") || !strings.Contains(csv, "ответил на все вопросы") || strings.Contains(csv, "Пётр Сидоров") {
		t.Errorf("CSV rows: %q", csv)
	}
}

// newRussianSurveySite serves the survey pages in Russian to the
// supervisor sveta, with two VIP clients and one of class B.
func newRussianSurveySite(t *testing.T) (*postgres.Services, string) {
	t.Helper()
	st := pgtest.NewStore(t)
	ctx := context.Background()
	cat, err := i18n.Load(i18n.Options{Default: i18n.Russian})
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU", I18n: cat})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountSurveys(web.SurveyPageDeps{Surveys: st.Surveys, Campaigns: st.Campaigns, Classes: st.Priority, Owners: st.Users})
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	if _, err := auth.CreateUser(ctx, st.Users, crm.User{Login: "sveta", Name: "Светлана Орлова", Role: crm.RoleSupervisor, Language: "ru"}, adminPassword); err != nil {
		t.Fatal(err)
	}
	for i, c := range []crm.Client{{Name: "ООО «Ромашка»", Priority: "VIP"}, {Name: "Иван Петров", Priority: "VIP"}, {Name: "Пётр Сидоров", Priority: "B"}} {
		c.Contacts = []crm.Contact{{Kind: crm.ContactPhone, Value: fmt.Sprintf("+7495123456%d", i)}}
		if err := st.Clients.CreateClient(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	return st, ts.URL
}

// buildSurveyOnTheForm signs sveta in and makes a one-question survey on
// the editor from the new survey's template.
func buildSurveyOnTheForm(t *testing.T, ctx context.Context, st *postgres.Services, u string) survey.Survey {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(u+"/surveys/new"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "sveta"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("survey-form")),
		chromedp.SetValue(chromedp.ID("survey-name"), "Оценка доставки"),
		chromedp.Click(chromedp.CSS(`#question-1 .q-remove`)), // one question is enough
		chromedp.WaitNotPresent(chromedp.ID("question-1")),
		chromedp.SetValue(chromedp.CSS(`#question-0 .q-text`), "Оценка доставки, 1–5"),
	)
	if err != nil {
		t.Fatalf("fill the survey form: %v", err)
	}
	shot(t, ctx, "survey-form")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("save-survey")), chromedp.WaitVisible(chromedp.ID("surveys"))); err != nil {
		t.Fatalf("save the survey: %v", err)
	}
	list, _ := st.Surveys.ListSurveys(context.Background())
	sv := list[len(list)-1]
	if sv.Name != "Оценка доставки" || len(sv.Questions) != 1 {
		t.Fatalf("saved survey = %+v", sv)
	}
	return sv
}

// campaignOfVIPClients makes a campaign of the VIP clients, checks the
// count the form shows, starts it and returns its id.
func campaignOfVIPClients(t *testing.T, ctx context.Context, st *postgres.Services, u string, sv survey.Survey) int64 {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/surveys/campaigns/new?survey=%d", u, sv.ID)),
		chromedp.WaitVisible(chromedp.ID("campaign-form")),
		chromedp.SendKeys(chromedp.ID("campaign-name"), "VIP: доставка"),
		chromedp.SetValue(chromedp.CSS(`input[name=window_start]`), "00:00"),
		chromedp.SetValue(chromedp.CSS(`input[name=window_end]`), "23:59"),
		chromedp.SetValue(chromedp.ID("audience-class"), "VIP"),
		chromedp.Click(chromedp.ID("audience-preview")),
		chromedp.WaitVisible(chromedp.ID("audience-count")),
	)
	if err != nil {
		t.Fatalf("count the audience: %v", err)
	}
	shot(t, ctx, "survey-campaign")
	if count, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("audience-count"))); err != nil || count != "Подходят 2 клиента" {
		t.Fatalf("audience count %q: %v", count, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("create-campaign")),
		chromedp.WaitVisible(chromedp.ID("campaigns")),
		chromedp.Click(chromedp.CSS(`#campaigns .start-campaign`)),
		chromedp.WaitVisible(chromedp.ID("campaigns")),
	)
	if err != nil {
		t.Fatalf("create and start the campaign: %v", err)
	}
	shot(t, ctx, "survey-list")
	camps, _ := st.Campaigns.ListCampaigns(context.Background())
	return camps[0].ID
}

// waitCompleted waits up to a minute for n completed responses.
func waitCompleted(t *testing.T, st *postgres.Services, id int64, n int) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for {
		rep, err := st.Campaigns.CampaignResults(ctx, id)
		if err == nil && rep.Completed == n {
			return
		}
		if time.Now().After(deadline) {
			c, _ := st.Campaigns.GetCampaign(ctx, id)
			t.Fatalf("campaign %+v results = %+v, %v; want %d completed", c, rep, err, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// shot keeps a screenshot of the page in HOTLINE_SCREENSHOTS, when set.
func shot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("HOTLINE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}
