package deploy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/internal/testneed"
)

// callsContract is the call log as the dashboards read it (the tracker's
// view "call_log" over table "calls"; issue 4 lists these columns). It
// stands in for the real schema when the migrations cannot be applied here.
const callsContract = `CREATE TABLE calls (
	id bigint PRIMARY KEY, linkedid text NOT NULL, direction text NOT NULL, outcome text NOT NULL,
	caller text, callee text, agent text,
	started_at timestamptz NOT NULL, answered_at timestamptz, ended_at timestamptz,
	wait_seconds double precision, ring_seconds double precision,
	talk_seconds double precision, hold_seconds double precision);
CREATE VIEW call_log AS SELECT * FROM calls`

var callsColumns = []string{"id", "linkedid", "direction", "outcome", "caller", "callee", "agent",
	"started_at", "answered_at", "ended_at", "wait_seconds", "ring_seconds", "talk_seconds", "hold_seconds"}

// testDB creates a database with a random name on the test PostgreSQL and
// drops it when the test ends.
func testDB(t *testing.T) *pgx.Conn {
	t.Helper()
	dsn := os.Getenv("HOTLINE_TEST_DATABASE_URL")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		testneed.Missing(t, "no PostgreSQL at %s (set HOTLINE_TEST_DATABASE_URL; scripts/deps.sh starts it): %v", dsn, err)
	}
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	name := "deploy_test_" + hex.EncodeToString(buf)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
		admin.Close(ctx)
	})
	return conn
}

// applyMigrations runs the Up half of every goose migration in
// crm/postgres/migrations, if the directory exists in this checkout. It
// reports whether all of them applied.
func applyMigrations(t *testing.T, conn *pgx.Conn) bool {
	t.Helper()
	files, _ := filepath.Glob("../crm/postgres/migrations/*.sql")
	if len(files) == 0 {
		return false
	}
	slices.Sort(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		up, _, _ := strings.Cut(string(b), "-- +goose Down")
		if _, err := conn.Exec(context.Background(), up); err != nil {
			t.Logf("migration %s does not apply as one script (%v): checking against the contract table", filepath.Base(f), err)
			return false
		}
	}
	return true
}

// grafanaSQL replaces Grafana's PostgreSQL macros with what they expand to.
func grafanaSQL(q string) string {
	q = regexp.MustCompile(`\$__timeGroupAlias\((\w+),\s*1h\)`).ReplaceAllString(q, `date_trunc('hour', $1) AS "time"`)
	q = regexp.MustCompile(`\$__timeFilter\((\w+)\)`).ReplaceAllString(q,
		`$1 BETWEEN '2026-01-01T00:00:00Z' AND '2026-01-02T00:00:00Z'`)
	return q
}

// prepareCallsTable makes the calls table: from the project's migrations
// when they create it (then it must have every contract column), otherwise
// from the contract; and puts one call in it. It reports whether the
// migrated schema is in use.
func prepareCallsTable(t *testing.T, conn *pgx.Conn) bool {
	t.Helper()
	ctx := context.Background()
	migrated := applyMigrations(t, conn)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('call_log') IS NOT NULL").Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if migrated && exists {
		for _, col := range callsColumns {
			var ok bool
			err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
				WHERE table_name = 'call_log' AND column_name = $1)`, col).Scan(&ok)
			if err != nil || !ok {
				t.Errorf("the migrated call_log view lacks column %s (%v)", col, err)
			}
		}
	} else {
		// Whatever part of the migrations applied, start from the contract.
		if _, err := conn.Exec(ctx, "DROP VIEW IF EXISTS call_log CASCADE; DROP TABLE IF EXISTS calls CASCADE"); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, callsContract); err != nil {
			t.Fatal(err)
		}
	}
	insert := `INSERT INTO calls (id, linkedid, direction, outcome, caller, callee, agent,
		started_at, answered_at, ended_at, wait_seconds, ring_seconds, talk_seconds, hold_seconds)
		VALUES (1, '1.1', 'inbound', 'answered', '+74951234567', '7001', 'ivanov',
		'2026-01-01T10:00:00Z', '2026-01-01T10:00:02Z', '2026-01-01T10:00:07Z', 2, 2, 5, 0)`
	if migrated && exists {
		t.Log("checking against the migrated schema")
		insert = `INSERT INTO calls (node, linkedid, version, direction, outcome, caller, callee, agent,
		started_at, answered_at, ended_at, wait_seconds, ring_seconds, talk_seconds, hold_seconds)
		VALUES ('pbx1', '1.1', 1, 'inbound', 'answered', '+74951234567', '7001', 'ivanov',
		'2026-01-01T10:00:00Z', '2026-01-01T10:00:02Z', '2026-01-01T10:00:07Z', 2, 2, 5, 0)`
	}
	if _, err := conn.Exec(ctx, insert); err != nil {
		t.Fatalf("insert a call: %v", err)
	}
	return migrated && exists
}

// Every SQL panel runs on the call log's schema: the tables and columns it
// names exist, and PostgreSQL accepts the query.
func TestDashboardSQLRunsOnCallLog(t *testing.T) {
	conn := testDB(t)
	ctx := context.Background()
	if prepareCallsTable(t, conn) {
		// Run the panels with Grafana's own privileges (migration 00030).
		if _, err := conn.Exec(ctx, "SET ROLE grafana_reader"); err != nil {
			t.Fatalf("the migrations leave no grafana_reader role: %v", err)
		}
	}
	var n int
	for f, d := range loadDashboards(t) {
		walkPanels(d.Panels, func(p panel) {
			for _, tg := range p.Targets {
				if tg.RawSQL == "" {
					continue
				}
				n++
				q := grafanaSQL(tg.RawSQL)
				if strings.Contains(q, "$") {
					t.Errorf("%s: panel %q uses a macro or variable the test does not know: %s", f, p.Title, q)
					continue
				}
				rows, err := conn.Query(ctx, q)
				var got int
				if err == nil {
					for rows.Next() {
						got++
					}
					rows.Close()
					err = rows.Err()
				}
				if err != nil {
					t.Errorf("%s: panel %q: %v\n%s", f, p.Title, err, q)
				} else if got == 0 {
					t.Errorf("%s: panel %q shows nothing for the one call in its time range", f, p.Title)
				}
			}
		})
	}
	if n < 3 {
		t.Errorf("only %d SQL panels; the call log and per-agent totals should come from PostgreSQL", n)
	}
}
