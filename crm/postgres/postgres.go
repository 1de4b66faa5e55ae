// Package postgres is Hotline's store on PostgreSQL: one service per feature
// (clients, staff, the service desk, the knowledge base, notifications,
// resources, the funnel, the call log, reports, surveys; see Services), all
// over one connection pool (DB). It owns the schema (goose migrations
// embedded in the binary) and translates database errors into crm.Error
// kinds by SQLSTATE.
package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/crm/resource/doctext"
)

// Options tunes a DB. The zero value is ready to use.
type Options struct {
	// MaxConns caps the pool size (0: pgx's default, max(4, CPUs)).
	MaxConns int32
	// Now is the clock used for session expiry; time.Now when nil.
	Now func() time.Time
	// Logger receives store diagnostics; slog.Default() when nil.
	Logger *slog.Logger
	// Text finds the searchable text of uploaded documents; nil: a
	// doctext.Extractor with default limits that reads no PDFs.
	Text TextExtractor
	// BaseCurrency is the ISO 4217 code priority rules count revenue in
	// (other currencies are converted with currency_rates); "RUB" when empty.
	BaseCurrency string
	// Tracer, when set, sees every statement and batch the pool sends
	// (tests count round trips with it); it may also be a pgx.BatchTracer.
	Tracer pgx.QueryTracer
}

// TextExtractor returns the searchable text of a file; an error means the
// file has none we can read (it is stored all the same).
type TextExtractor interface {
	Text(ctx context.Context, contentType string, content []byte) (string, error)
}

// DB is the connection pool every feature's service shares. It is safe for concurrent use.
type DB struct {
	pool *pgxpool.Pool
	now  func() time.Time
	log  *slog.Logger
	text TextExtractor
	base string // BaseCurrency
}

// Open connects to the database at dsn and checks that it answers. The schema
// must already be migrated (MigrateUp).
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	base := opts.BaseCurrency
	if base == "" {
		base = "RUB"
	}
	// The money trigger of migration 00320 reads it to classify clients.
	cfg.ConnConfig.RuntimeParams["hotline.base_currency"] = base
	if opts.Tracer != nil {
		cfg.ConnConfig.Tracer = opts.Tracer
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	s := &DB{pool: pool, now: opts.Now, log: opts.Logger, text: opts.Text, base: base}
	if s.text == nil {
		s.text = doctext.New(doctext.Options{})
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if err := s.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	s.log.Debug("database pool open", "database", cfg.ConnConfig.Database, "host", cfg.ConnConfig.Host, "max_conns", cfg.MaxConns)
	return s, nil
}

// Close closes every connection of the pool.
func (s *DB) Close() { s.pool.Close() }

// Ping checks that the database answers.
func (s *DB) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping database %q: %w", s.pool.Config().ConnConfig.Database, err)
	}
	return nil
}

// Pool returns the connection pool, for other modules' stores that share the
// database (the call tracker, surveys).
func (s *DB) Pool() *pgxpool.Pool { return s.pool }

// inTx runs fn in a transaction, committing when it returns nil.
func (s *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}
