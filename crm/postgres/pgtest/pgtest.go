// Package pgtest gives tests a fresh, migrated PostgreSQL database of their
// own, copied from a migrated template and dropped when the test ends. The server comes from the environment
// variable HOTLINE_TEST_DATABASE_URL (any database on it; default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm/postgres"
)

// EnvURL names the environment variable with the test server's URL.
const EnvURL = "HOTLINE_TEST_DATABASE_URL"

// DefaultURL is the test server used when EnvURL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// NewDSN creates a database named hotline_test_<random hex> with every
// migration applied and returns its URL. The database is a copy of a
// migrated template (see template.go), which is much faster than migrating
// each test's database. It is dropped (WITH FORCE, so open connections do
// not keep it alive) when tb's test ends.
func NewDSN(tb testing.TB) string {
	tb.Helper()
	return newDatabase(tb, true)
}

// NewEmptyDSN is NewDSN without migrations, for migration tests.
func NewEmptyDSN(tb testing.TB) string {
	tb.Helper()
	return newDatabase(tb, false)
}

// newDatabase creates a test database, empty or copied from the migrated
// template, and registers its drop.
func newDatabase(tb testing.TB, migrated bool) string {
	tb.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		base = DefaultURL
	}
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		tb.Fatalf("pgtest: parse %s: %v", EnvURL, err)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	name := "hotline_test_" + hex.EncodeToString(b[:])

	template := ""
	if migrated {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if template, err = ensureTemplate(ctx, cfg, base); err != nil {
			tb.Fatalf("pgtest: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		tb.Fatalf("pgtest: connect to test PostgreSQL (set %s): %v", EnvURL, err)
	}
	defer conn.Close(context.Background())
	if template == "" {
		_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	} else {
		err = copyTemplate(ctx, conn, template, name)
	}
	if err != nil {
		// a copy that failed half-way (after CREATE) is dropped too
		tb.Cleanup(func() { drop(tb, cfg, name) })
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	tb.Cleanup(func() { drop(tb, cfg, name) })

	return withDatabase(base, name)
}

// withDatabase returns the connection string base pointed at database name.
// base is a URL (postgres://...) or a keyword/value string ("host=... ").
func withDatabase(base, name string) string {
	if u, err := url.Parse(base); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		return u.String()
	}
	return base + " dbname=" + name
}

func drop(tb testing.TB, cfg *pgx.ConnConfig, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		tb.Errorf("pgtest: connect to drop %s: %v", name, err)
		return
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		tb.Errorf("pgtest: drop database %s: %v", name, err)
	}
}

// NewStore opens every feature's service on a fresh migrated database (see
// NewDSN); the pool is closed and the database dropped when tb's test ends.
func NewStore(tb testing.TB) *postgres.Services {
	tb.Helper()
	return NewStoreWith(tb, postgres.Options{})
}

// NewStoreWith is NewStore with options (a test clock, a logger).
func NewStoreWith(tb testing.TB, opts postgres.Options) *postgres.Services {
	tb.Helper()
	dsn := NewDSN(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := postgres.Open(ctx, dsn, opts)
	if err != nil {
		tb.Fatalf("pgtest: open store: %v", err)
	}
	tb.Cleanup(s.Close) // runs before the drop registered earlier
	return postgres.NewServices(s)
}

// Open opens every feature's service on the existing database at dsn; the
// pool is closed when tb's test ends.
func Open(tb testing.TB, dsn string, opts postgres.Options) *postgres.Services {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := postgres.Open(ctx, dsn, opts)
	if err != nil {
		tb.Fatalf("pgtest: open store: %v", err)
	}
	tb.Cleanup(db.Close)
	return postgres.NewServices(db)
}
