-- Service costs from the request page: an hourly rate per user (over the
-- rate of the user's role), and materials as a quantity at a unit price.

-- +goose Up
ALTER TABLE users ADD COLUMN hourly_rate numeric(12, 2) CHECK (hourly_rate >= 0);
ALTER TABLE ticket_materials
    ADD COLUMN quantity   numeric(12, 3) NOT NULL DEFAULT 1 CHECK (quantity > 0),
    ADD COLUMN unit_price numeric(12, 2) CHECK (unit_price >= 0);

-- +goose Down
ALTER TABLE ticket_materials DROP COLUMN unit_price, DROP COLUMN quantity;
ALTER TABLE users DROP COLUMN hourly_rate;
