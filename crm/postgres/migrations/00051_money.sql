-- Money per client (package crm/resource): income and expense
-- transactions, marketing campaigns and the clients they brought (leads,
-- won). Reports join these with the shipment movements (cost of goods from
-- the lots shipped). Amounts are minor units (bigint), exact.

-- +goose Up
CREATE TABLE marketing_campaigns (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (name <> ''),
    channel    text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaign_leads (
    campaign_id bigint NOT NULL REFERENCES marketing_campaigns (id),
    client_id   bigint NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    acquired_at timestamptz NOT NULL,
    won_at      timestamptz,
    PRIMARY KEY (campaign_id, client_id)
);

CREATE TABLE money_transactions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    direction   text NOT NULL CHECK (direction IN ('income', 'expense')),
    amount      bigint NOT NULL CHECK (amount > 0),
    currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    category    text NOT NULL CHECK (category ~ '^[a-z][a-z0-9_]{0,31}$'),
    client_id   bigint REFERENCES clients (id) ON DELETE SET NULL,
    product_id  bigint REFERENCES products (id),
    deal_id     bigint,
    ticket_id   bigint,
    campaign_id bigint REFERENCES marketing_campaigns (id),
    note        text NOT NULL DEFAULT '',
    user_id     bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX money_transactions_at ON money_transactions (at);
CREATE INDEX money_transactions_client ON money_transactions (client_id, at);
CREATE INDEX money_transactions_product ON money_transactions (product_id, at) WHERE product_id IS NOT NULL;
CREATE INDEX money_transactions_campaign ON money_transactions (campaign_id, at) WHERE campaign_id IS NOT NULL;

-- +goose Down
DROP TABLE money_transactions;
DROP TABLE campaign_leads;
DROP TABLE marketing_campaigns;
