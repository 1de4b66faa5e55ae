-- Document library (package crm/resource): documents with versions kept in
-- bytea (size-capped here too), grants per role, team and user, teams, and
-- a full-text index over the title, tags and the current version's text.

-- +goose Up
CREATE TABLE teams_members (
    team    text NOT NULL CHECK (team <> ''),
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team, user_id)
);
CREATE INDEX teams_members_user ON teams_members (user_id);

CREATE TABLE documents (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title      text NOT NULL CHECK (title <> ''),
    category   text NOT NULL CHECK (category IN ('commercial', 'technical', 'template', 'marketing')),
    tags       text[] NOT NULL DEFAULT '{}',
    owner_id   bigint NOT NULL REFERENCES users (id),
    version    integer NOT NULL DEFAULT 0,
    search     tsvector NOT NULL DEFAULT ''::tsvector,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_search ON documents USING gin (search);
CREATE INDEX documents_tags ON documents USING gin (tags);

CREATE TABLE document_versions (
    document_id  bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    version      integer NOT NULL CHECK (version > 0),
    filename     text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL,
    content      bytea NOT NULL CONSTRAINT document_versions_size_check CHECK (octet_length(content) <= 52428800),
    body_text    text NOT NULL DEFAULT '',
    created_by   bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (document_id, version)
);

CREATE TABLE document_grants (
    document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('role', 'team', 'user')),
    who         text NOT NULL,
    can_write   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (document_id, kind, who)
);
CREATE INDEX document_grants_who ON document_grants (kind, who);

-- +goose Down
DROP TABLE document_grants;
DROP TABLE document_versions;
DROP TABLE documents;
DROP TABLE teams_members;
