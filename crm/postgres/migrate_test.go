package postgres_test

import (
	"bytes"
	"context"
	"io/fs"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// schemaObjects lists the user tables, indexes and extensions of the database,
// to compare the schema before and after a down/up cycle.
func schemaObjects(t *testing.T, dsn string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `
		SELECT 'rel ' || c.relkind::text || ' ' || c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relname <> 'goose_db_version' AND c.relname NOT LIKE 'goose_db_version%'
		UNION ALL SELECT 'ext ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func migrationCount(t *testing.T) int {
	t.Helper()
	files, err := fs.Glob(postgres.Migrations(), "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no embedded migrations: %v", err)
	}
	return len(files)
}

// TestMigrationsUpDown applies every migration, rolls them back one at a time
// to an empty schema, and applies them again: each Down must undo its Up.
func TestMigrationsUpDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewEmptyDSN(t)
	n := migrationCount(t)

	if err := postgres.MigrateUp(ctx, dsn); err != nil {
		t.Fatalf("up: %v", err)
	}
	full := schemaObjects(t, dsn)
	if !containsAll(full, "rel r clients", "rel r contacts", "rel r interactions", "rel r users",
		"rel i contacts_kind_value", "rel i contacts_digits_trgm", "ext pg_trgm") {
		t.Fatalf("schema after up lacks core objects: %v", full)
	}
	for i := n; i > 0; i-- {
		if err := postgres.MigrateDown(ctx, dsn, 1); err != nil {
			t.Fatalf("down from %d: %v", i, err)
		}
	}
	if left := schemaObjects(t, dsn); len(left) != 0 {
		t.Fatalf("objects left after rolling every migration back: %v", left)
	}
	if v, err := postgres.MigrateVersion(ctx, dsn); err != nil || v != 0 {
		t.Fatalf("version after full rollback = %d, %v", v, err)
	}
	// Down on an empty schema is a no-op, not an error.
	if err := postgres.MigrateDown(ctx, dsn, 1); err != nil {
		t.Fatalf("down at zero: %v", err)
	}
	if err := postgres.MigrateUp(ctx, dsn); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if again := schemaObjects(t, dsn); strings.Join(again, "\n") != strings.Join(full, "\n") {
		t.Fatalf("schema differs after down and up:\nfirst %v\nagain %v", full, again)
	}
	// Up twice is a no-op.
	if err := postgres.MigrateUp(ctx, dsn); err != nil {
		t.Fatalf("second up: %v", err)
	}
	var status bytes.Buffer
	if err := postgres.MigrateStatus(ctx, dsn, &status); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(status.String(), "applied"); got != n || !strings.Contains(status.String(), "00001_core.sql") {
		t.Fatalf("status shows %d applied of %d:\n%s", got, n, status.String())
	}
}

func TestEnsureDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewEmptyDSN(t)
	// The database exists: nothing to do.
	if err := postgres.EnsureDatabase(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	// A missing database is created (a name of our own, dropped at the end).
	missing := strings.Replace(dsn, "hotline_test_", "hotline_test_ensure_", 1)
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		u, err := url.Parse(missing)
		if err != nil {
			t.Error(err)
			return
		}
		name := strings.TrimPrefix(u.Path, "/")
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	for range 2 {
		if err := postgres.EnsureDatabase(ctx, missing); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := pgx.Connect(ctx, missing)
	if err != nil {
		t.Fatalf("connect to the created database: %v", err)
	}
	conn.Close(ctx)
	if err := postgres.EnsureDatabase(ctx, "postgres://postgres@127.0.0.1:5432/?sslmode=disable"); err == nil {
		t.Fatal("EnsureDatabase accepted a URL without a database")
	}
}

func containsAll(have []string, want ...string) bool {
	set := map[string]bool{}
	for _, h := range have {
		set[h] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}
