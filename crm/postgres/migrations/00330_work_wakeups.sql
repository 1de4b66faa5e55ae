-- Background workers sleep until there is work instead of polling (issue
-- 20): a change that gives them work wakes every replica through
-- pg_notify on the channel hotline_work, with the work's kind as payload.
-- 'timers': escalation timers were scheduled (the escalator re-reads the
-- next due time); 'outbox': a message was queued (the dispatcher looks at
-- the outbox; it reschedules retries itself); 'calls': the call log was
-- written (the escalator syncs the callback requests of missed calls, the
-- owner of a node's events looks for calls another replica left open; both
-- at most every few seconds). PostgreSQL
-- folds identical notifications of one transaction into one, delivered
-- when it commits.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION hotline_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hotline_work', TG_ARGV[0]);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER ticket_timers_wake AFTER INSERT ON ticket_timers
    FOR EACH STATEMENT EXECUTE FUNCTION hotline_wake('timers');
CREATE TRIGGER outbox_wake AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION hotline_wake('outbox');
CREATE TRIGGER calls_wake AFTER INSERT OR UPDATE ON calls
    FOR EACH STATEMENT EXECUTE FUNCTION hotline_wake('calls');

-- +goose Down
DROP TRIGGER calls_wake ON calls;
DROP TRIGGER outbox_wake ON outbox;
DROP TRIGGER ticket_timers_wake ON ticket_timers;
DROP FUNCTION hotline_wake();
