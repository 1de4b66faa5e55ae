package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
)

// unifiedTeamsVersion is the migration that moves the document library's
// teams onto the service desk's.
const unifiedTeamsVersion = 140

// TestUnifiedTeamsMigrationKeepsData fills the document library's old team
// tables, migrates up (teams made or matched case-insensitively, members
// moved, grants by team ID, access unchanged), down (the old shape with the
// same memberships and grants) and up again (no team made twice).
func TestUnifiedTeamsMigrationKeepsData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, conn := migratedTo(t, unifiedTeamsVersion-1)
	q := func(sql string, args ...any) string {
		t.Helper()
		rows, err := conn.Query(ctx, sql, args...)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return strings.Join(out, "; ")
	}
	// Users 1-3 (ann, bob, cat); the service desk's "Sales" team (with bob
	// in it) and "Line 1"; documents 1 and 2 owned by ann.
	q(`INSERT INTO users (login, name, role, password_hash) VALUES ('ann', 'Ann', 'agent', 'x'), ('bob', 'Bob', 'agent', 'x'), ('cat', 'Cat', 'agent', 'x')`)
	q(`INSERT INTO teams (name) VALUES ('Sales'), ('Line 1')`)
	q(`INSERT INTO team_members VALUES (1, 2)`)
	q(`INSERT INTO documents (title, category, owner_id, version) VALUES ('Prices', 'commercial', 1, 1), ('Script', 'technical', 1, 1)`)
	q(`INSERT INTO document_versions (document_id, version, filename, content_type, size, content) VALUES (1, 1, 'p.txt', 'text/plain', 1, 'p'), (2, 1, 's.txt', 'text/plain', 1, 's')`)
	q(`INSERT INTO teams_members VALUES ('sales', 2), ('sales', 3), ('support', 2), ('support', 3)`)
	q(`INSERT INTO document_grants (document_id, kind, who, can_write) VALUES
		(1, 'team', 'sales', false), (1, 'team', 'Sales', true), (1, 'role', 'supervisor', false),
		(2, 'team', 'support', false), (2, 'team', 'marketing', true), (2, 'user', '3', true)`)

	up := func(when string) {
		t.Helper()
		// Up to this migration only, so that the down below undoes it
		// whatever later migrations exist.
		if err := postgres.MigrateUpTo(ctx, dsn, unifiedTeamsVersion); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		for sql, want := range map[string]string{
			`SELECT id || ' ' || name FROM teams ORDER BY id`:               "1 Sales; 2 Line 1; 3 marketing; 4 support",
			`SELECT team_id || ':' || user_id FROM team_members ORDER BY 1`: "1:2; 1:3; 4:2; 4:3",
			`SELECT document_id || ' ' || kind || ' ' || who || ' ' || coalesce(team_id::text, '-') || ' ' || can_write
				FROM document_grants ORDER BY 1`: "1 role supervisor - false; 1 team 1 1 true; 2 team 3 3 true; 2 team 4 4 false; 2 user 3 - true",
			`SELECT count(*)::text FROM pg_tables WHERE tablename = 'teams_members'`: "0",
		} {
			if got := q(sql); got != want {
				t.Errorf("%s: %s\ngot  %s\nwant %s", when, sql, got, want)
			}
		}
	}
	up("up")

	// The store reads the migrated grants: bob and cat are in Sales and
	// support; cat also has a user grant on the script.
	st := pgtest.Open(t, dsn, postgres.Options{})
	for _, c := range []struct {
		user     int64
		doc      int64
		canWrite bool
	}{{2, 1, true}, {2, 2, false}, {3, 1, true}, {3, 2, true}} {
		d, err := st.Documents.GetDocument(ctx, resource.Reader{UserID: c.user, Role: crm.RoleAgent}, c.doc)
		if err != nil || d.CanWrite != c.canWrite {
			t.Errorf("user %d, document %d after up: write %v, %v; want write %v", c.user, c.doc, d.CanWrite, err, c.canWrite)
		}
	}

	if err := postgres.MigrateDown(ctx, dsn, 1); err != nil {
		t.Fatalf("down: %v", err)
	}
	for sql, want := range map[string]string{
		`SELECT team || ':' || user_id FROM teams_members ORDER BY 1`:                                                            "sales:2; sales:3; support:2; support:3",
		`SELECT document_id || ' ' || kind || ' ' || who || ' ' || can_write FROM document_grants ORDER BY 1`:                    "1 role supervisor false; 1 team sales true; 2 team marketing true; 2 team support false; 2 user 3 true",
		`SELECT count(*)::text FROM information_schema.columns WHERE table_name = 'document_grants' AND column_name = 'team_id'`: "0",
	} {
		if got := q(sql); got != want {
			t.Errorf("down: %s\ngot  %s\nwant %s", sql, got, want)
		}
	}
	st.DB.Close()
	up("up again")
	if v, err := postgres.MigrateVersion(ctx, dsn); err != nil || v < unifiedTeamsVersion {
		t.Fatalf("version %d %v", v, err)
	}
}
