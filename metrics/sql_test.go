package metrics_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm/postgres/pgtest"
)

var (
	timeFilter    = regexp.MustCompile(`\$__timeFilter\(([^)]+)\)`)
	timeGroupAlas = regexp.MustCompile(`\$__timeGroupAlias\(([^,]+),[^)]*\)`)
	timeGroup     = regexp.MustCompile(`\$__timeGroup\(([^,]+),[^)]*\)`)
)

// expandMacros turns Grafana's PostgreSQL macros into plain SQL.
func expandMacros(sql string) string {
	sql = timeFilter.ReplaceAllString(sql, `$1 BETWEEN now() - interval '1 day' AND now()`)
	sql = timeGroupAlas.ReplaceAllString(sql, `date_trunc('hour', $1) AS "time"`)
	return timeGroup.ReplaceAllString(sql, `date_trunc('hour', $1)`)
}

// TestDashboardSQLRunsAsGrafanaReader runs every PostgreSQL query of the
// dashboards on a migrated database as the read-only role of migration
// 00030: the tables and columns exist and the role may read them, and the
// role may not read password hashes or write.
func TestDashboardSQLRunsAsGrafanaReader(t *testing.T) {
	dsn := pgtest.NewDSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET ROLE grafana_reader"); err != nil {
		t.Fatal(err)
	}
	n := 0
	for file, targets := range dashboardTargets(t) {
		for _, tg := range targets {
			if tg.RawSQL == "" {
				continue
			}
			n++
			if tg.Datasource.UID != "hotline-postgres" {
				t.Errorf("%s: SQL query on data source %q, want hotline-postgres", file, tg.Datasource.UID)
			}
			rows, err := conn.Query(ctx, expandMacros(tg.RawSQL))
			if err == nil {
				rows.Close()
				err = rows.Err()
			}
			if err != nil {
				t.Errorf("%s: %v\n%s", file, err, tg.RawSQL)
			}
		}
	}
	if n == 0 {
		t.Fatal("no SQL queries in the dashboards")
	}
	for _, forbidden := range []string{"SELECT password_hash FROM users", "SELECT * FROM sessions",
		"DELETE FROM calls"} {
		if _, err := conn.Exec(ctx, forbidden); err == nil {
			t.Errorf("grafana_reader may run %q", forbidden)
		}
	}
	if _, err := conn.Exec(ctx, "SELECT login, name, role FROM users"); err != nil {
		t.Errorf("grafana_reader cannot read agents' logins: %v", err)
	}
}
