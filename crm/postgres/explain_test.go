package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// explain returns the plan PostgreSQL chooses for sql with args.
func explain(t *testing.T, db interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql string, args ...any) string {
	t.Helper()
	rows, err := db.Query(context.Background(), "EXPLAIN "+sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestPhoneLookupUsesIndexes fills the tables with a few thousand rows and
// checks the plans: the screen-pop lookup by E.164 is an index scan on
// contacts (kind, value), and a search by a part of the digits uses the
// trigram index.
func TestPhoneLookupUsesIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	pool := s.Pool()
	_, err := pool.Exec(ctx, `
		INSERT INTO clients (kind, name) SELECT 'person', 'Client ' || g FROM generate_series(1, 5000) g;
		INSERT INTO contacts (client_id, kind, value)
			SELECT id, 'phone', '+7' || (9000000000 + id * 7919 % 999999999)::text FROM clients;
		INSERT INTO contacts (client_id, kind, value)
			SELECT id, 'email', 'client' || id || '@example.ru' FROM clients;
		ANALYZE clients; ANALYZE contacts;`)
	if err != nil {
		t.Fatal(err)
	}
	var sample string
	if err := pool.QueryRow(ctx, `SELECT value FROM contacts WHERE kind = 'phone' ORDER BY id OFFSET 1234 LIMIT 1`).Scan(&sample); err != nil {
		t.Fatal(err)
	}

	plan := explain(t, pool, postgres.FindByPhoneSQL, sample)
	if !strings.Contains(plan, "contacts_kind_value") || strings.Contains(plan, "Seq Scan on contacts") {
		t.Fatalf("phone lookup does not use the (kind, value) index:\n%s", plan)
	}
	if found, err := s.FindClientsByPhone(ctx, sample); err != nil || len(found) != 1 {
		t.Fatalf("FindClientsByPhone(%s) = %d clients, %v", sample, len(found), err)
	}

	var args []any
	cond := postgres.QueryCondition(sample[len(sample)-7:], func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	})
	// At a few thousand rows a sequential scan of contacts is cheaper than the
	// trigram index, so the planner rightly skips it; with sequential scans
	// disabled it must still find an index that serves the search, which
	// proves the index matches the query's expressions.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	plan = explain(t, tx, "SELECT c.id FROM clients c WHERE "+cond, args...)
	if !strings.Contains(plan, "Bitmap Index Scan on contacts_digits_trgm") {
		t.Fatalf("search by digits does not use the trigram index:\n%s", plan)
	}
}
