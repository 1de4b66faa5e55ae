-- One callback request per number: while a callback request for a number
-- is open, another missed call from it adds an attempt to that request
-- instead of opening a second one. The unique index makes it race-safe.

-- +goose Up
ALTER TABLE tickets
    ADD COLUMN callback_number text,
    ADD COLUMN callback_attempts integer NOT NULL DEFAULT 0;

-- Existing open callback requests: the newest per number keeps it.
UPDATE tickets t SET callback_number = x.customer, callback_attempts = 1
FROM (SELECT DISTINCT ON (c.customer) t.id, c.customer
      FROM tickets t JOIN calls c ON 'call/' || c.node || '/' || c.linkedid = t.external_ref
      WHERE t.category = 'callback' AND t.status NOT IN ('resolved', 'closed') AND c.customer <> ''
      ORDER BY c.customer, t.created_at DESC, t.id DESC) x
WHERE t.id = x.id;

CREATE UNIQUE INDEX tickets_one_open_callback ON tickets (callback_number)
    WHERE callback_number IS NOT NULL AND status NOT IN ('resolved', 'closed');

-- +goose Down
DROP INDEX tickets_one_open_callback;
ALTER TABLE tickets DROP COLUMN callback_attempts, DROP COLUMN callback_number;
