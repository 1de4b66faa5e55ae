-- The read-only role Grafana's PostgreSQL data source (and other report
-- tools) log in as. Roles are cluster-wide, so it is created only when
-- missing (deploy/postgres/10-grafana-reader.sh creates it with a password
-- on a fresh compose volume; elsewhere: ALTER ROLE grafana_reader LOGIN
-- PASSWORD '...'). It may read the call log and the reporting tables, never
-- users, sessions or tokens. When the migrating user may not create roles
-- the grants are skipped with a notice instead of failing the migration.

-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader') THEN
        BEGIN
            CREATE ROLE grafana_reader NOLOGIN;
            -- role settings are cluster-wide rows: set them only when the role
            -- is made, so that migrations of several databases at once (tests,
            -- replicas) never update the same catalog tuple concurrently.
            ALTER ROLE grafana_reader SET default_transaction_read_only = on;
            ALTER ROLE grafana_reader SET statement_timeout = '30s';
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL; -- created concurrently
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'grafana_reader not created: % may not create roles', current_user;
                RETURN;
        END;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO grafana_reader', current_database());
    GRANT USAGE ON SCHEMA public TO grafana_reader;
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v')
               AND (c.relname IN ('calls', 'call_log', 'call_legs', 'call_events', 'clients',
                                  'contacts', 'interactions', 'priority_classes')
                    OR c.relname LIKE 'survey%' OR c.relname LIKE 'ticket%')
    LOOP
        EXECUTE format('GRANT SELECT ON %I TO grafana_reader', t);
    END LOOP;
    -- logins and names of agents for per-agent panels, without password hashes
    IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'login') THEN
        GRANT SELECT (id, login, name, role) ON users TO grafana_reader;
    END IF;
EXCEPTION
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'grafana_reader grants skipped: % lacks the privilege', current_user;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader') THEN
        RETURN;
    END IF;
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v')
    LOOP
        EXECUTE format('REVOKE ALL ON %I FROM grafana_reader', t);
    END LOOP;
    REVOKE USAGE ON SCHEMA public FROM grafana_reader;
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM grafana_reader', current_database());
END
$$;
-- +goose StatementEnd
