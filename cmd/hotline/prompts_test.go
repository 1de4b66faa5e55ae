package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/internal/testneed"
	"hotline/survey"
	"hotline/telephony/voice"
)

// TestSurveyPromptsReadyBeforeCallers: serve makes the audio of every
// survey text, in each of its languages, when it starts, and of a survey's
// new texts when it is saved through the pages or the API: no caller waits
// for the synthesizer. With espeak-ng and the real PostgreSQL.
func TestSurveyPromptsReadyBeforeCallers(t *testing.T) {
	testneed.Tool(t, "espeak-ng", "espeak-ng")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dsn := pgtest.NewDSN(t)
	st := pgtest.Open(t, dsn, postgres.Options{})
	cfg := Config{DatabaseURL: dsn, ARIApp: "hotline", PhoneRegion: "RU", SpoolDir: t.TempDir()}
	_, svc, err := buildService(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), st)
	defer svc.close()
	if err != nil {
		t.Fatal(err)
	}
	surveys, err := st.Surveys.ListSurveys(ctx)
	if err != nil || len(surveys) == 0 {
		t.Fatalf("surveys: %v, %v", surveys, err)
	}
	want := 0
	for _, sv := range surveys {
		for _, tx := range sv.Texts {
			want += len(tx.Spoken())
		}
	}
	if want == 0 {
		t.Fatal("the default survey has no spoken texts to make")
	}
	if n := madePrompts(ctx, t, st, surveys); n != 0 {
		t.Fatalf("%d prompts made before serve started", n)
	}

	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for _, c := range svc.components {
		if c.Name == "survey prompts" {
			wg.Go(func() { _ = c.Run(ctx) })
		}
	}
	waitFor(t, 60*time.Second, "every survey prompt made at start", func() bool { return madePrompts(ctx, t, st, surveys) == want })

	// a text changed on the survey page: made once saved
	sv := surveys[0]
	lang := sv.Language
	tx := sv.Texts[lang]
	tx.Thanks = "Спасибо, что уделили нам минуту. До свидания!"
	sv.Texts[lang] = tx
	if err := (readySurveys{st.Surveys, svc.prompts}).UpdateSurvey(ctx, &sv); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the new text's audio", func() bool {
		_, err := st.Voice.AudioInfo(ctx, voice.Key(lang, tx.Thanks))
		return err == nil
	})
}

// madePrompts counts the survey texts whose audio is stored.
func madePrompts(ctx context.Context, t *testing.T, st *postgres.Services, surveys []survey.Survey) int {
	t.Helper()
	n := 0
	for _, sv := range surveys {
		for lang, tx := range sv.Texts {
			for _, text := range tx.Spoken() {
				if _, err := st.Voice.AudioInfo(ctx, voice.Key(lang, text)); err == nil {
					n++
				}
			}
		}
	}
	return n
}
