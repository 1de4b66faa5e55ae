package postgres_test

import (
	"context"
	"testing"

	"hotline/crm/postgres"
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
