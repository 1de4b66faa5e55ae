package postgres_test

import (
	"context"
	"testing"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// languageVersion is the migration that gives users and clients a language.
const languageVersion = 170

// TestLanguageMigration: existing users and clients get ” (the centre's
// language), unknown languages are refused, down drops the columns and
// keeps the rows.
func TestLanguageMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, conn := migratedTo(t, languageVersion-1)
	exec := func(sql string) error { _, err := conn.Exec(ctx, sql); return err }
	if err := exec(`INSERT INTO users (login, name, role, password_hash) VALUES ('ann', 'Анна', 'agent', 'x')`); err != nil {
		t.Fatal(err)
	}
	if err := exec(`INSERT INTO clients (kind, name) VALUES ('person', 'Иван Петров')`); err != nil {
		t.Fatal(err)
	}
	if err := postgres.MigrateUpTo(ctx, dsn, languageVersion); err != nil {
		t.Fatal(err)
	}
	var ul, cl string
	if err := conn.QueryRow(ctx, `SELECT (SELECT language FROM users WHERE login = 'ann'), (SELECT language FROM clients)`).Scan(&ul, &cl); err != nil || ul != "" || cl != "" {
		t.Fatalf("after up: user %q, client %q, %v; want empty", ul, cl, err)
	}
	for _, sql := range []string{`UPDATE users SET language = 'de'`, `UPDATE clients SET language = 'RU'`, `UPDATE clients SET language = NULL`} {
		if err := exec(sql); err == nil {
			t.Errorf("%s was accepted", sql)
		}
	}
	if err := exec(`UPDATE users SET language = 'en'; UPDATE clients SET language = 'ru'`); err != nil {
		t.Fatal(err)
	}
	if err := postgres.MigrateDown(ctx, dsn, 1); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns
		WHERE table_name IN ('users', 'clients') AND column_name = 'language'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("down left %d language columns (%v)", n, err)
	}
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM clients)`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("rows after down: %d, %v", n, err)
	}
}

// TestLanguageStored: the store reads and writes users' and clients'
// languages, tidies them, and refuses unknown ones as a field error.
func TestLanguageStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)

	u := crm.User{Login: "anna", Name: "Анна", Role: crm.RoleAgent, Language: " EN "}
	if err := s.Users.CreateUser(ctx, &u, "$argon2id$dummy"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Users.GetUser(ctx, u.ID)
	if err != nil || got.Language != "en" {
		t.Fatalf("GetUser language = %q, %v", got.Language, err)
	}
	got.Language = "ru"
	if err := s.Users.UpdateUser(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if got, _, err = s.Users.GetUserByLogin(ctx, "anna"); err != nil || got.Language != "ru" {
		t.Fatalf("after update language = %q, %v", got.Language, err)
	}
	got.Language = "de"
	wantKind(t, s.Users.UpdateUser(ctx, &got), crm.KindInvalid, "language")

	c := crm.Client{Name: "Иван Петров", Language: "en"}
	if err := s.Clients.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	gc, err := s.Clients.GetClient(ctx, c.ID)
	if err != nil || gc.Language != "en" {
		t.Fatalf("GetClient language = %q, %v", gc.Language, err)
	}
	gc.Language = ""
	gc.Contacts = nil
	if err := s.Clients.UpdateClient(ctx, &gc); err != nil {
		t.Fatal(err)
	}
	if gc, err = s.Clients.GetClient(ctx, c.ID); err != nil || gc.Language != "" {
		t.Fatalf("after update language = %q, %v", gc.Language, err)
	}
	gc.Language = "fr"
	wantKind(t, s.Clients.UpdateClient(ctx, &gc), crm.KindInvalid, "language")
}

// TestCategoryMigration: after 00171 a transaction category may be
// Cyrillic; down keeps such rows and refuses only new non-ASCII ones.
func TestCategoryMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, conn := migratedTo(t, 171)
	insert := func(category string) error {
		_, err := conn.Exec(ctx, `INSERT INTO money_transactions (at, direction, amount, currency, category)
			VALUES (now(), 'income', 100, 'RUB', $1)`, category)
		return err
	}
	if err := insert("оплата услуг"); err != nil {
		t.Fatalf("a Cyrillic category after up: %v", err)
	}
	if err := insert(" padded "); err == nil {
		t.Error("a category with surrounding spaces was accepted")
	}
	if err := postgres.MigrateDown(ctx, dsn, 1); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM money_transactions WHERE category = 'оплата услуг'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows after down: %d, %v", n, err)
	}
	if err := insert("ещё одна"); err == nil {
		t.Error("down still accepts new non-ASCII categories")
	}
}
