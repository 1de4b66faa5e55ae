-- The escalator's sync of callback requests reads, every few seconds, only
-- the missed inbound calls written since its last round (issue 20): this
-- index finds them by their write time (calls.updated_at, set by every
-- write of a call, a late spool replay included). It holds missed calls
-- only, so answered ones cost no entry.

-- A second index finds a number's answered calls by start, for the missed
-- calls an answered call handled and the callback requests it resolves:
-- a probe each, where the start-time index read every call since.

-- +goose Up
CREATE INDEX calls_answered_customer ON calls (customer, started_at) WHERE outcome = 'answered';
CREATE INDEX calls_missed_written ON calls (updated_at)
    WHERE direction = 'inbound' AND outcome IN ('abandoned', 'no_answer', 'busy')
      AND ended_at IS NOT NULL AND merged_into IS NULL;

-- +goose Down
DROP INDEX calls_missed_written;
DROP INDEX calls_answered_customer;
