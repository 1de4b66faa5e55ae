-- Notifications that reach people: a durable outbox of e-mails and SMS,
-- staff e-mail addresses, clients' choice of channel, the templates admins
-- edit, and in-app notices that say what happened.

-- +goose Up
-- Every outbound e-mail and SMS waits here until delivered. A worker claims
-- due rows with FOR UPDATE SKIP LOCKED (two replicas never send one twice),
-- and a failed attempt is retried later with exponential backoff: an
-- outage delays mail, never loses it. A message is rendered from its
-- template (in lang, with args) when sent; subject and body keep what went.
CREATE TABLE outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel    text NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient  text NOT NULL CHECK (recipient <> ''),
    template   text NOT NULL DEFAULT '',
    lang       text NOT NULL DEFAULT '',
    args       jsonb NOT NULL DEFAULT '{}',
    subject    text NOT NULL DEFAULT '',
    body       text NOT NULL DEFAULT '',
    ticket_id  bigint REFERENCES tickets (id) ON DELETE CASCADE,
    user_id    bigint REFERENCES users (id) ON DELETE CASCADE,
    state      text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts   integer NOT NULL DEFAULT 0,
    next_at    timestamptz NOT NULL,
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    sent_at    timestamptz
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE state = 'pending';
CREATE INDEX outbox_ticket ON outbox (ticket_id, id) WHERE ticket_id IS NOT NULL;

-- Staff are told by e-mail too ('' = in the app only).
ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT '';

-- How a client hears about their requests: auto (e-mail when they have an
-- address, else SMS), email, sms, or none (opted out).
ALTER TABLE clients ADD COLUMN notify text NOT NULL DEFAULT 'auto'
    CHECK (notify IN ('auto', 'email', 'sms', 'none'));

-- Admins' wording of a notification per language; a missing row uses the
-- message catalogue's default.
CREATE TABLE notification_templates (
    key        text NOT NULL CHECK (key ~ '^[a-z_.]{1,64}$'),
    lang       text NOT NULL CHECK (lang ~ '^[a-z]{2}$'),
    subject    text NOT NULL DEFAULT '',
    body       text NOT NULL CHECK (body <> ''),
    updated_at timestamptz NOT NULL,
    updated_by bigint REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (key, lang)
);

-- In-app notices name their kind and arguments, so each reader sees them
-- in their own language.
ALTER TABLE ticket_notifications
    ADD COLUMN kind text NOT NULL DEFAULT 'escalation' CHECK (kind ~ '^[a-z_]{1,32}$'),
    ADD COLUMN args jsonb NOT NULL DEFAULT '{}';
CREATE INDEX ticket_notifications_unread ON ticket_notifications (user_id) WHERE read_at IS NULL;

-- +goose Down
DROP INDEX ticket_notifications_unread;
ALTER TABLE ticket_notifications DROP COLUMN args, DROP COLUMN kind;
DROP TABLE notification_templates;
ALTER TABLE clients DROP COLUMN notify;
ALTER TABLE users DROP COLUMN email;
DROP TABLE outbox;
