-- Campaign attempts find their survey response by channel id alone.

-- +goose Up
CREATE INDEX survey_responses_channel_id ON survey_responses (channel_id);

-- +goose Down
DROP INDEX survey_responses_channel_id;
