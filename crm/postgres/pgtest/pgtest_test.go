package pgtest_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"hotline/crm/postgres"

	"hotline/crm/postgres/pgtest"
)

func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	ctx := context.Background()
	server := os.Getenv(pgtest.EnvURL)
	if server == "" {
		server = pgtest.DefaultURL
	}
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestDatabaseDroppedAfterTest: the database exists, is migrated and private
// during the test, and is gone afterwards even with a connection left open.
func TestDatabaseDroppedAfterTest(t *testing.T) {
	var name string
	t.Run("inner", func(t *testing.T) {
		dsn := pgtest.NewDSN(t)
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		name = strings.TrimPrefix(u.Path, "/")
		if !strings.HasPrefix(name, "hotline_test_") || !databaseExists(t, name) {
			t.Fatalf("database %q missing or badly named", name)
		}
		s := pgtest.NewStore(t)
		if s.DB.Pool().Config().ConnConfig.Database == name {
			t.Fatal("two calls returned the same database")
		}
		// A connection the test forgets to close must not keep the database.
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM priority_classes`).Scan(&n); err != nil || n != 4 {
			t.Fatalf("database not migrated: %d classes, %v", n, err)
		}
	})
	if databaseExists(t, name) {
		t.Fatalf("database %s still exists after its test", name)
	}
}

// TestProxyCutAndRestore: through the proxy queries work, fail while it is
// cut, and work again after Restore on a fresh connection.
func TestProxyCutAndRestore(t *testing.T) {
	dsn := pgtest.NewDSN(t)
	p := pgtest.NewProxy(t, dsn)
	ctx := context.Background()
	query := func() error {
		conn, err := pgx.Connect(ctx, p.Via(dsn))
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		var n int
		return conn.QueryRow(ctx, `SELECT 1`).Scan(&n)
	}
	if err := query(); err != nil {
		t.Fatalf("through the proxy: %v", err)
	}
	conn, err := pgx.Connect(ctx, p.Via(dsn))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	p.Cut()
	if _, err := conn.Exec(ctx, `SELECT 1`); err == nil {
		t.Error("an open connection still works after Cut")
	}
	if err := query(); err == nil {
		t.Error("a new connection works while the proxy is cut")
	}
	p.Restore()
	if err := query(); err != nil {
		t.Errorf("after Restore: %v", err)
	}
}

// schemaOf describes what the migrations make in the database at dsn: the
// columns, indexes, functions, migration versions and the database's grants.
func schemaOf(t *testing.T, dsn string) map[string]string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	out := map[string]string{}
	for what, q := range map[string]string{
		"columns": `SELECT string_agg(table_name || '.' || column_name || ' ' || data_type || ' ' || coalesce(column_default, ''), E'\n' ORDER BY table_name, column_name)
			FROM information_schema.columns WHERE table_schema = 'public'`,
		"indexes":   `SELECT string_agg(indexdef, E'\n' ORDER BY indexdef) FROM pg_indexes WHERE schemaname = 'public'`,
		"functions": `SELECT string_agg(p.proname || ' ' || md5(p.prosrc), E'\n' ORDER BY p.proname, md5(p.prosrc)) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`,
		"versions":  `SELECT string_agg(version_id::text, ',' ORDER BY version_id) FROM goose_db_version WHERE is_applied`,
		"grants":    `SELECT string_agg(a.privilege_type || ' ' || a.grantee::regrole::text, ',' ORDER BY 1) FROM pg_database d CROSS JOIN aclexplode(d.datacl) a WHERE d.datname = current_database() AND a.grantee <> 0`,
		"rows":      `SELECT (SELECT count(*) FROM priority_classes) || ' classes, ' || (SELECT count(*) FROM pg_inherits WHERE inhparent = 'calls'::regclass) || ' call partitions'`,
	} {
		var s *string
		if err := conn.QueryRow(ctx, q).Scan(&s); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if s == nil {
			t.Fatalf("%s: none", what)
		}
		out[what] = *s
	}
	return out
}

// TestCopyIsLikeMigrated: a database copied from the template has what
// migrating an empty one gives, down to the database's own grants, which
// CREATE DATABASE ... TEMPLATE does not copy by itself.
func TestCopyIsLikeMigrated(t *testing.T) {
	copied := schemaOf(t, pgtest.NewDSN(t))
	dsn := pgtest.NewEmptyDSN(t)
	if err := postgres.MigrateUp(context.Background(), dsn); err != nil {
		t.Fatal(err)
	}
	migrated := schemaOf(t, dsn)
	for what, want := range migrated {
		if copied[what] != want {
			t.Errorf("%s of the copy:\n%s\nof a migrated database:\n%s", what, copied[what], want)
		}
	}
	if !strings.Contains(copied["grants"], "CONNECT grafana_reader") {
		t.Errorf("the copy does not let grafana_reader connect: %s", copied["grants"])
	}
}
