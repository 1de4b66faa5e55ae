package postgres_test

import (
	"context"
	"reflect"
	"testing"

	"hotline/crm/postgres"
	"hotline/survey"
)

// voiceVersion is the migration that keeps prompts' audio.
const voiceVersion = 250

// TestVoiceMigrationUpAndDown: the audio table refuses bad keys and
// sources, each write gets a new version, and down drops it all.
func TestVoiceMigrationUpAndDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, conn := migratedTo(t, voiceVersion-1)
	if err := postgres.MigrateUpTo(ctx, dsn, voiceVersion); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string) error { _, err := conn.Exec(ctx, sql); return err }
	if err := exec(`INSERT INTO voice_audio (key, lang, text, source, wav, duration_ms) VALUES (repeat('a', 32), 'ru', 'Спасибо', 'tts', '\x00', 0)`); err != nil {
		t.Fatal(err)
	}
	for name, sql := range map[string]string{
		"bad key":    `INSERT INTO voice_audio (key, lang, text, source, wav, duration_ms) VALUES ('../x', 'ru', 'a', 'tts', '\x00', 0)`,
		"bad source": `INSERT INTO voice_audio (key, lang, text, source, wav, duration_ms) VALUES (repeat('b', 32), 'ru', 'a', 'web', '\x00', 0)`,
		"short key":  `INSERT INTO voice_media_secret (secret) VALUES ('\x01')`,
	} {
		if err := exec(sql); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if err := postgres.MigrateDown(ctx, dsn, 1); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relname IN ('voice_audio', 'voice_media_secret', 'voice_audio_version')`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("down left %d voice relations (%v)", n, err)
	}
}

// TestSpokenDefaultSurveyMigration: the unchanged seed gets the texts of
// survey.DefaultSurvey, an edited default keeps its definition, and down
// restores the seed.
func TestSpokenDefaultSurveyMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, edited := range []bool{false, true} {
		dsn, conn := migratedTo(t, voiceVersion)
		if edited {
			if _, err := conn.Exec(ctx, `UPDATE survey_definitions SET definition = jsonb_set(definition, '{intro}', '["sound:beep"]') WHERE is_default`); err != nil {
				t.Fatal(err)
			}
		}
		if err := postgres.MigrateUpTo(ctx, dsn, voiceVersion+1); err != nil {
			t.Fatal(err)
		}
		st, err := postgres.Open(ctx, dsn, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sv, err := postgres.NewServices(st).Surveys.DefaultSurvey(ctx)
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := survey.DefaultSurvey()
		if edited {
			if sv.Texts != nil || len(sv.Intro) != 1 || sv.Intro[0] != "sound:beep" {
				t.Fatalf("an edited default survey was rewritten: %+v", sv)
			}
			continue
		}
		if !reflect.DeepEqual(sv.Texts, want.Texts) || sv.Language != "ru" || len(sv.Intro) != 0 || len(sv.Questions[0].Prompt) != 1 {
			t.Fatalf("default survey after up: %+v", sv)
		}
		if err := postgres.MigrateDown(ctx, dsn, 1); err != nil {
			t.Fatal(err)
		}
		var intro string
		if err := conn.QueryRow(ctx, `SELECT definition ->> 'intro' FROM survey_definitions WHERE is_default`).Scan(&intro); err != nil || intro != `["sound:hello-world"]` {
			t.Fatalf("after down: intro %s, %v", intro, err)
		}
	}
}
