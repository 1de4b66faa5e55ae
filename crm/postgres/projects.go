package postgres

import (
	"context"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/resource"
)

// CreateProject stores a new project: its resources, its tasks scheduled
// from the start (dependencies and assignments given by position) and
// sets the IDs, turning positions into IDs.
func (s *ProjectService) CreateProject(ctx context.Context, p *resource.Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := p.Schedule(true); err != nil {
		return err
	}
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO projects (name, client_id, deal_id, start_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			p.Name, p.ClientID, p.DealID, p.Start).Scan(&p.ID); err != nil {
			return err
		}
		for i := range p.Resources {
			r := &p.Resources[i]
			if err := tx.QueryRow(ctx, `INSERT INTO plan_resources (name, kind, user_id, project_id) VALUES ($1, $2, $3, $4) RETURNING id`,
				r.Name, r.Kind, r.UserID, p.ID).Scan(&r.ID); err != nil {
				return err
			}
		}
		for i := range p.Tasks {
			t := &p.Tasks[i]
			if err := tx.QueryRow(ctx, `INSERT INTO project_tasks (project_id, position, name, duration_days, start_at, finish_at)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, p.ID, i+1, t.Name, t.DurationDays, t.Start, t.Finish).Scan(&t.ID); err != nil {
				return err
			}
		}
		for i := range p.Tasks {
			t := &p.Tasks[i]
			for j, d := range t.DependsOn {
				t.DependsOn[j] = p.Tasks[d-1].ID
				if _, err := tx.Exec(ctx, `INSERT INTO task_dependencies (task_id, depends_on) VALUES ($1, $2) ON CONFLICT DO NOTHING`, t.ID, t.DependsOn[j]); err != nil {
					return err
				}
			}
			for j, a := range t.Assigned {
				t.Assigned[j] = p.Resources[a-1].ID
				if _, err := tx.Exec(ctx, `INSERT INTO task_assignments (task_id, resource_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, t.ID, t.Assigned[j]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return translateStock(err, "create project")
}

// GetProject returns a project with tasks (in order), dependencies,
// assignments and its resources (those added to it and those its tasks use).
func (s *ProjectService) GetProject(ctx context.Context, id int64) (resource.Project, error) {
	var p resource.Project
	err := s.db.pool.QueryRow(ctx, `SELECT id, name, client_id, deal_id, start_at FROM projects WHERE id = $1`, id).
		Scan(&p.ID, &p.Name, &p.ClientID, &p.DealID, &p.Start)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, notFound("project", id)
	}
	if err != nil {
		return p, translateStock(err, "get project")
	}
	rows, err := s.db.pool.Query(ctx, `SELECT t.id, t.name, t.duration_days, t.start_at, t.finish_at,
			coalesce((SELECT array_agg(depends_on ORDER BY depends_on) FROM task_dependencies WHERE task_id = t.id), '{}'),
			coalesce((SELECT array_agg(resource_id ORDER BY resource_id) FROM task_assignments WHERE task_id = t.id), '{}')
		FROM project_tasks t WHERE t.project_id = $1 ORDER BY t.position`, id)
	if err != nil {
		return p, translateStock(err, "get project tasks")
	}
	p.Tasks, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.Task, error) {
		var t resource.Task
		return t, r.Scan(&t.ID, &t.Name, &t.DurationDays, &t.Start, &t.Finish, &t.DependsOn, &t.Assigned)
	})
	if err != nil {
		return p, translateStock(err, "get project tasks")
	}
	rows, err = s.db.pool.Query(ctx, `SELECT r.id, r.name, r.kind, r.user_id FROM plan_resources r
		WHERE r.project_id = $1 OR r.id IN (SELECT a.resource_id FROM task_assignments a JOIN project_tasks t ON t.id = a.task_id
			WHERE t.project_id = $1) ORDER BY r.id`, id)
	if err != nil {
		return p, translateStock(err, "get project resources")
	}
	p.Resources, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.PlanAsset, error) {
		var a resource.PlanAsset
		return a, r.Scan(&a.ID, &a.Name, &a.Kind, &a.UserID)
	})
	return p, translateStock(err, "get project resources")
}

// ListProjects lists projects, newest first; clientID 0 lists all.
func (s *ProjectService) ListProjects(ctx context.Context, clientID int64) ([]resource.Project, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT id, name, client_id, deal_id, start_at FROM projects
		WHERE $1 = 0 OR client_id = $1 ORDER BY id DESC LIMIT 200`, clientID)
	if err != nil {
		return nil, translateStock(err, "list projects")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.Project, error) {
		var p resource.Project
		return p, r.Scan(&p.ID, &p.Name, &p.ClientID, &p.DealID, &p.Start)
	})
	return out, translateStock(err, "list projects")
}

// ApplyTaskDates sets the dates (and durations) of a project's tasks from
// an imported plan; tasks of other projects are refused, tasks the plan
// does not mention keep their dates. It returns how many it updated.
func (s *ProjectService) ApplyTaskDates(ctx context.Context, projectID int64, dates []resource.TaskDates) (int, error) {
	n := 0
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM project_tasks WHERE project_id = $1 FOR UPDATE`, projectID)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return notFound("project", projectID)
		}
		for _, d := range dates {
			if !slices.Contains(ids, d.TaskID) {
				return crm.Errorf(crm.KindInvalid, "task UID %d is not a task of project %d", d.TaskID, projectID)
			}
			if _, err := tx.Exec(ctx, `UPDATE project_tasks SET start_at = $2, finish_at = $3, duration_days = $4 WHERE id = $1`,
				d.TaskID, d.Start, d.Finish, d.DurationDays); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, translateStock(err, "apply task dates")
}

var _ resource.ProjectService = (*ProjectService)(nil)
