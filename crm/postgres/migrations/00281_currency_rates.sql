-- Exchange rates to the centre's base currency (funnel.Rate): one per
-- currency and day, in millionths of the base currency per unit; a rate
-- holds from its day until the next one. The sales chart converts won
-- deals with the rate of the day they were won.

-- +goose Up
CREATE TABLE currency_rates (
    currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    day         date NOT NULL,
    rate_micros bigint NOT NULL CHECK (rate_micros > 0),
    updated_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (currency, day)
);
CREATE INDEX deals_won_closed ON deals (closed_at) WHERE status = 'won';

-- +goose Down
DROP INDEX deals_won_closed;
DROP TABLE currency_rates;
