-- Service cost accounting: work logged on tickets, hourly rates per role,
-- and materials (products used) charged to tickets.

-- +goose Up
CREATE TABLE role_rates (
    role          text PRIMARY KEY CHECK (role IN ('agent', 'supervisor', 'admin')),
    rate_per_hour numeric(12, 2) NOT NULL CHECK (rate_per_hour >= 0)
);

CREATE TABLE ticket_work (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_id   bigint NOT NULL REFERENCES users (id),
    minutes   integer NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
    note      text NOT NULL DEFAULT '',
    at        timestamptz NOT NULL
);
CREATE INDEX ticket_work_ticket ON ticket_work (ticket_id);

CREATE TABLE ticket_materials (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    product_id  bigint,
    description text NOT NULL CHECK (description <> ''),
    amount      numeric(12, 2) NOT NULL CHECK (amount >= 0),
    at          timestamptz NOT NULL
);
CREATE INDEX ticket_materials_ticket ON ticket_materials (ticket_id);

-- +goose Down
DROP TABLE ticket_materials;
DROP TABLE ticket_work;
DROP TABLE role_rates;
