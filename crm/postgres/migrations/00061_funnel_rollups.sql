-- Exact rollups that keep the funnel report fast on millions of deals:
--   funnel_periods  stage entries counted per funnel, salesperson (0 = the
--                   company), week / month / quarter (starting in the
--                   funnel_settings time zone), position and highest position;
--   funnel_open     open deals counted (and their amounts summed) per funnel,
--                   salesperson (0 = company), stage, currency and expected
--                   close date ('infinity' when none).
-- Both are kept by the same triggers as funnel_daily, and rebuilt by
-- funnel_rebuild(). Every transaction that changes them first takes one
-- advisory lock, so concurrent deal changes never deadlock on the shared
-- company rows.

-- +goose Up
CREATE TABLE funnel_periods (
    funnel_id    bigint NOT NULL,
    kind         text NOT NULL,
    owner_id     bigint NOT NULL,
    period_start date NOT NULL,
    position     smallint NOT NULL,
    max_position smallint NOT NULL,
    n            integer NOT NULL,
    PRIMARY KEY (funnel_id, kind, owner_id, period_start, position, max_position)
);
CREATE INDEX funnel_periods_start ON funnel_periods (funnel_id, kind, period_start)
    INCLUDE (owner_id, position, max_position, n);

CREATE TABLE funnel_open (
    funnel_id      bigint NOT NULL,
    owner_id       bigint NOT NULL,
    stage_id       bigint NOT NULL,
    currency       text NOT NULL,
    expected_close date NOT NULL,
    n              integer NOT NULL,
    amount         numeric(20, 2) NOT NULL,
    PRIMARY KEY (funnel_id, owner_id, stage_id, currency, expected_close)
);

-- funnel_daily over all salespeople by day (Grafana's time ranges)
CREATE INDEX funnel_daily_day ON funnel_daily (funnel_id, day) INCLUDE (owner_id, position, max_position, n);

-- +goose StatementBegin
CREATE FUNCTION funnel_lock() RETURNS void LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(7261130060);
$$;
-- +goose StatementEnd

-- funnel_replay is replaced by a version for given deals only (an index
-- lookup) and funnel_replay_all for every deal.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION funnel_replay(ids bigint[])
RETURNS TABLE (deal_id bigint, "position" smallint, funnel_id bigint, owner_id bigint,
               entered_at timestamptz, max_position smallint)
LANGUAGE sql STABLE AS $$
    WITH ch AS (
        SELECT c.deal_id, c.funnel_id, c.owner_id, c.at,
               max(s.position) OVER w AS runmax,
               coalesce(max(s.position) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS prevmax
        FROM stage_changes c JOIN funnel_stages s ON s.id = c.to_stage_id
        WHERE c.deal_id = ANY (ids)
        WINDOW w AS (PARTITION BY c.deal_id ORDER BY c.at, c.id)
    )
    SELECT ch.deal_id, q::smallint, ch.funnel_id, ch.owner_id, ch.at,
           (max(ch.runmax) OVER (PARTITION BY ch.deal_id))::smallint
    FROM ch CROSS JOIN LATERAL generate_series(ch.prevmax + 1, ch.runmax) AS q
    WHERE ch.runmax > ch.prevmax
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION funnel_replay_all()
RETURNS TABLE (deal_id bigint, "position" smallint, funnel_id bigint, owner_id bigint,
               entered_at timestamptz, max_position smallint)
LANGUAGE sql STABLE AS $$
    WITH ch AS (
        SELECT c.deal_id, c.funnel_id, c.owner_id, c.at,
               max(s.position) OVER w AS runmax,
               coalesce(max(s.position) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS prevmax
        FROM stage_changes c JOIN funnel_stages s ON s.id = c.to_stage_id
        WINDOW w AS (PARTITION BY c.deal_id ORDER BY c.at, c.id)
    )
    SELECT ch.deal_id, q::smallint, ch.funnel_id, ch.owner_id, ch.at,
           (max(ch.runmax) OVER (PARTITION BY ch.deal_id))::smallint
    FROM ch CROSS JOIN LATERAL generate_series(ch.prevmax + 1, ch.runmax) AS q
    WHERE ch.runmax > ch.prevmax
$$;
-- +goose StatementEnd

-- funnel_count_entries adds sign × one deal's stage entries (every deal's
-- when d is NULL) to funnel_daily and funnel_periods.
-- +goose StatementBegin
CREATE FUNCTION funnel_count_entries(d bigint, sign integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    tz text;
BEGIN
    SELECT time_zone INTO tz FROM funnel_settings WHERE id = 1;
    IF d IS NULL THEN
        INSERT INTO funnel_daily (funnel_id, owner_id, day, position, max_position, n)
        SELECT e.funnel_id, v.owner_id, (e.entered_at AT TIME ZONE tz)::date, e.position, e.max_position, sign * count(*)::int
        FROM stage_entries e CROSS JOIN LATERAL (VALUES (e.owner_id), (0::bigint)) AS v(owner_id)
        GROUP BY 1, 2, 3, 4, 5;
        INSERT INTO funnel_periods (funnel_id, kind, owner_id, period_start, position, max_position, n)
        SELECT f.funnel_id, k.kind, f.owner_id, date_trunc(k.kind, f.day)::date, f.position, f.max_position, sum(f.n)::int
        FROM funnel_daily f CROSS JOIN (VALUES ('week'), ('month'), ('quarter')) AS k(kind)
        GROUP BY 1, 2, 3, 4, 5, 6;
        RETURN;
    END IF;
    INSERT INTO funnel_daily AS f (funnel_id, owner_id, day, position, max_position, n)
    SELECT e.funnel_id, v.owner_id, (e.entered_at AT TIME ZONE tz)::date, e.position, e.max_position, sign * count(*)::int
    FROM stage_entries e CROSS JOIN LATERAL (VALUES (e.owner_id), (0::bigint)) AS v(owner_id)
    WHERE e.deal_id = d
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (funnel_id, owner_id, day, position, max_position) DO UPDATE SET n = f.n + excluded.n;
    INSERT INTO funnel_periods AS f (funnel_id, kind, owner_id, period_start, position, max_position, n)
    SELECT e.funnel_id, k.kind, v.owner_id, date_trunc(k.kind, (e.entered_at AT TIME ZONE tz)::date)::date,
           e.position, e.max_position, sign * count(*)::int
    FROM stage_entries e CROSS JOIN LATERAL (VALUES (e.owner_id), (0::bigint)) AS v(owner_id)
         CROSS JOIN (VALUES ('week'), ('month'), ('quarter')) AS k(kind)
    WHERE e.deal_id = d
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (funnel_id, kind, owner_id, period_start, position, max_position) DO UPDATE SET n = f.n + excluded.n;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION funnel_refresh_deal(d bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM funnel_lock();
    PERFORM funnel_count_entries(d, -1);
    DELETE FROM stage_entries e WHERE e.deal_id = d;
    INSERT INTO stage_entries (deal_id, position, funnel_id, owner_id, entered_at, max_position)
    SELECT r.deal_id, r.position, r.funnel_id, r.owner_id, r.entered_at, r.max_position
    FROM funnel_replay(ARRAY[d]) r;
    PERFORM funnel_count_entries(d, 1);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION funnel_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM funnel_lock();
    DELETE FROM stage_entries;
    DELETE FROM funnel_daily;
    DELETE FROM funnel_periods;
    DELETE FROM funnel_open;
    INSERT INTO stage_entries (deal_id, position, funnel_id, owner_id, entered_at, max_position)
    SELECT r.deal_id, r.position, r.funnel_id, r.owner_id, r.entered_at, r.max_position
    FROM funnel_replay_all() r;
    PERFORM funnel_count_entries(NULL, 1);
    INSERT INTO funnel_open (funnel_id, owner_id, stage_id, currency, expected_close, n, amount)
    SELECT d.funnel_id, v.owner_id, d.stage_id, d.currency, coalesce(d.expected_close, 'infinity'), count(*), sum(d.amount)
    FROM deals d CROSS JOIN LATERAL (VALUES (d.owner_id), (0::bigint)) AS v(owner_id)
    WHERE d.status = 'open'
    GROUP BY 1, 2, 3, 4, 5;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION deals_count_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.status, OLD.funnel_id, OLD.owner_id, OLD.stage_id, OLD.currency, OLD.expected_close, OLD.amount)
            IS NOT DISTINCT FROM (NEW.status, NEW.funnel_id, NEW.owner_id, NEW.stage_id, NEW.currency, NEW.expected_close, NEW.amount) THEN
        RETURN NULL;
    END IF;
    PERFORM funnel_lock();
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'open' THEN
        UPDATE funnel_open SET n = n - 1, amount = amount - OLD.amount
        WHERE funnel_id = OLD.funnel_id AND owner_id IN (0, OLD.owner_id) AND stage_id = OLD.stage_id
          AND currency = OLD.currency AND expected_close = coalesce(OLD.expected_close, 'infinity');
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'open' THEN
        INSERT INTO funnel_open AS f (funnel_id, owner_id, stage_id, currency, expected_close, n, amount)
        VALUES (NEW.funnel_id, 0, NEW.stage_id, NEW.currency, coalesce(NEW.expected_close, 'infinity'), 1, NEW.amount),
               (NEW.funnel_id, NEW.owner_id, NEW.stage_id, NEW.currency, coalesce(NEW.expected_close, 'infinity'), 1, NEW.amount)
        ON CONFLICT (funnel_id, owner_id, stage_id, currency, expected_close)
        DO UPDATE SET n = f.n + excluded.n, amount = f.amount + excluded.amount;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER deals_count_open AFTER INSERT OR UPDATE OR DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION deals_count_open();

SELECT funnel_rebuild();

-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader') THEN
        GRANT SELECT ON funnel_periods, funnel_open TO grafana_reader;
    END IF;
EXCEPTION
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'funnel grants to grafana_reader skipped: % lacks the privilege', current_user;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER deals_count_open ON deals;
DROP FUNCTION deals_count_open();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION funnel_replay(ids bigint[])
RETURNS TABLE (deal_id bigint, "position" smallint, funnel_id bigint, owner_id bigint,
               entered_at timestamptz, max_position smallint)
LANGUAGE sql STABLE AS $$
    WITH ch AS (
        SELECT c.deal_id, c.funnel_id, c.owner_id, c.at,
               max(s.position) OVER w AS runmax,
               coalesce(max(s.position) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS prevmax
        FROM stage_changes c JOIN funnel_stages s ON s.id = c.to_stage_id
        WHERE ids IS NULL OR c.deal_id = ANY (ids)
        WINDOW w AS (PARTITION BY c.deal_id ORDER BY c.at, c.id)
    )
    SELECT ch.deal_id, q::smallint, ch.funnel_id, ch.owner_id, ch.at,
           (max(ch.runmax) OVER (PARTITION BY ch.deal_id))::smallint
    FROM ch CROSS JOIN LATERAL generate_series(ch.prevmax + 1, ch.runmax) AS q
    WHERE ch.runmax > ch.prevmax
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION funnel_refresh_deal(d bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    tz text;
BEGIN
    SELECT time_zone INTO tz FROM funnel_settings WHERE id = 1;
    WITH old AS (
        DELETE FROM stage_entries e WHERE e.deal_id = d
        RETURNING e.funnel_id, e.owner_id, e.entered_at, e.position, e.max_position
    ), cells AS (
        SELECT o.funnel_id, v.owner_id, (o.entered_at AT TIME ZONE tz)::date AS day,
               o.position, o.max_position, count(*)::int AS n
        FROM old o CROSS JOIN LATERAL (VALUES (o.owner_id), (0::bigint)) AS v(owner_id)
        GROUP BY 1, 2, 3, 4, 5
    )
    UPDATE funnel_daily f SET n = f.n - c.n FROM cells c
    WHERE f.funnel_id = c.funnel_id AND f.owner_id = c.owner_id AND f.day = c.day
      AND f.position = c.position AND f.max_position = c.max_position;

    INSERT INTO stage_entries (deal_id, position, funnel_id, owner_id, entered_at, max_position)
    SELECT r.deal_id, r.position, r.funnel_id, r.owner_id, r.entered_at, r.max_position
    FROM funnel_replay(ARRAY[d]) r;

    INSERT INTO funnel_daily AS f (funnel_id, owner_id, day, position, max_position, n)
    SELECT e.funnel_id, v.owner_id, (e.entered_at AT TIME ZONE tz)::date, e.position, e.max_position, count(*)::int
    FROM stage_entries e CROSS JOIN LATERAL (VALUES (e.owner_id), (0::bigint)) AS v(owner_id)
    WHERE e.deal_id = d
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (funnel_id, owner_id, day, position, max_position) DO UPDATE SET n = f.n + excluded.n;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION funnel_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    tz text;
BEGIN
    SELECT time_zone INTO tz FROM funnel_settings WHERE id = 1;
    DELETE FROM stage_entries;
    DELETE FROM funnel_daily;
    INSERT INTO stage_entries (deal_id, position, funnel_id, owner_id, entered_at, max_position)
    SELECT r.deal_id, r.position, r.funnel_id, r.owner_id, r.entered_at, r.max_position
    FROM funnel_replay(NULL) r;
    INSERT INTO funnel_daily (funnel_id, owner_id, day, position, max_position, n)
    SELECT e.funnel_id, v.owner_id, (e.entered_at AT TIME ZONE tz)::date, e.position, e.max_position, count(*)::int
    FROM stage_entries e CROSS JOIN LATERAL (VALUES (e.owner_id), (0::bigint)) AS v(owner_id)
    GROUP BY 1, 2, 3, 4, 5;
END
$$;
-- +goose StatementEnd
DROP FUNCTION funnel_replay_all();
DROP FUNCTION funnel_count_entries(bigint, integer);
DROP FUNCTION funnel_lock();
DROP INDEX funnel_daily_day;
DROP TABLE funnel_open;
DROP TABLE funnel_periods;
