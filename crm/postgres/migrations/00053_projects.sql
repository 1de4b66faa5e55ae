-- Resource planning (package crm/resource): projects for clients and
-- deals, tasks with dates and finish-to-start dependencies, and the people
-- and equipment assigned to them. Exchanged with Microsoft Project as MSPDI.

-- +goose Up
CREATE TABLE plan_resources (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name    text NOT NULL CHECK (name <> ''),
    kind    text NOT NULL CHECK (kind IN ('user', 'equipment')),
    user_id bigint REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE projects (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL CHECK (name <> ''),
    client_id  bigint REFERENCES clients (id) ON DELETE SET NULL,
    deal_id    bigint,
    start_at   timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projects_client ON projects (client_id);

CREATE TABLE project_tasks (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id    bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    name          text NOT NULL CHECK (name <> ''),
    duration_days integer NOT NULL CHECK (duration_days >= 0),
    start_at      timestamptz NOT NULL,
    finish_at     timestamptz NOT NULL,
    CHECK (finish_at >= start_at),
    UNIQUE (project_id, position)
);

CREATE TABLE task_dependencies (
    task_id    bigint NOT NULL REFERENCES project_tasks (id) ON DELETE CASCADE,
    depends_on bigint NOT NULL REFERENCES project_tasks (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, depends_on),
    CHECK (task_id <> depends_on)
);

CREATE TABLE task_assignments (
    task_id     bigint NOT NULL REFERENCES project_tasks (id) ON DELETE CASCADE,
    resource_id bigint NOT NULL REFERENCES plan_resources (id),
    PRIMARY KEY (task_id, resource_id)
);

-- +goose Down
DROP TABLE task_assignments;
DROP TABLE task_dependencies;
DROP TABLE project_tasks;
DROP TABLE projects;
DROP TABLE plan_resources;
