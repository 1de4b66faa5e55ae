-- Resources belong to their project (added on the project page before any
-- task uses them), and a resource may be material (consumed: MSPDI type
-- Material) besides people and equipment.

-- +goose Up
ALTER TABLE plan_resources ADD COLUMN project_id bigint REFERENCES projects (id) ON DELETE CASCADE;
UPDATE plan_resources r SET project_id = (
    SELECT min(t.project_id) FROM task_assignments a JOIN project_tasks t ON t.id = a.task_id WHERE a.resource_id = r.id);
CREATE INDEX plan_resources_project ON plan_resources (project_id);
ALTER TABLE plan_resources DROP CONSTRAINT plan_resources_kind_check;
ALTER TABLE plan_resources ADD CONSTRAINT plan_resources_kind_check CHECK (kind IN ('user', 'equipment', 'material'));

-- +goose Down
DELETE FROM task_assignments WHERE resource_id IN (SELECT id FROM plan_resources WHERE kind = 'material');
DELETE FROM plan_resources WHERE kind = 'material';
ALTER TABLE plan_resources DROP CONSTRAINT plan_resources_kind_check;
ALTER TABLE plan_resources ADD CONSTRAINT plan_resources_kind_check CHECK (kind IN ('user', 'equipment'));
DROP INDEX plan_resources_project;
ALTER TABLE plan_resources DROP COLUMN project_id;
