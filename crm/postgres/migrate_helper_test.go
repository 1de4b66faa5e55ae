package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// migratedTo returns an empty database migrated up to version (to fill
// the schema a later migration converts) and a connection to it, closed
// when the test ends.
func migratedTo(t *testing.T, version int64) (dsn string, conn *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	dsn = pgtest.NewEmptyDSN(t)
	var err error
	for range 5 { // 00030 alters a cluster-wide role: retry when another package migrates at once
		if err = postgres.MigrateUpTo(ctx, dsn, version); err == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	conn, err = pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return dsn, conn
}
