#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (compose mounts it
# into /docker-entrypoint-initdb.d). Creates the login Grafana's PostgreSQL data
# source uses, with the password from GRAFANA_DB_PASSWORD. What it may read is
# granted by Hotline's migration 00030_grafana_reader (the call log and the
# reporting tables; never users' passwords, sessions or tokens), so this script
# grants nothing itself.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v reader_password="$GRAFANA_DB_PASSWORD" <<'SQL'
CREATE ROLE grafana_reader LOGIN PASSWORD :'reader_password';
ALTER ROLE grafana_reader SET default_transaction_read_only = on;
ALTER ROLE grafana_reader SET statement_timeout = '30s';
SQL
