package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the embedded goose migrations (NNNNN_name.sql).
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// migrationLockID is the advisory lock key that serialises migrations when
// several replicas start at once.
const migrationLockID = 0x686f746c696e65 // "hotline"

// withProvider opens a goose provider on dsn, runs fn and closes everything.
func withProvider(ctx context.Context, dsn string, fn func(*goose.Provider) error) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("parse database url: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to database %q: %w", cfg.Database, err)
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID))
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, Migrations(),
		goose.WithSessionLocker(locker),
		// Modules number their migrations in separate ranges (store 1-9,
		// tracker 10-19, ...), so a database may have met them out of order.
		goose.WithAllowOutofOrder(true),
	)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return fn(p)
}

// MigrateUp applies every pending migration.
func MigrateUp(ctx context.Context, dsn string) error {
	return withProvider(ctx, dsn, func(p *goose.Provider) error {
		if _, err := p.Up(ctx); err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
		return nil
	})
}

// MigrateUpTo applies the pending migrations up to and including version,
// for upgrades in steps and for tests that put data in an older schema.
func MigrateUpTo(ctx context.Context, dsn string, version int64) error {
	return withProvider(ctx, dsn, func(p *goose.Provider) error {
		if _, err := p.UpTo(ctx, version); err != nil {
			return fmt.Errorf("migrate up to %d: %w", version, err)
		}
		return nil
	})
}

// MigrateDown rolls back the last steps applied migrations (steps <= 0 means
// one). It stops quietly when nothing is left to roll back.
func MigrateDown(ctx context.Context, dsn string, steps int) error {
	if steps <= 0 {
		steps = 1
	}
	return withProvider(ctx, dsn, func(p *goose.Provider) error {
		for range steps {
			if _, err := p.Down(ctx); err != nil {
				if errors.Is(err, goose.ErrNoNextVersion) {
					return nil
				}
				return fmt.Errorf("migrate down: %w", err)
			}
		}
		return nil
	})
}

// MigrateVersion returns the highest applied migration version (0 for none).
func MigrateVersion(ctx context.Context, dsn string) (int64, error) {
	var v int64
	err := withProvider(ctx, dsn, func(p *goose.Provider) error {
		var err error
		v, err = p.GetDBVersion(ctx)
		return err
	})
	return v, err
}

// MigrateStatus writes one line per known migration: applied or pending.
func MigrateStatus(ctx context.Context, dsn string, w io.Writer) error {
	return withProvider(ctx, dsn, func(p *goose.Provider) error {
		st, err := p.Status(ctx)
		if err != nil {
			return fmt.Errorf("migration status: %w", err)
		}
		for _, m := range st {
			at := "-"
			if !m.AppliedAt.IsZero() {
				at = m.AppliedAt.UTC().Format(time.RFC3339)
			}
			if _, err := fmt.Fprintf(w, "%-8s %-25s %s\n", m.State, at, filepath.Base(m.Source.Path)); err != nil {
				return err
			}
		}
		return nil
	})
}

// EnsureDatabase creates the database named in dsn when it does not exist,
// connecting to the "postgres" maintenance database of the same server.
func EnsureDatabase(ctx context.Context, dsn string) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("parse database url: %w", err)
	}
	name := cfg.Database
	if name == "" {
		return errors.New("database url names no database")
	}
	admin := cfg.Copy()
	admin.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return fmt.Errorf("connect to the postgres database to create %q: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("look for database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: another process won
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %q: %w", name, err)
	}
	return nil
}
