-- The service efficiency report reads the surveys taken on the calls linked
-- to tickets (survey_responses.linkedid = ticket_calls.linkedid).

-- +goose Up
CREATE INDEX survey_responses_linkedid ON survey_responses (linkedid) WHERE linkedid <> '';

-- +goose Down
DROP INDEX survey_responses_linkedid;
