package pgtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm/postgres"
)

// A test database is a copy of a template database that holds every
// migration: CREATE DATABASE ... TEMPLATE copies a migrated schema in tens
// of milliseconds, where applying the migrations takes most of a second
// (several on a busy machine) for each test.
//
// The template is named after what makes it: a hash of the embedded
// migrations, so that branches with other migrations never share one, and
// the UTC day, because the migrations create the call log's partitions of
// the months around now(). It is built once, by whichever test process needs
// it first, and stays on the server for the other processes and later runs
// of the same day; templates older than yesterday are dropped by the next
// build. A template is built under another name and renamed when complete,
// so a process that dies half-way leaves no template that looks finished.

const (
	templatePrefix = "hotline_template_"
	buildPrefix    = "hotline_template_build_"
	// templateLockID serialises template builds across test processes
	// (go test runs packages in parallel); "hltmpl" in ASCII.
	templateLockID = 0x686c746d706c
)

var templates struct {
	sync.Mutex
	ready map[string]bool // names built or seen by this process
}

// templateName is the template for today's UTC day and these migrations.
func templateName(now time.Time) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(postgres.Migrations(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(postgres.Migrations(), path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return templatePrefix + hex.EncodeToString(h.Sum(nil)[:6]) + "_" + now.UTC().Format("20060102"), nil
}

// ensureTemplate returns the name of a migrated template database on the
// server of cfg, building it if no process has yet.
func ensureTemplate(ctx context.Context, cfg *pgx.ConnConfig, base string) (string, error) {
	name, err := templateName(time.Now())
	if err != nil {
		return "", err
	}
	templates.Lock()
	defer templates.Unlock()
	if templates.ready[name] {
		return name, nil
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "", fmt.Errorf("connect to test PostgreSQL (set %s): %w", EnvURL, err)
	}
	defer conn.Close(context.Background())
	// The lock is the session's: closing the connection releases it.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(templateLockID)); err != nil {
		return "", fmt.Errorf("lock template build: %w", err)
	}
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look for template %s: %w", name, err)
	}
	if !exists {
		if err := dropStaleTemplates(ctx, conn, time.Now()); err != nil {
			return "", err
		}
		if err := buildTemplate(ctx, conn, base, name); err != nil {
			return "", err
		}
	}
	if templates.ready == nil {
		templates.ready = map[string]bool{}
	}
	templates.ready[name] = true
	return name, nil
}

// buildTemplate migrates a new database and, once complete, renames it to
// name and marks it a template that nobody may connect to (a connection
// would make CREATE DATABASE ... TEMPLATE fail).
func buildTemplate(ctx context.Context, conn *pgx.Conn, base, name string) error {
	build := buildPrefix + strings.TrimPrefix(name, templatePrefix)
	ident := pgx.Identifier{build}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return fmt.Errorf("create template %s: %w", build, err)
	}
	if err := postgres.MigrateUp(ctx, withDatabase(base, build)); err != nil {
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)")
		return fmt.Errorf("migrate template %s: %w", build, err)
	}
	for _, q := range []string{
		"ALTER DATABASE " + ident + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false",
		"ALTER DATABASE " + ident + " RENAME TO " + pgx.Identifier{name}.Sanitize(),
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("finish template %s: %w", name, err)
		}
	}
	return nil
}

// dropStaleTemplates drops the templates of days before yesterday (a test
// process that started yesterday may still be copying yesterday's) and any
// build a dead process left: builds run under the lock the caller holds, so
// none is in progress.
func dropStaleTemplates(ctx context.Context, conn *pgx.Conn, now time.Time) error {
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'hotline\_template\_%'`)
	if err != nil {
		return fmt.Errorf("list templates: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list templates: %w", err)
	}
	keep := now.UTC().AddDate(0, 0, -1).Format("20060102")
	for _, n := range names {
		day := n[strings.LastIndexByte(n, '_')+1:]
		if !strings.HasPrefix(n, buildPrefix) && day >= keep {
			continue
		}
		ident := pgx.Identifier{n}.Sanitize()
		if _, err := conn.Exec(ctx, "ALTER DATABASE "+ident+" WITH IS_TEMPLATE false"); err != nil {
			return fmt.Errorf("drop stale template %s: %w", n, err)
		}
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop stale template %s: %w", n, err)
		}
	}
	return nil
}

// copyTemplate creates database name as a copy of template. CREATE DATABASE
// copies the schema and rows but not the database's own grants (the
// migrations grant CONNECT to grafana_reader), so those are granted again.
func copyTemplate(ctx context.Context, conn *pgx.Conn, template, name string) error {
	ident := pgx.Identifier{name}.Sanitize()
	// PostgreSQL waits up to 5 s for the backends of the migration that
	// built the template to exit.
	_, err := conn.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE "+pgx.Identifier{template}.Sanitize())
	if err != nil {
		return fmt.Errorf("create database %s from %s: %w", name, template, err)
	}
	rows, err := conn.Query(ctx, `
		SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END
		FROM pg_database d CROSS JOIN aclexplode(d.datacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
		WHERE d.datname = $1 AND a.grantee <> d.datdba`, template)
	if err != nil {
		return fmt.Errorf("read grants of %s: %w", template, err)
	}
	var grants [][2]string // privilege, grantee
	var g [2]string
	_, err = pgx.ForEachRow(rows, []any{&g[0], &g[1]}, func() error {
		grants = append(grants, g)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read grants of %s: %w", template, err)
	}
	for _, g := range grants {
		if _, err := conn.Exec(ctx, "GRANT "+g[0]+" ON DATABASE "+ident+" TO "+g[1]); err != nil {
			return fmt.Errorf("grant %s on %s to %s: %w", g[0], name, g[1], err)
		}
	}
	return nil
}
