-- Core CRM schema: users and their telephony endpoints, sessions and API
-- tokens, priority classes, clients with contacts, and the interaction timeline.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login         text NOT NULL UNIQUE CHECK (login = lower(login) AND length(login) BETWEEN 2 AND 64),
    name          text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One endpoint belongs to at most one user: the call tracker maps a ringing
-- endpoint (PJSIP/1001) to the agent behind it.
CREATE TABLE user_endpoints (
    endpoint text PRIMARY KEY,
    user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX user_endpoints_user_id ON user_endpoints (user_id);

-- Sessions and API tokens keep only the SHA-256 of the secret.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       text NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

CREATE TABLE priority_classes (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{1,16}$'),
    name        text NOT NULL,
    rank        integer NOT NULL,
    description text NOT NULL DEFAULT '',
    min_revenue numeric(18, 2)
);

INSERT INTO priority_classes (code, name, rank, description, min_revenue) VALUES
    ('VIP', 'VIP', 0, 'Key accounts: yearly revenue from 10 000 000 RUB or a personal manager agreement; answered first, callback within 15 minutes.', 10000000),
    ('A', 'Class A', 1, 'Regular customers with yearly revenue from 1 000 000 RUB; answered before B and C.', 1000000),
    ('B', 'Class B', 2, 'Customers with yearly revenue from 100 000 RUB.', 100000),
    ('C', 'Class C', 3, 'New and occasional customers; the default class.', NULL);

CREATE TABLE clients (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('person', 'company')),
    name       text NOT NULL CHECK (name <> ''),
    company    text NOT NULL DEFAULT '',
    priority   text REFERENCES priority_classes (code) ON UPDATE CASCADE,
    owner_id   bigint REFERENCES users (id) ON DELETE SET NULL,
    tags       text[] NOT NULL DEFAULT '{}',
    notes      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Keyset pagination walks (name, id); searches use trigrams.
CREATE INDEX clients_name_id ON clients (name, id);
CREATE INDEX clients_name_trgm ON clients USING gin (name gin_trgm_ops);
CREATE INDEX clients_company_trgm ON clients USING gin (company gin_trgm_ops);
CREATE INDEX clients_priority ON clients (priority);
CREATE INDEX clients_owner_id ON clients (owner_id);
CREATE INDEX clients_tags ON clients USING gin (tags);

-- A phone number may belong to several clients (a family, a shared office
-- line), but only once to each.
CREATE TABLE contacts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id  bigint NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('phone', 'email')),
    value      text NOT NULL CHECK (value <> ''),
    raw        text NOT NULL DEFAULT '',
    label      text NOT NULL DEFAULT '',
    -- digits of phone numbers (NULL for emails), for search by a part of a number
    digits     text GENERATED ALWAYS AS (CASE WHEN kind = 'phone' THEN regexp_replace(value, '[^0-9]', '', 'g') END) STORED,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT contacts_client_kind_value_key UNIQUE (client_id, kind, value)
);
CREATE INDEX contacts_kind_value ON contacts (kind, value);
CREATE INDEX contacts_client_id ON contacts (client_id);
CREATE INDEX contacts_digits_trgm ON contacts USING gin (digits gin_trgm_ops);
CREATE INDEX contacts_value_trgm ON contacts USING gin (value gin_trgm_ops);

CREATE TABLE interactions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id  bigint NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind ~ '^[a-z_]{1,32}$'),
    at         timestamptz NOT NULL,
    user_id    bigint REFERENCES users (id) ON DELETE SET NULL,
    summary    text NOT NULL DEFAULT '',
    body       text NOT NULL DEFAULT '',
    ref_type   text NOT NULL DEFAULT '',
    ref_id     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interactions_timeline ON interactions (client_id, at DESC, id DESC);
-- One timeline entry per referenced entity (a call, a ticket) and client, so
-- that recording the same call twice is detected.
CREATE UNIQUE INDEX interactions_ref ON interactions (client_id, ref_type, ref_id) WHERE ref_type <> '';

-- +goose Down
DROP TABLE interactions;
DROP TABLE contacts;
DROP TABLE clients;
DROP TABLE priority_classes;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE user_endpoints;
DROP TABLE users;
DROP EXTENSION IF EXISTS pg_trgm;
