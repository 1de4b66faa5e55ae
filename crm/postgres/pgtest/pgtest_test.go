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
		if s.Pool().Config().ConnConfig.Database == name {
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
