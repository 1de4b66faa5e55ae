package postgres_test

import (
	"context"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres/pgtest"
)

func TestLastSurveyScoresForThePopCard(t *testing.T) {
	ctx := context.Background()
	st := pgtest.NewStore(t)
	c := crm.Client{Name: "Surveyed client"}
	if err := st.Clients.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	other := crm.Client{Name: "Someone else"}
	if err := st.Clients.CreateClient(ctx, &other); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	answer := func(client int64, channel string, started time.Time, answers ...[2]any) {
		t.Helper()
		var id int64
		err := st.DB.Pool().QueryRow(ctx, `INSERT INTO survey_responses (survey_id, node, channel_id, client_id, state, started_at)
			VALUES ((SELECT id FROM survey_definitions WHERE is_default), 'sim', $1, $2, 'completed', $3) RETURNING id`,
			channel, client, started).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range answers {
			if _, err := st.DB.Pool().Exec(ctx, `INSERT INTO survey_answers (response_id, idx, key, value, scale, at)
				VALUES ($1, $2, $3, $4, $5, $6)`, id, i, a[0], a[1], map[string]string{"agent": "csat", "nps": "nps"}[a[0].(string)],
				started.Add(time.Duration(i+1)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
	}
	answer(c.ID, "c1", at, [2]any{"agent", 2})
	answer(c.ID, "c2", at.Add(time.Hour), [2]any{"agent", 5}, [2]any{"nps", 9})
	answer(other.ID, "c3", at.Add(2*time.Hour), [2]any{"agent", 1})

	got, err := st.Surveys.LastSurveyScores(ctx, c.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d scores, want the 2 newest: %+v", len(got), got)
	}
	if got[0].Score != 9 || got[0].Max != 10 || got[1].Score != 5 || got[1].Max != 5 {
		t.Errorf("scores = %+v, want nps 9/10 then csat 5/5, newest first", got)
	}
	if got[0].Survey == "" || !got[0].At.After(got[1].At) {
		t.Errorf("scores lack a survey name or are not newest first: %+v", got)
	}
	none, err := st.Surveys.LastSurveyScores(ctx, 999999, 5)
	if err != nil || len(none) != 0 {
		t.Errorf("unknown client: %v, %v", none, err)
	}
}
