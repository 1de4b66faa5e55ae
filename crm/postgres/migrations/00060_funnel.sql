-- Sales funnel (issue 9): funnels with ordered stages, deals and every stage
-- change, activities, plans per period, and two exact derived tables the
-- reports read:
--   stage_entries  one row per (deal, stage position) the deal has reached,
--                  with the time it first reached it and the highest
--                  position the deal has reached since (for conversion);
--                  a skipped stage counts as reached at the time of the skip,
--                  going back and forward again does not count it twice.
--   funnel_daily   those entries counted per funnel, salesperson (0 = the
--                  whole company), local day (in funnel_settings.time_zone),
--                  position and highest position reached.
-- Both are recomputed from stage_changes by funnel_refresh_deal() (a trigger
-- on stage_changes calls it) and by funnel_rebuild() after stages are
-- reordered or the time zone changes, so they always equal a replay.

-- +goose Up
CREATE TABLE funnels (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL CONSTRAINT funnels_name_check CHECK (btrim(name) <> ''),
    is_default boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT funnels_name_key UNIQUE (name)
);
CREATE UNIQUE INDEX funnels_one_default ON funnels (is_default) WHERE is_default;

CREATE TABLE funnel_stages (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    funnel_id bigint NOT NULL REFERENCES funnels (id) ON DELETE CASCADE,
    position  smallint NOT NULL CHECK (position > 0),
    name      text NOT NULL CONSTRAINT funnel_stages_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT funnel_stages_position_key UNIQUE (funnel_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE funnel_settings (
    id               integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    time_zone        text NOT NULL DEFAULT 'UTC',
    auto_open_deals  boolean NOT NULL DEFAULT false,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
INSERT INTO funnel_settings (id) VALUES (1);

CREATE TABLE deals (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id      bigint NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    owner_id       bigint NOT NULL REFERENCES users (id),
    funnel_id      bigint NOT NULL REFERENCES funnels (id),
    stage_id       bigint NOT NULL REFERENCES funnel_stages (id),
    title          text NOT NULL DEFAULT '',
    amount         numeric(16, 2) NOT NULL DEFAULT 0 CHECK (amount >= 0),
    currency       text NOT NULL DEFAULT 'RUB' CHECK (currency ~ '^[A-Z]{3}$'),
    expected_close date,
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
    lost_reason    text NOT NULL DEFAULT '',
    source         text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    closed_at      timestamptz
);
CREATE INDEX deals_owner ON deals (owner_id, updated_at DESC, id DESC);
CREATE INDEX deals_client ON deals (client_id);
CREATE INDEX deals_updated ON deals (updated_at DESC, id DESC);
CREATE INDEX deals_open_stage ON deals (funnel_id, stage_id, owner_id) INCLUDE (amount, currency, expected_close)
    WHERE status = 'open';

CREATE TABLE stage_changes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deal_id       bigint NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    funnel_id     bigint NOT NULL,
    from_stage_id bigint REFERENCES funnel_stages (id),
    to_stage_id   bigint NOT NULL REFERENCES funnel_stages (id),
    owner_id      bigint NOT NULL,
    user_id       bigint,
    at            timestamptz NOT NULL
);
CREATE INDEX stage_changes_deal ON stage_changes (deal_id, at, id);
CREATE INDEX stage_changes_to_stage ON stage_changes (to_stage_id);
CREATE INDEX stage_changes_from_stage ON stage_changes (from_stage_id);

CREATE TABLE stage_entries (
    deal_id      bigint NOT NULL,
    position     smallint NOT NULL,
    funnel_id    bigint NOT NULL,
    owner_id     bigint NOT NULL,
    entered_at   timestamptz NOT NULL,
    max_position smallint NOT NULL,
    PRIMARY KEY (deal_id, position)
);
CREATE INDEX stage_entries_funnel_at ON stage_entries (funnel_id, entered_at)
    INCLUDE (position, max_position, owner_id);

CREATE TABLE funnel_daily (
    funnel_id    bigint NOT NULL,
    owner_id     bigint NOT NULL,
    day          date NOT NULL,
    position     smallint NOT NULL,
    max_position smallint NOT NULL,
    n            integer NOT NULL,
    PRIMARY KEY (funnel_id, owner_id, day, position, max_position)
);

CREATE TABLE funnel_plans (
    funnel_id    bigint NOT NULL REFERENCES funnels (id) ON DELETE CASCADE,
    period       text NOT NULL CHECK (period IN ('week', 'month', 'quarter')),
    period_start date NOT NULL,
    owner_id     bigint NOT NULL DEFAULT 0,
    stage_id     bigint NOT NULL REFERENCES funnel_stages (id) ON DELETE CASCADE,
    target       integer NOT NULL CHECK (target >= 0),
    PRIMARY KEY (funnel_id, period, period_start, owner_id, stage_id)
);

CREATE TABLE deal_activities (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deal_id bigint NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    kind    text NOT NULL CHECK (kind IN ('meeting', 'offer', 'note')),
    at      timestamptz NOT NULL,
    user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    note    text NOT NULL DEFAULT ''
);
CREATE INDEX deal_activities_deal ON deal_activities (deal_id, at DESC);

-- funnel_replay(ids) is the stage entries that stage_changes imply for the
-- given deals (all deals when ids is NULL), by the stages' current order.
-- +goose StatementBegin
CREATE FUNCTION funnel_replay(ids bigint[])
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

-- funnel_refresh_deal recomputes one deal's entries and its share of funnel_daily.
-- +goose StatementBegin
CREATE FUNCTION funnel_refresh_deal(d bigint) RETURNS void LANGUAGE plpgsql AS $$
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

-- funnel_rebuild recomputes every entry and the whole of funnel_daily.
-- +goose StatementBegin
CREATE FUNCTION funnel_rebuild() RETURNS void LANGUAGE plpgsql AS $$
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

-- +goose StatementBegin
CREATE FUNCTION stage_changes_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM funnel_refresh_deal(OLD.deal_id);
        RETURN OLD;
    END IF;
    PERFORM funnel_refresh_deal(NEW.deal_id);
    IF TG_OP = 'UPDATE' AND OLD.deal_id <> NEW.deal_id THEN
        PERFORM funnel_refresh_deal(OLD.deal_id);
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER stage_changes_refresh AFTER INSERT OR UPDATE OR DELETE ON stage_changes
    FOR EACH ROW EXECUTE FUNCTION stage_changes_refresh();

INSERT INTO funnels (name, is_default) VALUES ('Sales', true);
INSERT INTO funnel_stages (funnel_id, position, name)
SELECT f.id, s.position, s.name
FROM funnels f, (VALUES (1, 'First contact'), (2, 'Presentation'), (3, 'Needs analysis'),
                        (4, 'Commercial offer'), (5, 'Project start')) AS s(position, name)
WHERE f.is_default;

-- Grafana's read-only role (00030) may read the funnel tables.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader') THEN
        GRANT SELECT ON funnels, funnel_stages, funnel_daily, funnel_plans, funnel_settings, stage_entries, deals
            TO grafana_reader;
    END IF;
EXCEPTION
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'funnel grants to grafana_reader skipped: % lacks the privilege', current_user;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER stage_changes_refresh ON stage_changes;
DROP FUNCTION stage_changes_refresh();
DROP FUNCTION funnel_rebuild();
DROP FUNCTION funnel_refresh_deal(bigint);
DROP FUNCTION funnel_replay(bigint[]);
DROP TABLE deal_activities;
DROP TABLE funnel_plans;
DROP TABLE funnel_daily;
DROP TABLE stage_entries;
DROP TABLE stage_changes;
DROP TABLE deals;
DROP TABLE funnel_settings;
DROP TABLE funnel_stages;
DROP TABLE funnels;
