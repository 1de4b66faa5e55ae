package postgres_test

import (
	"context"
	"testing"

	"hotline/crm/postgres"
)

// TestOneCallbackMigrationKeepsNewest: open callback requests already
// duplicated for a number keep working after 00241: the newest becomes
// the number's open request, the others stay as they are; down drops the
// columns and keeps every ticket. 00240 adds the outbox and its columns
// with defaults existing rows satisfy, and removes them on the way down.
func TestOneCallbackMigrationKeepsNewest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, conn := migratedTo(t, 239)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO users (login, role, password_hash) VALUES ('u1', 'agent', 'x')`)
	exec(`INSERT INTO clients (kind, name) VALUES ('person', 'Twice')`)
	for i, ref := range []string{"1.1", "1.2"} {
		exec(`INSERT INTO calls (node, linkedid, version, direction, outcome, customer, started_at, ended_at)
			VALUES ('pbx1', $1, 1, 'inbound', 'abandoned', '+74950000001', now(), now())`, ref)
		exec(`INSERT INTO tickets (client_id, subject, category, priority, status, public_token, external_ref, created_at, updated_at)
			SELECT id, 'Call back', 'callback', 'normal', 'new', $1, $2, now() + make_interval(mins => $3), now() FROM clients`,
			"tok"+ref, "call/pbx1/"+ref, i)
	}
	exec(`INSERT INTO ticket_notifications (user_id, ticket_id, body, at) SELECT u.id, t.id, 'old', now() FROM users u, tickets t`)
	if err := postgres.MigrateUpTo(ctx, dsn, 241); err != nil {
		t.Fatal(err)
	}
	var newest string
	var attempts int
	if err := conn.QueryRow(ctx, `SELECT external_ref, callback_attempts FROM tickets WHERE callback_number = '+74950000001'`).
		Scan(&newest, &attempts); err != nil || newest != "call/pbx1/1.2" || attempts != 1 {
		t.Fatalf("numbered request %q attempts %d, %v", newest, attempts, err)
	}
	var kind, email, pref string
	if err := conn.QueryRow(ctx, `SELECT n.kind, u.email, c.notify FROM ticket_notifications n, users u, clients c LIMIT 1`).
		Scan(&kind, &email, &pref); err != nil || kind != "escalation" || email != "" || pref != "auto" {
		t.Fatalf("defaults after up: %q %q %q %v", kind, email, pref, err)
	}
	if err := postgres.MigrateDown(ctx, dsn, 2); err != nil {
		t.Fatal(err)
	}
	var tickets, cols int
	_ = conn.QueryRow(ctx, `SELECT count(*) FROM tickets`).Scan(&tickets)
	_ = conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns WHERE (table_name, column_name) IN
		(('tickets', 'callback_number'), ('users', 'email'), ('clients', 'notify'), ('ticket_notifications', 'kind'))`).Scan(&cols)
	if tickets != 2 || cols != 0 {
		t.Fatalf("after down: %d tickets, %d new columns left", tickets, cols)
	}
}
