#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (compose mounts it
# into /docker-entrypoint-initdb.d). Creates the read-only login Grafana's
# PostgreSQL data source uses. What it may read (the call log and reporting
# tables, never users' password hashes, sessions or tokens) is granted by
# Hotline's migration 00030_grafana_reader.sql.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v reader_password="$GRAFANA_DB_PASSWORD" <<'SQL'
CREATE ROLE grafana_reader LOGIN PASSWORD :'reader_password';
GRANT CONNECT ON DATABASE hotline TO grafana_reader;
GRANT USAGE ON SCHEMA public TO grafana_reader;
ALTER ROLE grafana_reader SET default_transaction_read_only = on;
ALTER ROLE grafana_reader SET statement_timeout = '30s';
SQL
