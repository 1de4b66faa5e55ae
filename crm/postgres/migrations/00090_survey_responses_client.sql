-- The screen-pop card shows a client's last survey scores: find a client's
-- responses newest first without scanning them all.

-- +goose Up
CREATE INDEX survey_responses_client ON survey_responses (client_id, started_at DESC) WHERE client_id IS NOT NULL;

-- +goose Down
DROP INDEX survey_responses_client;
