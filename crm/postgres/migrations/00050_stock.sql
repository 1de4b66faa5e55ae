-- Warehouse (package crm/resource): products, warehouses, lots, stock
-- balances derived from movements by a trigger, transfers, expected
-- receipts and reservations. The invariants live here: stock_on_hand_check
-- and stock_reserved_check make negative stock and over-reservation
-- impossible whatever the writers do; writers lock stock rows (FOR UPDATE,
-- in lot order) to choose lots.

-- +goose Up
CREATE TABLE products (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku            text NOT NULL UNIQUE CONSTRAINT products_sku_check CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    name           text NOT NULL CONSTRAINT products_name_check CHECK (name <> ''),
    unit           text NOT NULL DEFAULT 'pcs',
    price          bigint NOT NULL DEFAULT 0 CONSTRAINT products_price_check CHECK (price >= 0),
    cost_method    text NOT NULL DEFAULT 'fifo' CONSTRAINT products_cost_method_check CHECK (cost_method IN ('fifo', 'fefo')),
    lead_time_days integer NOT NULL DEFAULT 0 CHECK (lead_time_days >= 0),
    support        text NOT NULL DEFAULT '',
    support_months integer NOT NULL DEFAULT 0 CHECK (support_months >= 0),
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE warehouses (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE,
    name text NOT NULL
);

CREATE TABLE lots (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id  bigint NOT NULL REFERENCES products (id),
    batch       text NOT NULL,
    received_at timestamptz NOT NULL,
    unit_cost   bigint NOT NULL CHECK (unit_cost >= 0),
    expires_on  date,
    CONSTRAINT lots_product_batch_key UNIQUE (product_id, batch)
);

CREATE TABLE stock (
    lot_id       bigint NOT NULL REFERENCES lots (id),
    warehouse_id bigint NOT NULL REFERENCES warehouses (id),
    product_id   bigint NOT NULL REFERENCES products (id),
    on_hand      bigint NOT NULL DEFAULT 0,
    reserved     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (lot_id, warehouse_id),
    CONSTRAINT stock_on_hand_check CHECK (on_hand >= 0),
    CONSTRAINT stock_reserved_check CHECK (reserved >= 0 AND reserved <= on_hand)
);
CREATE INDEX stock_product ON stock (product_id, warehouse_id) WHERE on_hand > 0;

CREATE TABLE stock_transfers (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id        bigint NOT NULL REFERENCES products (id),
    from_warehouse_id bigint NOT NULL REFERENCES warehouses (id),
    to_warehouse_id   bigint NOT NULL REFERENCES warehouses (id),
    qty               bigint NOT NULL CHECK (qty > 0),
    state             text NOT NULL DEFAULT 'in_transit' CHECK (state IN ('in_transit', 'arrived')),
    expected_at       timestamptz NOT NULL,
    arrived_at        timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (from_warehouse_id <> to_warehouse_id)
);
CREATE INDEX stock_transfers_in_transit ON stock_transfers (product_id) WHERE state = 'in_transit';

CREATE TABLE stock_movements (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('receipt', 'transfer_out', 'transfer_in', 'shipment', 'write_off', 'adjustment')),
    lot_id       bigint NOT NULL REFERENCES lots (id),
    product_id   bigint NOT NULL REFERENCES products (id),
    warehouse_id bigint NOT NULL REFERENCES warehouses (id),
    qty          bigint NOT NULL CHECK (qty <> 0),
    unit_cost    bigint NOT NULL,
    client_id    bigint REFERENCES clients (id) ON DELETE SET NULL,
    transfer_id  bigint REFERENCES stock_transfers (id),
    note         text NOT NULL DEFAULT '',
    user_id      bigint REFERENCES users (id) ON DELETE SET NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind IN ('receipt', 'transfer_in') AND qty > 0) OR (kind IN ('transfer_out', 'shipment', 'write_off') AND qty < 0) OR kind = 'adjustment')
);
CREATE INDEX stock_movements_lot ON stock_movements (lot_id, warehouse_id);
CREATE INDEX stock_movements_shipments ON stock_movements (client_id, at) WHERE kind = 'shipment';
CREATE INDEX stock_movements_product_at ON stock_movements (product_id, at) WHERE kind = 'shipment';

-- +goose StatementBegin
CREATE FUNCTION stock_apply_movement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stock SET on_hand = on_hand + NEW.qty WHERE lot_id = NEW.lot_id AND warehouse_id = NEW.warehouse_id;
    IF NOT FOUND THEN
        -- a first movement out of a lot the warehouse never had fails the check
        -- (the upsert covers two first arrivals racing)
        INSERT INTO stock AS s (lot_id, warehouse_id, product_id, on_hand)
        VALUES (NEW.lot_id, NEW.warehouse_id, NEW.product_id, NEW.qty)
        ON CONFLICT (lot_id, warehouse_id) DO UPDATE SET on_hand = s.on_hand + EXCLUDED.on_hand;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER stock_movements_apply AFTER INSERT ON stock_movements
    FOR EACH ROW EXECUTE FUNCTION stock_apply_movement();

-- +goose StatementBegin
CREATE FUNCTION stock_movements_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stock movements are append-only; post an adjustment instead';
END $$;
-- +goose StatementEnd
CREATE TRIGGER stock_movements_no_change BEFORE UPDATE OR DELETE ON stock_movements
    FOR EACH ROW EXECUTE FUNCTION stock_movements_immutable();

CREATE TABLE stock_transfer_lines (
    transfer_id bigint NOT NULL REFERENCES stock_transfers (id),
    lot_id      bigint NOT NULL REFERENCES lots (id),
    qty         bigint NOT NULL CHECK (qty > 0),
    PRIMARY KEY (transfer_id, lot_id)
);

CREATE TABLE stock_expected (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id   bigint NOT NULL REFERENCES products (id),
    warehouse_id bigint NOT NULL REFERENCES warehouses (id),
    qty          bigint NOT NULL CHECK (qty > 0),
    expected_at  timestamptz NOT NULL,
    done         boolean NOT NULL DEFAULT false,
    note         text NOT NULL DEFAULT ''
);
CREATE INDEX stock_expected_open ON stock_expected (product_id) WHERE NOT done;

CREATE TABLE reservations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id   bigint NOT NULL REFERENCES products (id),
    warehouse_id bigint NOT NULL REFERENCES warehouses (id),
    qty          bigint NOT NULL CHECK (qty > 0),
    client_id    bigint REFERENCES clients (id) ON DELETE SET NULL,
    deal_id      bigint,
    ticket_id    bigint,
    state        text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'released', 'expired', 'fulfilled')),
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    user_id      bigint REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX reservations_due ON reservations (expires_at) WHERE state = 'active';
CREATE INDEX reservations_active_product ON reservations (product_id, expires_at) WHERE state = 'active';
CREATE INDEX reservations_client ON reservations (client_id);

CREATE TABLE reservation_lines (
    reservation_id bigint NOT NULL REFERENCES reservations (id),
    lot_id         bigint NOT NULL REFERENCES lots (id),
    warehouse_id   bigint NOT NULL REFERENCES warehouses (id),
    qty            bigint NOT NULL CHECK (qty > 0),
    PRIMARY KEY (reservation_id, lot_id)
);

-- +goose Down
DROP TABLE reservation_lines;
DROP TABLE reservations;
DROP TABLE stock_expected;
DROP TABLE stock_transfer_lines;
DROP TABLE stock_movements;
DROP FUNCTION stock_movements_immutable();
DROP FUNCTION stock_apply_movement();
DROP TABLE stock_transfers;
DROP TABLE stock;
DROP TABLE lots;
DROP TABLE warehouses;
DROP TABLE products;
