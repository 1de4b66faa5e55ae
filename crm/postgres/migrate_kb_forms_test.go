package postgres_test

import (
	"context"
	"testing"

	"hotline/crm/postgres"
)

// kbFormsVersion is the migration that makes "запись" and "записи" meet.
const kbFormsVersion = 260

// TestKBFormsMigration: up recomputes the vectors of existing articles so
// that "записи" finds "запись"; down restores the old vectors and drops
// the function.
func TestKBFormsMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, conn := migratedTo(t, kbFormsVersion-1)
	if _, err := conn.Exec(ctx, `INSERT INTO kb_articles (title, body, lang, visibility, created_at, updated_at)
		VALUES ('Запись разговора', '', 'russian', 'internal', now(), now())`); err != nil {
		t.Fatal(err)
	}
	found := func() bool {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM kb_articles WHERE tsv @@ websearch_to_tsquery('russian', 'записи')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	if found() {
		t.Fatal("found before the migration: the test shows nothing")
	}
	if err := postgres.MigrateUpTo(ctx, dsn, kbFormsVersion); err != nil {
		t.Fatal(err)
	}
	if !found() {
		t.Error("after up, \"записи\" does not find \"Запись\"")
	}
	if err := postgres.MigrateDown(ctx, dsn, 1); err != nil {
		t.Fatal(err)
	}
	if found() {
		t.Error("after down the new vectors remain")
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_proc WHERE proname = 'kb_ru_forms'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("down left kb_ru_forms (%d, %v)", n, err)
	}
}
