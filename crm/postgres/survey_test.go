package postgres_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres/pgtest"
	"hotline/survey"
)

func TestSeededDefaultSurveyIsTheShippedOne(t *testing.T) {
	st := pgtest.NewStore(t)
	got, err := st.Surveys.DefaultSurvey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := survey.DefaultSurvey()
	if err := want.Validate(); err != nil {
		t.Fatal(err)
	}
	want.ID, want.CreatedAt, want.UpdatedAt = got.ID, got.CreatedAt, got.UpdatedAt
	if !reflect.DeepEqual(got, want) {
		t.Errorf("seeded default survey\n got %+v\nwant %+v", got, want)
	}
}

func TestSurveyDefinitionsAndDefault(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	sv := survey.DefaultSurvey()
	sv.Name, sv.Default = "New default", true
	if err := st.Surveys.CreateSurvey(ctx, &sv); err != nil {
		t.Fatal(err)
	}
	def, err := st.Surveys.DefaultSurvey(ctx)
	if err != nil || def.ID != sv.ID {
		t.Fatalf("default = %d, %v; want %d", def.ID, err, sv.ID)
	}
	list, err := st.Surveys.ListSurveys(ctx)
	if err != nil || len(list) != 2 || list[1].Default {
		t.Fatalf("list = %+v, %v; want the old default cleared", list, err)
	}
	sv.Name = " "
	if err := st.Surveys.UpdateSurvey(ctx, &sv); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("update with no name: %v", err)
	}
	if _, err := st.Surveys.GetSurvey(ctx, 999); !crm.IsKind(err, crm.KindNotFound) {
		t.Errorf("get 999: %v", err)
	}
}

func TestSurveyAnswersOnceAndTallies(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	day := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	mk := func(ch, agent string, at time.Time, vals ...int) survey.Response {
		r := survey.Response{SurveyID: 1, Node: "pbx", ChannelID: ch, Agent: agent, State: survey.StateInProgress, StartedAt: at}
		if err := st.Surveys.StartResponse(ctx, &r); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			a := survey.Answer{ResponseID: r.ID, Index: i, Key: "q", Value: v, Scale: survey.ScaleCSAT, At: at}
			for range 2 { // a replayed answer is stored once
				if err := st.Surveys.SaveAnswer(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
		}
		return r
	}
	a := mk("a", "anna", day, 5)
	b := mk("b", "anna", day.Add(24*time.Hour), 3)
	c := mk("c", "boris", day.Add(24*time.Hour))
	for _, r := range []survey.Response{a, b} {
		r.State = survey.StateCompleted
		if err := st.Surveys.FinishResponse(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
	}
	// A replayed start finds the row already there; replayed writes find it by channel.
	dup := survey.Response{SurveyID: 1, Node: "pbx", ChannelID: "b", State: survey.StateInProgress, StartedAt: day}
	if err := st.Surveys.StartResponse(ctx, &dup); !crm.IsKind(err, crm.KindConflict) {
		t.Errorf("second start on channel b: %v, want a conflict", err)
	}
	if got, err := st.Surveys.ResponseByChannel(ctx, "pbx", "b"); err != nil || got.ID != b.ID || len(got.Answers) != 1 {
		t.Errorf("response of channel b = %+v, %v; want %d with its answer", got, err, b.ID)
	}
	if _, err := st.Surveys.ResponseByChannel(ctx, "other", "b"); !crm.IsKind(err, crm.KindNotFound) {
		t.Errorf("response of channel b on another node: %v, want not found", err)
	}
	// c is left in progress by a "crashed" process and recovered as no_input.
	if chans, err := st.Surveys.AbandonResponses(ctx, "pbx", day.Add(48*time.Hour)); err != nil || len(chans) != 1 || chans[0] != "c" {
		t.Fatalf("abandon = %v, %v", chans, err)
	}
	got, err := st.Surveys.GetResponse(ctx, c.ID)
	if err != nil || got.State != survey.StateNoInput {
		t.Fatalf("c = %+v, %v", got, err)
	}
	tallies, err := st.Surveys.SurveyTallies(ctx, survey.ResultFilter{GroupBy: survey.ByDay, From: day.Add(-time.Hour), To: day.Add(72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := []survey.Tally{
		{Group: "2026-11-20", Responses: 1, Answered: 1, Completed: 1, CSATCount: 1, CSATTop: 1, ScoreSum: 5},
		{Group: "2026-11-21", Responses: 2, Answered: 1, Completed: 1, CSATCount: 1, ScoreSum: 3},
	}
	if !reflect.DeepEqual(tallies, want) {
		t.Errorf("tallies\n got %+v\nwant %+v", tallies, want)
	}
	byAgent, err := st.Surveys.SurveyTallies(ctx, survey.ResultFilter{GroupBy: survey.ByAgent, Agent: "boris", From: day, To: day.Add(72 * time.Hour)})
	if err != nil || len(byAgent) != 1 || byAgent[0].Responses != 1 || byAgent[0].Answered != 0 {
		t.Errorf("boris = %+v, %v", byAgent, err)
	}
}

func TestCampaignCallersOfAPeriod(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	cl := crm.Client{Name: "Ivan", Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74951234567"}}}
	if err := st.Clients.CreateClient(ctx, &cl); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for i, c := range []struct {
		dir, customer string
		client        *int64
		at            time.Time
	}{
		{"inbound", "+74951234567", &cl.ID, day},
		{"inbound", "+74951234567", &cl.ID, day.Add(time.Hour)}, // the same caller twice
		{"inbound", "+74957654321", nil, day.Add(2 * time.Hour)},
		{"outbound", "+74950000000", nil, day},                 // not a caller
		{"inbound", "+74951111111", nil, day.AddDate(0, 0, 2)}, // outside the period
	} {
		if _, err := st.DB.Pool().Exec(ctx, `INSERT INTO calls (node, linkedid, version, direction, customer, client_id, started_at)
			VALUES ('pbx', $1, 1, $2, $3, $4, $5)`, fmt.Sprint(i), c.dir, c.customer, c.client, c.at); err != nil {
			t.Fatal(err)
		}
	}
	camp := survey.Campaign{Name: "Callers", SurveyID: 1}
	if err := st.Campaigns.CreateCampaign(ctx, &camp); err != nil {
		t.Fatal(err)
	}
	n, err := st.Campaigns.AddCampaignCallers(ctx, camp.ID, day.Add(-time.Hour), day.Add(24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("added %d, %v; want 2", n, err)
	}
	list, err := st.Campaigns.ListCampaignContacts(ctx, camp.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("contacts = %+v, %v", list, err)
	}
	for _, k := range list {
		if k.Phone == "+74951234567" && (k.ClientID == nil || *k.ClientID != cl.ID) {
			t.Errorf("Ivan's contact has client %v, want %d", k.ClientID, cl.ID)
		}
	}
	if n, _ := st.Campaigns.AddCampaignCallers(ctx, camp.ID, day.Add(-time.Hour), day.Add(24*time.Hour)); n != 0 {
		t.Errorf("adding the same callers again added %d", n)
	}
}
