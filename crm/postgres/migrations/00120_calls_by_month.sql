-- The call log is partitioned by month of started_at (UTC), so that a year
-- of calls is twelve tables whose indexes stay small, old months can be
-- detached or dropped whole, and reports over a period read only its months.
--
-- A partitioned table's unique constraints must contain the partition key,
-- so the tracker's idempotent upsert is keyed by (node, linkedid,
-- started_at). call_keys keeps (node, linkedid) unique across months and
-- fixes started_at at a call's first write: every later write of the call
-- takes started_at from there, so a replayed or reconciled update can never
-- make a second row in another month.
--
-- calls_default catches calls of a month that has no partition yet (a clock
-- far off, a call from a PBX's past); calls_ensure_partitions(ahead), run by
-- this migration and daily by `hotline serve`, creates the partitions of the
-- current month and the next `ahead` ones and moves such stragglers into
-- partitions of their own.

-- +goose Up
DROP VIEW call_legs;
DROP VIEW call_log;
DROP VIEW call_events;
ALTER TABLE calls RENAME TO calls_unpartitioned;
ALTER SEQUENCE calls_id_seq RENAME TO calls_unpartitioned_id_seq;
ALTER TABLE calls_unpartitioned DROP CONSTRAINT calls_pkey, DROP CONSTRAINT calls_node_linkedid_key;
DROP INDEX calls_started_at, calls_agent_started, calls_agents, calls_client_started, calls_customer, calls_open;

CREATE TABLE calls (LIKE calls_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE
    INCLUDING COMPRESSION) PARTITION BY RANGE (started_at);
CREATE TABLE calls_default PARTITION OF calls DEFAULT;

CREATE TABLE call_keys (
    node       text NOT NULL,
    linkedid   text NOT NULL,
    started_at timestamptz NOT NULL,
    PRIMARY KEY (node, linkedid)
);

-- +goose StatementBegin
CREATE FUNCTION calls_month_partition(at timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    lo_utc timestamp := date_trunc('month', at AT TIME ZONE 'UTC');
    lo timestamptz := lo_utc AT TIME ZONE 'UTC';
    hi timestamptz := (lo_utc + interval '1 month') AT TIME ZONE 'UTC';
    part text := 'calls_' || to_char(lo_utc, 'YYYY_MM');
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    -- the month's calls in the default partition move into the new one
    CREATE TEMP TABLE calls_moving AS
        SELECT * FROM calls_default WHERE started_at >= lo AND started_at < hi;
    DELETE FROM calls_default WHERE started_at >= lo AND started_at < hi;
    EXECUTE format('CREATE TABLE %I PARTITION OF calls FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
    INSERT INTO calls OVERRIDING SYSTEM VALUE SELECT * FROM calls_moving;
    DROP TABLE calls_moving;
    RETURN true;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION calls_ensure_partitions(ahead integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    made integer := 0;
    m timestamptz;
BEGIN
    -- one replica at a time; the others wait and then find nothing to do
    PERFORM pg_advisory_xact_lock(hashtext('hotline:calls-partitions'));
    FOR m IN SELECT DISTINCT date_trunc('month', started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
             FROM calls_default LOOP
        made := made + calls_month_partition(m)::integer;
    END LOOP;
    FOR i IN 0 .. greatest(ahead, 0) LOOP
        m := (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i)) AT TIME ZONE 'UTC';
        made := made + calls_month_partition(m)::integer;
    END LOOP;
    RETURN made;
END
$$;
-- +goose StatementEnd

SELECT calls_month_partition(m)
FROM (SELECT DISTINCT date_trunc('month', started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS m
      FROM calls_unpartitioned) months;
SELECT calls_ensure_partitions(3);
INSERT INTO calls OVERRIDING SYSTEM VALUE SELECT * FROM calls_unpartitioned;
INSERT INTO call_keys (node, linkedid, started_at) SELECT node, linkedid, started_at FROM calls_unpartitioned;
SELECT setval(pg_get_serial_sequence('calls', 'id'), coalesce(max(id), 0) + 1, false) FROM calls_unpartitioned;
DROP TABLE calls_unpartitioned;

ALTER TABLE calls ADD CONSTRAINT calls_pkey PRIMARY KEY (id, started_at),
    ADD CONSTRAINT calls_node_linkedid_key UNIQUE (node, linkedid, started_at),
    ADD CONSTRAINT calls_client_id_fkey FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE SET NULL;
CREATE INDEX calls_started_at ON calls (started_at DESC, id DESC);
CREATE INDEX calls_agent_started ON calls (agent, started_at DESC);
CREATE INDEX calls_agents ON calls USING gin (agents);
CREATE INDEX calls_client_started ON calls (client_id, started_at DESC) WHERE client_id IS NOT NULL;
CREATE INDEX calls_customer ON calls (customer) WHERE customer <> '';
CREATE INDEX calls_open ON calls (node) WHERE ended_at IS NULL AND merged_into IS NULL;

CREATE VIEW call_log AS
SELECT id, node, linkedid, direction, outcome, caller, caller_name, callee, customer,
       client_id, agent, agents, started_at, answered_at, ended_at,
       wait_seconds, ring_seconds, talk_seconds, hold_seconds,
       hangup_cause, hangup_cause_text, hangup_by, transfers,
       jsonb_array_length(transfers) AS transfer_count, closed_by_reconciliation, gaps
FROM calls
WHERE merged_into IS NULL;

CREATE VIEW call_legs AS
SELECT c.id AS call_id, c.node, c.linkedid, l.*
FROM calls c
CROSS JOIN LATERAL jsonb_to_recordset(c.legs) AS l(
    channel_id text, name text, endpoint text, agent text, number text,
    context text, exten text, created_at timestamptz, ringing_at timestamptz,
    answered_at timestamptz, ended_at timestamptz, dial_status text,
    cause integer, cause_text text, talked boolean)
WHERE c.merged_into IS NULL;

CREATE VIEW call_events AS
SELECT c.node, c.linkedid, e.seq, e.at, e.kind, coalesce(e.channel, '') AS channel,
       coalesce(e.detail, '') AS detail
FROM calls c
CROSS JOIN LATERAL jsonb_to_recordset(c.timeline) AS e(seq integer, at timestamptz, kind text,
    channel text, detail text);

-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader') THEN
        GRANT SELECT ON calls, call_log, call_legs, call_events TO grafana_reader;
    END IF;
EXCEPTION
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'grafana_reader grants skipped: % lacks the privilege', current_user;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP VIEW call_legs;
DROP VIEW call_log;
DROP VIEW call_events;
ALTER TABLE calls RENAME TO calls_by_month;
ALTER SEQUENCE calls_id_seq RENAME TO calls_by_month_id_seq;
ALTER TABLE calls_by_month DROP CONSTRAINT calls_pkey, DROP CONSTRAINT calls_node_linkedid_key,
    DROP CONSTRAINT calls_client_id_fkey;
DROP INDEX calls_started_at, calls_agent_started, calls_agents, calls_client_started, calls_customer,
    calls_open;

CREATE TABLE calls (LIKE calls_by_month INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE
    INCLUDING COMPRESSION);
INSERT INTO calls OVERRIDING SYSTEM VALUE SELECT * FROM calls_by_month;
SELECT setval(pg_get_serial_sequence('calls', 'id'), coalesce(max(id), 0) + 1, false) FROM calls_by_month;
DROP TABLE calls_by_month;
DROP TABLE call_keys;
DROP FUNCTION calls_ensure_partitions(integer);
DROP FUNCTION calls_month_partition(timestamptz);

ALTER TABLE calls ADD CONSTRAINT calls_pkey PRIMARY KEY (id),
    ADD CONSTRAINT calls_node_linkedid_key UNIQUE (node, linkedid),
    ADD CONSTRAINT calls_client_id_fkey FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE SET NULL;
CREATE INDEX calls_started_at ON calls (started_at DESC, id DESC);
CREATE INDEX calls_agent_started ON calls (agent, started_at DESC);
CREATE INDEX calls_agents ON calls USING gin (agents);
CREATE INDEX calls_client_started ON calls (client_id, started_at DESC) WHERE client_id IS NOT NULL;
CREATE INDEX calls_customer ON calls (customer) WHERE customer <> '';
CREATE INDEX calls_open ON calls (node) WHERE ended_at IS NULL AND merged_into IS NULL;

CREATE VIEW call_log AS
SELECT id, node, linkedid, direction, outcome, caller, caller_name, callee, customer,
       client_id, agent, agents, started_at, answered_at, ended_at,
       wait_seconds, ring_seconds, talk_seconds, hold_seconds,
       hangup_cause, hangup_cause_text, hangup_by, transfers,
       jsonb_array_length(transfers) AS transfer_count, closed_by_reconciliation, gaps
FROM calls
WHERE merged_into IS NULL;

CREATE VIEW call_legs AS
SELECT c.id AS call_id, c.node, c.linkedid, l.*
FROM calls c
CROSS JOIN LATERAL jsonb_to_recordset(c.legs) AS l(
    channel_id text, name text, endpoint text, agent text, number text,
    context text, exten text, created_at timestamptz, ringing_at timestamptz,
    answered_at timestamptz, ended_at timestamptz, dial_status text,
    cause integer, cause_text text, talked boolean)
WHERE c.merged_into IS NULL;

CREATE VIEW call_events AS
SELECT c.node, c.linkedid, e.seq, e.at, e.kind, coalesce(e.channel, '') AS channel,
       coalesce(e.detail, '') AS detail
FROM calls c
CROSS JOIN LATERAL jsonb_to_recordset(c.timeline) AS e(seq integer, at timestamptz, kind text,
    channel text, detail text);

-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader') THEN
        GRANT SELECT ON calls, call_log, call_legs, call_events TO grafana_reader;
    END IF;
EXCEPTION
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'grafana_reader grants skipped: % lacks the privilege', current_user;
END
$$;
-- +goose StatementEnd
