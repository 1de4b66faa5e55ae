package pgtest_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

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
