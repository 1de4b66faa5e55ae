package postgres_test

import (
	"context"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres/pgtest"
	"hotline/survey"
)

// TestCampaignAudienceFromTheCRM: a campaign's numbers picked by priority
// class, tag, owner and last purchase; clients who opted out of surveys
// and clients without a phone are left out; the count and preview match
// what is added.
func TestCampaignAudienceFromTheCRM(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	owner := crm.User{Login: "olga", Name: "Ольга", Role: crm.RoleAgent}
	if err := st.Users.CreateUser(ctx, &owner, "x"); err != nil {
		t.Fatal(err)
	}
	mk := func(name, priority, phone string, tags []string, owned bool, boughtDaysAgo int) crm.Client {
		c := crm.Client{Name: name, Priority: priority, Tags: tags}
		if phone != "" {
			c.Contacts = []crm.Contact{{Kind: crm.ContactPhone, Value: phone}}
		}
		if owned {
			c.OwnerID = &owner.ID
		}
		if err := st.Clients.CreateClient(ctx, &c); err != nil {
			t.Fatal(err)
		}
		if boughtDaysAgo > 0 {
			if _, err := st.DB.Pool().Exec(ctx, `INSERT INTO money_transactions (at, direction, amount, currency, category, client_id)
				VALUES ($1, 'income', 100000, 'RUB', 'sale', $2)`, now.AddDate(0, 0, -boughtDaysAgo), c.ID); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	anna := mk("Анна", "VIP", "+74951000001", []string{"опт"}, true, 10)
	boris := mk("Борис", "VIP", "+74951000002", []string{"опт", "розница"}, false, 200)
	mk("Вера", "VIP", "", []string{"опт"}, true, 10) // no phone
	gleb := mk("Глеб", "B", "+74951000004", nil, true, 0)
	dina := mk("Дина", "VIP", "+74951000005", []string{"опт"}, true, 5)
	if err := st.Campaigns.SetSurveyOptOut(ctx, dina.ID, true); err != nil {
		t.Fatal(err)
	}
	names := func(m survey.AudienceMatch) []string {
		var out []string
		for _, c := range m.Preview {
			out = append(out, c.Name)
		}
		return out
	}
	for _, c := range []struct {
		name string
		a    survey.Audience
		want []string
	}{
		{"class", survey.Audience{Priority: "VIP"}, []string{"Анна", "Борис"}},
		{"tag", survey.Audience{Tag: "розница"}, []string{"Борис"}},
		{"owner", survey.Audience{OwnerID: &owner.ID}, []string{"Анна", "Глеб"}},
		{"bought within 30 days", survey.Audience{BoughtWithinDays: 30}, []string{"Анна"}},
		{"not since 90 days", survey.Audience{NotSinceDays: 90}, []string{"Борис", "Глеб"}},
		{"everyone who may be called", survey.Audience{}, []string{"Анна", "Борис", "Глеб"}},
	} {
		m, err := st.Campaigns.MatchAudience(ctx, c.a, now, 10)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := names(m); m.Count != len(c.want) || len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
			t.Errorf("%s: %d %v, want %v", c.name, m.Count, got, c.want)
		}
	}
	if _, err := st.Campaigns.MatchAudience(ctx, survey.Audience{BoughtWithinDays: 10, NotSinceDays: 30}, now, 10); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("an empty window: %v, want invalid", err)
	}
	camp := survey.Campaign{Name: "VIP", SurveyID: 1}
	if err := st.Campaigns.CreateCampaign(ctx, &camp); err != nil {
		t.Fatal(err)
	}
	if n, err := st.Campaigns.AddAudience(ctx, camp.ID, survey.Audience{Priority: "VIP"}, now); err != nil || n != 2 {
		t.Fatalf("added %d, %v; want 2", n, err)
	}
	list, _ := st.Campaigns.ListCampaignContacts(ctx, camp.ID)
	if len(list) != 2 || list[0].ClientID == nil || (*list[0].ClientID != anna.ID && *list[0].ClientID != boris.ID) {
		t.Errorf("contacts = %+v", list)
	}
	tags, err := st.Campaigns.AudienceTags(ctx)
	if err != nil || len(tags) != 2 || tags[0] != "опт" {
		t.Errorf("tags = %v, %v", tags, err)
	}
	outs, err := st.Campaigns.SurveyOptOuts(ctx)
	if err != nil || len(outs) != 1 || outs[0].ClientID != dina.ID {
		t.Errorf("opt-outs = %+v, %v", outs, err)
	}
	if m, _ := st.Campaigns.MatchAudience(ctx, survey.Audience{Priority: "B"}, now, 10); m.Count != 1 || m.Preview[0].ClientID != gleb.ID {
		t.Errorf("class B = %+v, want Gleb", m)
	}
}

// TestCampaignResultsAndAnswers: a campaign's numbers by outcome and each
// question's average and distribution, and the answers with client names.
func TestCampaignResultsAndAnswers(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for i, name := range []string{"Анна", "Борис", "Вера", "Глеб"} {
		c := crm.Client{Name: name, Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+7495100000" + string(rune('1'+i))}}}
		if err := st.Clients.CreateClient(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	camp := survey.Campaign{Name: "Poll", SurveyID: 1}
	if err := st.Campaigns.CreateCampaign(ctx, &camp); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Campaigns.AddAudience(ctx, camp.ID, survey.Audience{}, at); err != nil {
		t.Fatal(err)
	}
	contacts, _ := st.Campaigns.ListCampaignContacts(ctx, camp.ID)
	// Anna answers 5 and 9, Boris 3 then hangs up, Vera is not reached, Gleb waits.
	respond := func(k survey.Contact, state survey.State, vals ...int) {
		r := survey.Response{SurveyID: 1, Node: "pbx", ChannelID: "ch" + k.Phone, Caller: k.Phone, ClientID: k.ClientID,
			ContactID: &k.ID, State: survey.StateInProgress, StartedAt: at}
		if err := st.Surveys.StartResponse(ctx, &r); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			key := []string{"agent", "nps"}[i]
			if err := st.Surveys.SaveAnswer(ctx, survey.Answer{ResponseID: r.ID, Index: i, Key: key, Value: v, At: at}); err != nil {
				t.Fatal(err)
			}
		}
		r.State, r.EndedAt = state, &at
		if err := st.Surveys.FinishResponse(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
	}
	byPhone := map[string]survey.Contact{}
	for _, k := range contacts {
		byPhone[k.Phone] = k
	}
	respond(byPhone["+74951000001"], survey.StateCompleted, 5, 9)
	respond(byPhone["+74951000002"], survey.StatePartial, 3)
	if _, err := st.DB.Pool().Exec(ctx, `UPDATE survey_campaign_contacts SET status = 'failed' WHERE phone = '+74951000003'`); err != nil {
		t.Fatal(err)
	}
	rep, err := st.Campaigns.CampaignResults(ctx, camp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Contacts != 4 || rep.Reached != 2 || rep.Completed != 1 || rep.Refused != 1 || rep.NotReached != 1 || rep.Waiting != 1 {
		t.Errorf("report = %+v", rep)
	}
	sv, _ := st.Surveys.DefaultSurvey(ctx)
	rep.OrderQuestions(sv)
	if len(rep.Questions) != 2 || rep.Questions[0].Key != "agent" || rep.Questions[0].Average != 4 || len(rep.Questions[0].Values) != 5 ||
		rep.Questions[0].Text == "" || rep.Questions[1].Count != 1 {
		t.Errorf("questions = %+v", rep.Questions)
	}
	answers, err := st.Campaigns.CampaignAnswers(ctx, camp.ID)
	if err != nil || len(answers) != 2 || answers[0].ClientName == "" || answers[0].Answers["agent"] == 0 {
		t.Errorf("answers = %+v, %v", answers, err)
	}
}
