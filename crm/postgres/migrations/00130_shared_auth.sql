-- Session idle time and failed logins live in the database so that every
-- replica sees them: a session's last use (written at most once a minute
-- per session) and one row per failed login, counted per login and per
-- client address over a sliding window.

-- +goose Up
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();

CREATE TABLE login_failures (
    key text NOT NULL, -- 'login:<login>' or 'ip:<address>'
    at  timestamptz NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);
CREATE INDEX login_failures_at ON login_failures (at);

-- +goose Down
DROP TABLE login_failures;
ALTER TABLE sessions DROP COLUMN last_seen_at;
