-- Service desk: teams, SLA plans, tickets with their history and thread,
-- durable escalation timers, SLA breaches and notifications, and the
-- knowledge base with Russian and English full-text search.

-- +goose Up
CREATE TABLE teams (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name    text NOT NULL UNIQUE CHECK (name <> ''),
    lead_id bigint REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE team_members (
    team_id bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_id ON team_members (user_id);

-- Hours, holidays, targets and escalation levels are JSON documents shaped
-- by crm/service.SLAPlan; at most one plan is the default.
CREATE TABLE sla_plans (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (name <> ''),
    time_zone  text NOT NULL,
    hours      jsonb NOT NULL,
    holidays   jsonb NOT NULL DEFAULT '[]',
    targets    jsonb NOT NULL,
    levels     jsonb NOT NULL DEFAULT '[]',
    is_default boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX sla_plans_one_default ON sla_plans (is_default) WHERE is_default;

INSERT INTO sla_plans (name, time_zone, hours, targets, levels, is_default) VALUES (
    'Standard', 'Europe/Moscow',
    '[null,[{"from":540,"to":1080}],[{"from":540,"to":1080}],[{"from":540,"to":1080}],[{"from":540,"to":1080}],[{"from":540,"to":1080}],null]',
    '{"critical":{"response_minutes":30,"resolution_minutes":240},"high":{"response_minutes":60,"resolution_minutes":480},"normal":{"response_minutes":240,"resolution_minutes":1440},"low":{"response_minutes":480,"resolution_minutes":2400}}',
    '[{"level":1,"clock":"response","percent":80,"notify":true},{"level":1,"clock":"resolution","percent":80,"notify":true},{"level":2,"clock":"resolution","percent":100,"notify":true,"reassign_to_lead":true,"raise_priority":true}]',
    true);

-- Missed and abandoned inbound calls of known clients open a callback
-- request unless their priority class opts out (no row: on).
CREATE TABLE callback_settings (
    priority text PRIMARY KEY REFERENCES priority_classes (code) ON UPDATE CASCADE ON DELETE CASCADE,
    enabled  boolean NOT NULL
);

-- A client's support conditions: its SLA plan (else the default plan).
CREATE TABLE client_sla_plans (
    client_id bigint PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
    plan_id   bigint NOT NULL REFERENCES sla_plans (id)
);

CREATE TABLE tickets (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       bigint NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    product_id      bigint,
    subject         text NOT NULL CHECK (subject <> ''),
    description     text NOT NULL DEFAULT '',
    category        text NOT NULL DEFAULT '',
    priority        text NOT NULL CHECK (priority IN ('critical', 'high', 'normal', 'low')),
    status          text NOT NULL CHECK (status IN ('new', 'in_progress', 'waiting', 'resolved', 'closed', 'reopened')),
    assignee_id     bigint REFERENCES users (id) ON DELETE SET NULL,
    team_id         bigint REFERENCES teams (id) ON DELETE SET NULL,
    plan_id         bigint REFERENCES sla_plans (id),
    created_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    public_token    text NOT NULL UNIQUE,
    -- what opened the ticket automatically (e.g. survey/12/nps), once
    external_ref    text UNIQUE,
    response_due    timestamptz,
    resolve_due     timestamptz,
    responded_at    timestamptz,
    paused_at       timestamptz,
    paused_seconds  bigint NOT NULL DEFAULT 0,
    reopens         integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    resolved_at     timestamptz,
    closed_at       timestamptz
);
-- Lists walk (created_at desc, id desc) within the usual filters.
CREATE INDEX tickets_created ON tickets (created_at DESC, id DESC);
CREATE INDEX tickets_client ON tickets (client_id, created_at DESC, id DESC);
CREATE INDEX tickets_team ON tickets (team_id, created_at DESC, id DESC);
CREATE INDEX tickets_assignee ON tickets (assignee_id, created_at DESC, id DESC);
CREATE INDEX tickets_open_status ON tickets (status, created_at DESC, id DESC) WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX tickets_subject_trgm ON tickets USING gin (subject gin_trgm_ops);

-- The calls (linkedids) that raised or concern a ticket.
CREATE TABLE ticket_calls (
    ticket_id bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    linkedid  text NOT NULL CHECK (linkedid <> ''),
    at        timestamptz NOT NULL,
    PRIMARY KEY (ticket_id, linkedid)
);
CREATE INDEX ticket_calls_linkedid ON ticket_calls (linkedid);

-- Every change, comment, email, escalation and breach, in order.
CREATE TABLE ticket_events (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    at        timestamptz NOT NULL,
    user_id   bigint REFERENCES users (id) ON DELETE SET NULL,
    kind      text NOT NULL CHECK (kind ~ '^[a-z_]{1,32}$'),
    field     text NOT NULL DEFAULT '',
    old_value text NOT NULL DEFAULT '',
    new_value text NOT NULL DEFAULT '',
    body      text NOT NULL DEFAULT '',
    mail_from text NOT NULL DEFAULT '',
    mail_to   text NOT NULL DEFAULT '',
    mail_subject text NOT NULL DEFAULT '',
    message_id text,
    public    boolean NOT NULL DEFAULT false
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, at, id);
-- An inbound email delivered twice (same Message-ID) is recorded once.
CREATE UNIQUE INDEX ticket_events_message_id ON ticket_events (ticket_id, message_id) WHERE message_id IS NOT NULL;

-- Durable escalation timers: one row per (ticket, clock, level), claimed
-- with FOR UPDATE SKIP LOCKED and marked fired in the same transaction as
-- the escalation, so a level never fires twice, across workers and restarts.
CREATE TABLE ticket_timers (
    ticket_id bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    clock     text NOT NULL CHECK (clock IN ('response', 'resolution')),
    level     integer NOT NULL,
    fire_at   timestamptz NOT NULL,
    fired_at  timestamptz,
    fired_by  text NOT NULL DEFAULT '',
    PRIMARY KEY (ticket_id, clock, level)
);
CREATE INDEX ticket_timers_due ON ticket_timers (fire_at) WHERE fired_at IS NULL;

CREATE TABLE sla_breaches (
    ticket_id bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    clock     text NOT NULL CHECK (clock IN ('response', 'resolution')),
    due_at    timestamptz NOT NULL,
    at        timestamptz NOT NULL,
    PRIMARY KEY (ticket_id, clock)
);

CREATE TABLE ticket_notifications (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticket_id bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    body      text NOT NULL,
    at        timestamptz NOT NULL,
    read_at   timestamptz
);
CREATE INDEX ticket_notifications_user ON ticket_notifications (user_id, at DESC);

-- Knowledge base. Search vectors use the article's language configuration
-- ('russian' or 'english'); the title weighs more than the body and tags.
CREATE TABLE kb_categories (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name <> '')
);

-- kb_tsv is the search vector of an article. array_to_string is only
-- STABLE in general but immutable for text[], so the wrapper may be IMMUTABLE.
-- +goose StatementBegin
CREATE FUNCTION kb_tsv(lang text, title text, tags text[], body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lang WHEN 'russian' THEN
        setweight(to_tsvector('russian', title), 'A') ||
        setweight(to_tsvector('russian', array_to_string(tags, ' ')), 'B') ||
        setweight(to_tsvector('russian', body), 'C')
    ELSE
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', array_to_string(tags, ' ')), 'B') ||
        setweight(to_tsvector('english', body), 'C')
    END
$$;
-- +goose StatementEnd

CREATE TABLE kb_articles (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category_id bigint REFERENCES kb_categories (id) ON DELETE SET NULL,
    title       text NOT NULL CHECK (title <> ''),
    body        text NOT NULL DEFAULT '',
    tags        text[] NOT NULL DEFAULT '{}',
    lang        text NOT NULL CHECK (lang IN ('russian', 'english')),
    visibility  text NOT NULL CHECK (visibility IN ('internal', 'public')),
    version     integer NOT NULL DEFAULT 1,
    updated_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (kb_tsv(lang, title, tags, body)) STORED
);
CREATE INDEX kb_articles_tsv ON kb_articles USING gin (tsv);
CREATE INDEX kb_articles_tags ON kb_articles USING gin (tags);
CREATE INDEX kb_articles_category ON kb_articles (category_id);

CREATE TABLE kb_article_versions (
    article_id bigint NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    version    integer NOT NULL,
    title      text NOT NULL,
    body       text NOT NULL,
    edited_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    at         timestamptz NOT NULL,
    PRIMARY KEY (article_id, version)
);

-- The articles that solved a ticket.
CREATE TABLE ticket_articles (
    ticket_id  bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    article_id bigint NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    PRIMARY KEY (ticket_id, article_id)
);

-- +goose Down
DROP TABLE ticket_articles;
DROP TABLE kb_article_versions;
DROP TABLE kb_articles;
DROP FUNCTION kb_tsv(text, text, text[], text);
DROP TABLE kb_categories;
DROP TABLE ticket_notifications;
DROP TABLE sla_breaches;
DROP TABLE ticket_timers;
DROP TABLE ticket_events;
DROP TABLE ticket_calls;
DROP TABLE tickets;
DROP TABLE client_sla_plans;
DROP TABLE callback_settings;
DROP TABLE sla_plans;
DROP TABLE team_members;
DROP TABLE teams;
