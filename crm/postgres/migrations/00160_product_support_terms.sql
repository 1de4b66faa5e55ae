-- Support conditions of a product that the service desk acts on: the
-- priority a request about a purchased product gets (one of the service
-- desk's priorities; NULL: the client's usual priority) and the SLA plan it
-- runs on (NULL: the client's or the default plan). Support lasts
-- support_months from the client's latest shipment of the product.
-- Deleting a plan leaves its products without one.

-- +goose Up
ALTER TABLE products
    ADD COLUMN support_priority text
        CONSTRAINT products_support_priority_check CHECK (support_priority IN ('critical', 'high', 'normal', 'low')),
    ADD COLUMN support_plan_id bigint
        CONSTRAINT products_support_plan_id_fkey REFERENCES sla_plans (id) ON DELETE SET NULL;
CREATE INDEX products_support_plan ON products (support_plan_id) WHERE support_plan_id IS NOT NULL;

-- +goose Down
DROP INDEX products_support_plan;
ALTER TABLE products DROP COLUMN support_plan_id, DROP COLUMN support_priority;
