-- A client may ask never to be called by survey campaigns (apart from the
-- notification opt-out, clients.notify = 'none'): the campaign audience
-- filter leaves them out.

-- +goose Up
ALTER TABLE clients ADD COLUMN survey_opt_out boolean NOT NULL DEFAULT false;
CREATE INDEX clients_survey_opt_out ON clients (id) WHERE survey_opt_out;

-- +goose Down
DROP INDEX clients_survey_opt_out;
ALTER TABLE clients DROP COLUMN survey_opt_out;
