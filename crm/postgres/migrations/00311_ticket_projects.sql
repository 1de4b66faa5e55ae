-- A request (ticket) may name the project it belongs to (a project of the
-- request's client); the project page lists its requests.

-- +goose Up
ALTER TABLE tickets ADD COLUMN project_id bigint REFERENCES projects (id) ON DELETE SET NULL;
CREATE INDEX tickets_project ON tickets (project_id) WHERE project_id IS NOT NULL;

-- +goose Down
DROP INDEX tickets_project;
ALTER TABLE tickets DROP COLUMN project_id;
