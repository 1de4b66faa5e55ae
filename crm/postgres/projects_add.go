package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/resource"
)

// AddTask adds a task at the end of a project, dated by
// resource.Project.PlanTask (its start, or after its predecessors, which
// must be tasks of the same project), and returns it stored.
func (s *ProjectService) AddTask(ctx context.Context, projectID int64, t resource.Task) (resource.Task, error) {
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		p := resource.Project{ID: projectID}
		err := tx.QueryRow(ctx, `SELECT start_at FROM projects WHERE id = $1 FOR UPDATE`, projectID).Scan(&p.Start)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("project", projectID)
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, finish_at FROM project_tasks WHERE project_id = $1 ORDER BY position`, projectID)
		if err != nil {
			return err
		}
		p.Tasks, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.Task, error) {
			var x resource.Task
			return x, r.Scan(&x.ID, &x.Finish)
		})
		if err != nil {
			return err
		}
		if t, err = p.PlanTask(t); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO project_tasks (project_id, position, name, duration_days, start_at, finish_at)
			VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM project_tasks WHERE project_id = $1), $2, $3, $4, $5) RETURNING id`,
			projectID, t.Name, t.DurationDays, t.Start, t.Finish).Scan(&t.ID); err != nil {
			return err
		}
		for _, d := range t.DependsOn {
			if _, err := tx.Exec(ctx, `INSERT INTO task_dependencies (task_id, depends_on) VALUES ($1, $2)`, t.ID, d); err != nil {
				return err
			}
		}
		return nil
	})
	return t, translateStock(err, "add task")
}

// AddResource adds a resource (a person's work, material or equipment) to
// a project, at most resource.MaxResources of them.
func (s *ProjectService) AddResource(ctx context.Context, projectID int64, a *resource.PlanAsset) error {
	if err := resource.CheckAsset(a); err != nil {
		return err
	}
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var n int
		err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM plan_resources WHERE project_id = p.id) FROM projects p WHERE p.id = $1 FOR UPDATE`,
			projectID).Scan(&n)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("project", projectID)
		}
		if err != nil {
			return err
		}
		if n >= resource.MaxResources {
			return crm.Invalid("resources", "a project has at most %d resources", resource.MaxResources)
		}
		return tx.QueryRow(ctx, `INSERT INTO plan_resources (name, kind, user_id, project_id) VALUES ($1, $2, $3, $4) RETURNING id`,
			a.Name, a.Kind, a.UserID, projectID).Scan(&a.ID)
	})
	return translateStock(err, "add resource")
}
