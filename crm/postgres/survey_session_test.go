package postgres_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/survey"
)

// TestSurveyOpenSessionIsOneRoundTrip: a session's survey, the call's
// link and the client's language are one statement; the definition is
// sent only when the runner does not hold its current version, and every
// write of the row (an edit, another survey taking the default flag)
// changes that version.
func TestSurveyOpenSessionIsOneRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rt := &roundTrips{}
	st := pgtest.NewStoreWith(t, postgres.Options{Tracer: rt})
	cl := crm.Client{Kind: crm.ClientPerson, Name: "Ivan", Language: "en", Contacts: []crm.Contact{phone("+74950000011", "")}}
	if err := st.Clients.CreateClient(ctx, &cl); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB.Pool().Exec(ctx, `INSERT INTO calls (node, linkedid, version, customer, client_id, started_at, agent)
		VALUES ('pbx1', '7.1', 1, '+74950000011', $1, now(), 'anna')`, cl.ID); err != nil {
		t.Fatal(err)
	}
	def, err := st.Surveys.DefaultSurvey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q := survey.SessionQuery{Node: "pbx1", LinkedID: "7.1", ChannelID: "7.1", Caller: "+74950000011"}
	open := func(q survey.SessionQuery) survey.Opening {
		t.Helper()
		var o survey.Opening
		var err error
		if n := rt.count(func() { o, err = st.Surveys.OpenSession(ctx, q) }); n != 1 || err != nil {
			t.Fatalf("OpenSession(%+v): %d round trips, %v; want 1", q, n, err)
		}
		return o
	}
	st.Surveys.OpenSession(ctx, q) // warm the statement cache
	first := open(q)
	if first.Unchanged || first.Fallback || !reflect.DeepEqual(first.Survey, def) {
		t.Errorf("first opening = %+v\nwant the default survey %+v", first, def)
	}
	wantLink := survey.CallLink{Agent: "anna", ClientID: &cl.ID, Language: "en"}
	if !reflect.DeepEqual(first.Link, wantLink) {
		t.Errorf("link = %+v, want %+v", first.Link, wantLink)
	}
	if link, err := st.Surveys.LinkCall(ctx, q.Node, q.LinkedID, q.ChannelID, q.Caller); err != nil || !reflect.DeepEqual(link, wantLink) {
		t.Errorf("LinkCall = %+v, %v; want %+v", link, err, wantLink)
	}

	q.KnownID, q.KnownVersion = first.Survey.ID, first.Version
	if o := open(q); !o.Unchanged || o.Version != first.Version || o.Survey.ID != def.ID || o.Survey.Questions != nil {
		t.Errorf("opening with the current version = %+v, want it unchanged without the definition", o)
	}

	def.OptOut = "*"
	if err := st.Surveys.UpdateSurvey(ctx, &def); err != nil {
		t.Fatal(err)
	}
	edited := open(q)
	if edited.Unchanged || edited.Survey.OptOut != "*" || edited.Version == first.Version {
		t.Errorf("opening after an edit = %+v, want the new definition", edited)
	}

	other := survey.DefaultSurvey()
	other.Name = "New default"
	if err := st.Surveys.CreateSurvey(ctx, &other); err != nil {
		t.Fatal(err)
	}
	q.SurveyID, q.KnownVersion = def.ID, edited.Version
	if o := open(q); o.Unchanged || o.Survey.Default || o.Survey.ID != def.ID {
		t.Errorf("opening survey %d after it lost the default flag = %+v, want it sent again, not default", def.ID, o)
	}

	q.SurveyID = 999
	if o := open(q); !o.Fallback || o.Survey.ID != other.ID || o.Survey.Name != "New default" {
		t.Errorf("opening a missing survey = %+v, want the default %d as a fallback", o, other.ID)
	}

	none := open(survey.SessionQuery{Node: "pbx1", LinkedID: "none", ChannelID: "none", Caller: "+70000000000"})
	if !reflect.DeepEqual(none.Link, survey.CallLink{}) {
		t.Errorf("link of an unknown call = %+v, want none", none.Link)
	}
}

// TestSurveyOpenSessionWithoutSurveys: with no survey at all the link
// still comes back, with KindNotFound.
func TestSurveyOpenSessionWithoutSurveys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	if _, err := st.DB.Pool().Exec(ctx, `DELETE FROM survey_definitions`); err != nil {
		t.Fatal(err)
	}
	_, err := st.Surveys.OpenSession(ctx, survey.SessionQuery{Node: "pbx1", LinkedID: "1", ChannelID: "1"})
	if !crm.IsKind(err, crm.KindNotFound) {
		t.Errorf("OpenSession without surveys: %v, want KindNotFound", err)
	}
}

// TestSurveyFinishWithTimelineIsOneRoundTrip: the final state and the
// timeline entry are one statement; replaying it changes nothing; a
// client deleted meanwhile does not keep the final state from being
// stored. The campaign contact is linked by the response's insert.
func TestSurveyFinishWithTimelineIsOneRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rt := &roundTrips{}
	st := pgtest.NewStoreWith(t, postgres.Options{Tracer: rt})
	cl := crm.Client{Kind: crm.ClientPerson, Name: "Ivan", Contacts: []crm.Contact{phone("+74950000012", "")}}
	if err := st.Clients.CreateClient(ctx, &cl); err != nil {
		t.Fatal(err)
	}
	def, err := st.Surveys.DefaultSurvey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var contact int64
	if err := st.DB.Pool().QueryRow(ctx, `WITH c AS (INSERT INTO survey_campaigns (name, survey_id) VALUES ('c', $1) RETURNING id)
		INSERT INTO survey_campaign_contacts (campaign_id, phone, client_id) SELECT id, '+74950000012', $2 FROM c RETURNING id`,
		def.ID, cl.ID).Scan(&contact); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	r := survey.Response{SurveyID: def.ID, Node: "pbx1", ChannelID: "ch1", LinkedID: "ch1", Caller: "+74950000012",
		ClientID: &cl.ID, ContactID: &contact, State: survey.StateInProgress, StartedAt: start}
	if n := rt.count(func() { err = st.Surveys.StartResponse(ctx, &r) }); n != 1 || err != nil {
		t.Fatalf("StartResponse: %d round trips, %v; want 1", n, err)
	}
	var linked *int64
	if err := st.DB.Pool().QueryRow(ctx, `SELECT response_id FROM survey_campaign_contacts WHERE id = $1`, contact).Scan(&linked); err != nil || linked == nil || *linked != r.ID {
		t.Errorf("campaign contact response = %v, %v; want %d", linked, err, r.ID)
	}
	if err := st.Surveys.StartResponse(ctx, &survey.Response{SurveyID: def.ID, Node: "pbx1", ChannelID: "ch1", State: survey.StateInProgress, StartedAt: start}); !crm.IsKind(err, crm.KindConflict) {
		t.Errorf("second response of the channel: %v, want KindConflict", err)
	}

	end := start.Add(time.Minute)
	r.State, r.EndedAt, r.Agent = survey.StateCompleted, &end, "anna"
	entry := func() *crm.Interaction {
		return &crm.Interaction{ClientID: cl.ID, Kind: crm.InteractionSurvey, At: start, Summary: "Survey done",
			RefType: "survey_response", RefID: "1"}
	}
	for try := range 2 { // the second is a replay
		if n := rt.count(func() { err = st.Surveys.FinishResponse(ctx, r, entry()) }); n != 1 || err != nil {
			t.Fatalf("FinishResponse #%d: %d round trips, %v; want 1", try, n, err)
		}
	}
	got, err := st.Surveys.GetResponse(ctx, r.ID)
	if err != nil || got.State != survey.StateCompleted || got.EndedAt == nil || got.Agent != "anna" {
		t.Errorf("response = %+v, %v; want completed by anna", got, err)
	}
	tl, err := st.Clients.Timeline(ctx, cl.ID, "", 20)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, i := range tl.Items {
		if i.Kind == crm.InteractionSurvey {
			n++
			if i.Summary != "Survey done" || !i.At.Equal(start) || i.RefID != "1" {
				t.Errorf("timeline entry = %+v", i)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d survey entries on the timeline, want 1", n)
	}

	r2 := survey.Response{SurveyID: def.ID, Node: "pbx1", ChannelID: "ch2", State: survey.StateInProgress, StartedAt: start}
	if err := st.Surveys.StartResponse(ctx, &r2); err != nil {
		t.Fatal(err)
	}
	r2.State, r2.EndedAt = survey.StateNoInput, &end
	gone := entry()
	gone.ClientID, gone.RefID = cl.ID+1000, "2"
	if err := st.Surveys.FinishResponse(ctx, r2, gone); err != nil {
		t.Errorf("finish with a timeline entry of a missing client: %v", err)
	}
	if got, err := st.Surveys.GetResponse(ctx, r2.ID); err != nil || got.State != survey.StateNoInput {
		t.Errorf("response = %+v, %v; want no_input", got, err)
	}
}

// TestSurveyOpenSessionStartsTheResponse: the opening inserts the
// response for the survey and link it found, linked to its campaign
// contact; a second one on the same channel is a conflict.
func TestSurveyOpenSessionStartsTheResponse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	cl := crm.Client{Kind: crm.ClientPerson, Name: "Ivan", Contacts: []crm.Contact{phone("+74950000013", "")}}
	if err := st.Clients.CreateClient(ctx, &cl); err != nil {
		t.Fatal(err)
	}
	def, err := st.Surveys.DefaultSurvey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var contact int64
	if err := st.DB.Pool().QueryRow(ctx, `WITH c AS (INSERT INTO survey_campaigns (name, survey_id) VALUES ('c', $1) RETURNING id),
		k AS (INSERT INTO survey_campaign_contacts (campaign_id, phone, client_id) SELECT id, '+74950000013', $2 FROM c RETURNING id),
		a AS (INSERT INTO survey_campaign_attempts (contact_id, attempt, channel_id, started_at) SELECT id, 1, 'out-1', now() FROM k)
		SELECT id FROM k`, def.ID, cl.ID).Scan(&contact); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	start := &survey.Response{Node: "pbx1", ChannelID: "out-1", LinkedID: "out-1", Caller: "84950000013", State: survey.StateInProgress, StartedAt: at}
	q := survey.SessionQuery{SurveyID: 999, Node: "pbx1", LinkedID: "out-1", ChannelID: "out-1", Caller: "+74950000013", Start: start}
	o, err := st.Surveys.OpenSession(ctx, q)
	if err != nil || !o.Fallback || start.ID == 0 {
		t.Fatalf("OpenSession = %+v, %v; response %d", o, err, start.ID)
	}
	got, err := st.Surveys.GetResponse(ctx, start.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *start
	want.SurveyID, want.ClientID, want.ContactID, want.Answers = def.ID, &cl.ID, &contact, got.Answers
	if !reflect.DeepEqual(*start, survey.Response{ID: start.ID, SurveyID: def.ID, Node: "pbx1", ChannelID: "out-1", LinkedID: "out-1",
		Caller: "84950000013", ClientID: &cl.ID, ContactID: &contact, State: survey.StateInProgress, StartedAt: at}) {
		t.Errorf("started response = %+v", *start)
	}
	got.StartedAt = got.StartedAt.UTC()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored response\n got %+v\nwant %+v", got, want)
	}
	var linked *int64
	if err := st.DB.Pool().QueryRow(ctx, `SELECT response_id FROM survey_campaign_contacts WHERE id = $1`, contact).Scan(&linked); err != nil || linked == nil || *linked != start.ID {
		t.Errorf("campaign contact response = %v, %v; want %d", linked, err, start.ID)
	}
	again := &survey.Response{Node: "pbx1", ChannelID: "out-1", State: survey.StateInProgress, StartedAt: at}
	q.Start = again
	if _, err := st.Surveys.OpenSession(ctx, q); !crm.IsKind(err, crm.KindConflict) || again.ID != 0 {
		t.Errorf("second opening of the channel: %v (id %d), want KindConflict", err, again.ID)
	}
}
