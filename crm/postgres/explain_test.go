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

// TestPhoneLookupUsesIndexes fills the tables with 20 000 clients and checks
// the plans PostgreSQL chooses: the screen-pop lookup by E.164 is an index
// scan on contacts (kind, value), and a search by a part of the digits uses
// the trigram index.
func TestPhoneLookupUsesIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	sample := fillClients(t, s, 20000)

	plan := explain(t, s.DB.Pool(), postgres.FindByPhoneSQL, sample)
	if !strings.Contains(plan, "contacts_kind_value") || strings.Contains(plan, "Seq Scan on contacts") {
		t.Fatalf("phone lookup does not use the (kind, value) index:\n%s", plan)
	}
	if found, err := s.Clients.FindClientsByPhone(ctx, sample); err != nil || len(found) != 1 {
		t.Fatalf("FindClientsByPhone(%s) = %d clients, %v", sample, len(found), err)
	}
	for _, sql := range postgres.CardLookupSQL { // the screen pop card's batch
		args := []any{sample, 5, "olga"} // number, limit, viewer
		switch {
		case !strings.Contains(sql, "$2"):
			args = args[:1]
		case !strings.Contains(sql, "$3"):
			args = args[:2]
		}
		plan := explain(t, s.DB.Pool(), sql, args...)
		if !strings.Contains(plan, "contacts_kind_value") || strings.Contains(plan, "Seq Scan on contacts") {
			t.Fatalf("the card's %s\ndoes not find the number with the (kind, value) index:\n%s", sql, plan)
		}
	}

	var args []any
	cond := postgres.QueryCondition(sample[len(sample)-6:], func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	})
	plan = explain(t, s.DB.Pool(), "SELECT c.id FROM clients c WHERE "+cond+" ORDER BY c.name, c.id LIMIT 51", args...)
	if !strings.Contains(plan, "Bitmap Index Scan on contacts_digits_trgm") || strings.Contains(plan, "Seq Scan on contacts") {
		t.Fatalf("search by digits does not use the trigram index:\n%s", plan)
	}
}

// fillClients inserts n clients, each with a mobile number and an email,
// vacuums and analyzes the tables, and returns one of the numbers.
func fillClients(tb testing.TB, s *postgres.Services, n int) string {
	tb.Helper()
	ctx := context.Background()
	for _, sql := range []string{
		`INSERT INTO clients (kind, name) SELECT 'person', 'Client ' || g FROM generate_series(1, ` + fmt.Sprint(n) + `) g`,
		`INSERT INTO contacts (client_id, kind, value)
			SELECT id, 'phone', '+79' || lpad((id * 7919 % 999999999)::text, 9, '0') FROM clients`,
		`INSERT INTO contacts (client_id, kind, value) SELECT id, 'email', 'client' || id || '@example.ru' FROM clients`,
		`VACUUM ANALYZE clients`,
		`VACUUM ANALYZE contacts`,
	} {
		if _, err := s.DB.Pool().Exec(ctx, sql); err != nil {
			tb.Fatal(err)
		}
	}
	var sample string
	if err := s.DB.Pool().QueryRow(ctx, `SELECT value FROM contacts WHERE kind = 'phone' ORDER BY id OFFSET 777 LIMIT 1`).Scan(&sample); err != nil {
		tb.Fatal(err)
	}
	return sample
}
