-- Priority classes classify clients by rules (issue 16): a yearly revenue
-- in minor units of the base currency and a number of purchases, both over
-- the last 12 months. A client's class is kept by the rules unless it was
-- chosen by hand (priority_manual). Clients already in a class other than
-- the default one were put there by hand, so they stay where they are.
-- Recording money reclassifies its client at once (a trigger); the program
-- reclassifies everyone nightly. The base currency comes from the session
-- setting hotline.base_currency (set by the program; 'RUB' without it).

-- +goose Up
ALTER TABLE priority_classes
    ADD COLUMN min_revenue_minor bigint CHECK (min_revenue_minor >= 0),
    ADD COLUMN min_purchases integer CHECK (min_purchases >= 0);
UPDATE priority_classes SET min_revenue_minor = round(min_revenue * 100)::bigint WHERE min_revenue IS NOT NULL;
ALTER TABLE priority_classes DROP COLUMN min_revenue;

ALTER TABLE clients ADD COLUMN priority_manual boolean NOT NULL DEFAULT false;
UPDATE clients SET priority_manual = true
    WHERE priority IS DISTINCT FROM (SELECT code FROM priority_classes ORDER BY rank DESC, code LIMIT 1);

-- priority_standings is each client's income of the 12 months before p_at:
-- its sum converted to p_base at the rate of each transaction's day (a
-- currency without a rate by then adds nothing) and the number of sales.
-- p_clients NULL: every client with income.
-- +goose StatementBegin
CREATE FUNCTION priority_standings(p_at timestamptz, p_base text, p_clients bigint[])
RETURNS TABLE (client_id bigint, revenue bigint, purchases integer)
LANGUAGE sql STABLE AS $$
    SELECT t.client_id,
           coalesce(sum(CASE WHEN t.currency = p_base THEN t.amount
                             ELSE round(t.amount * r.rate_micros / 1000000.0) END), 0)::bigint,
           count(*)::integer
    FROM money_transactions t
    LEFT JOIN LATERAL (SELECT x.rate_micros FROM currency_rates x
        WHERE x.currency = t.currency AND x.day <= t.at::date ORDER BY x.day DESC LIMIT 1) r ON t.currency <> p_base
    WHERE t.client_id IS NOT NULL AND t.direction = 'income'
      AND t.at > p_at - interval '12 months' AND t.at <= p_at
      AND (p_clients IS NULL OR t.client_id = ANY (p_clients))
    GROUP BY t.client_id
$$;
-- +goose StatementEnd

-- priority_reclassify_client gives a client not chosen by hand the most
-- important class whose rules all hold (crm.Classify), else the default
-- class; it reports whether the class changed.
-- +goose StatementBegin
CREATE FUNCTION priority_reclassify_client(p_client bigint, p_at timestamptz, p_base text)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    v_revenue bigint := 0;
    v_purchases integer := 0;
    v_code text;
BEGIN
    SELECT s.revenue, s.purchases INTO v_revenue, v_purchases
        FROM priority_standings(p_at, p_base, ARRAY[p_client]) s;
    SELECT pc.code INTO v_code FROM priority_classes pc
        WHERE (pc.min_revenue_minor IS NOT NULL OR pc.min_purchases IS NOT NULL)
          AND (pc.min_revenue_minor IS NULL OR coalesce(v_revenue, 0) >= pc.min_revenue_minor)
          AND (pc.min_purchases IS NULL OR coalesce(v_purchases, 0) >= pc.min_purchases)
        ORDER BY pc.rank, pc.code LIMIT 1;
    IF v_code IS NULL THEN
        SELECT pc.code INTO v_code FROM priority_classes pc ORDER BY pc.rank DESC, pc.code LIMIT 1;
    END IF;
    UPDATE clients SET priority = v_code
        WHERE id = p_client AND NOT priority_manual AND priority IS DISTINCT FROM v_code;
    RETURN FOUND;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION money_transactions_reclassify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_base text := coalesce(nullif(current_setting('hotline.base_currency', true), ''), 'RUB');
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.client_id IS NOT NULL THEN
        PERFORM priority_reclassify_client(NEW.client_id, now(), v_base);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.client_id IS NOT NULL THEN
        IF TG_OP = 'DELETE' OR OLD.client_id IS DISTINCT FROM NEW.client_id THEN
            PERFORM priority_reclassify_client(OLD.client_id, now(), v_base);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER money_transactions_reclassify
    AFTER INSERT OR UPDATE OF amount, currency, direction, client_id, at OR DELETE ON money_transactions
    FOR EACH ROW EXECUTE FUNCTION money_transactions_reclassify();

-- +goose Down
DROP TRIGGER money_transactions_reclassify ON money_transactions;
DROP FUNCTION money_transactions_reclassify();
DROP FUNCTION priority_reclassify_client(bigint, timestamptz, text);
DROP FUNCTION priority_standings(timestamptz, text, bigint[]);
ALTER TABLE clients DROP COLUMN priority_manual;
ALTER TABLE priority_classes ADD COLUMN min_revenue numeric(18, 2);
UPDATE priority_classes SET min_revenue = min_revenue_minor / 100.0 WHERE min_revenue_minor IS NOT NULL;
ALTER TABLE priority_classes DROP COLUMN min_revenue_minor, DROP COLUMN min_purchases;
