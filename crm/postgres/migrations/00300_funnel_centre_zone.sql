-- The funnel's days follow the centre's zone (HOTLINE_TIME_ZONE) until an
-- admin picks a zone of its own: time_zone_chosen records that choice.
-- A zone other than the old default 'UTC' was chosen by someone.

-- +goose Up
ALTER TABLE funnel_settings ADD COLUMN time_zone_chosen boolean NOT NULL DEFAULT false;
UPDATE funnel_settings SET time_zone_chosen = (time_zone <> 'UTC');

-- +goose Down
ALTER TABLE funnel_settings DROP COLUMN time_zone_chosen;
