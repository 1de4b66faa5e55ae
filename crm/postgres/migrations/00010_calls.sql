-- Call log written by the call tracker (telephony): one row per call
-- (node + linkedid), its legs as JSON (exposed as the call_legs view), and
-- the event timeline. Writes are idempotent: a row is only replaced by a
-- newer version, timeline entries are keyed by (node, linkedid, seq).
-- Grafana reads the call_log and call_legs views.

-- +goose Up
CREATE TABLE calls (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    node                     text NOT NULL,
    linkedid                 text NOT NULL,
    version                  integer NOT NULL,
    direction                text NOT NULL DEFAULT '',
    outcome                  text NOT NULL DEFAULT '',
    caller                   text NOT NULL DEFAULT '',
    caller_name              text NOT NULL DEFAULT '',
    callee                   text NOT NULL DEFAULT '',
    customer                 text NOT NULL DEFAULT '',
    client_id                bigint REFERENCES clients (id) ON DELETE SET NULL,
    agent                    text NOT NULL DEFAULT '',
    agents                   text[] NOT NULL DEFAULT '{}',
    started_at               timestamptz NOT NULL,
    answered_at              timestamptz,
    ended_at                 timestamptz,
    wait_seconds             double precision NOT NULL DEFAULT 0,
    ring_seconds             double precision NOT NULL DEFAULT 0,
    talk_seconds             double precision NOT NULL DEFAULT 0,
    hold_seconds             double precision NOT NULL DEFAULT 0,
    hangup_cause             integer NOT NULL DEFAULT 0,
    hangup_cause_text        text NOT NULL DEFAULT '',
    hangup_by                text NOT NULL DEFAULT '',
    transfers                jsonb NOT NULL DEFAULT '[]',
    closed_by_reconciliation boolean NOT NULL DEFAULT false,
    gaps                     integer NOT NULL DEFAULT 0,
    merged_into              text,
    legs                     jsonb NOT NULL DEFAULT '[]',
    state                    json,
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calls_node_linkedid_key UNIQUE (node, linkedid)
);
CREATE INDEX calls_started_at ON calls (started_at DESC, id DESC);
CREATE INDEX calls_agent_started ON calls (agent, started_at DESC);
CREATE INDEX calls_agents ON calls USING gin (agents);
CREATE INDEX calls_client_started ON calls (client_id, started_at DESC) WHERE client_id IS NOT NULL;
CREATE INDEX calls_customer ON calls (customer) WHERE customer <> '';
CREATE INDEX calls_open ON calls (node) WHERE ended_at IS NULL AND merged_into IS NULL;

CREATE TABLE call_events (
    node     text NOT NULL,
    linkedid text NOT NULL,
    seq      integer NOT NULL,
    at       timestamptz NOT NULL,
    kind     text NOT NULL,
    channel  text NOT NULL DEFAULT '',
    detail   text NOT NULL DEFAULT '',
    PRIMARY KEY (node, linkedid, seq)
);

-- The call log without the consultation calls folded into other calls.
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

-- +goose Down
DROP VIEW call_legs;
DROP VIEW call_log;
DROP TABLE call_events;
DROP TABLE calls;
