package postgres_test

import (
	"context"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/resource"
)

// projectResourcesVersion gives resources their project and material kind.
const projectResourcesVersion = 310

// TestProjectResourcesMigration: up gives an assigned resource its
// project and allows material; down removes material (and its
// assignments) and the column.
func TestProjectResourcesMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, conn := migratedTo(t, projectResourcesVersion-1)
	exec := func(sql string) error { _, err := conn.Exec(ctx, sql); return err }
	for _, sql := range []string{
		`INSERT INTO projects (name, start_at) VALUES ('P', '2026-12-07')`,
		`INSERT INTO project_tasks (project_id, position, name, duration_days, start_at, finish_at) VALUES (1, 1, 'T', 1, '2026-12-07 08:00', '2026-12-07 17:00')`,
		`INSERT INTO plan_resources (name, kind) VALUES ('Engineer', 'user'), ('Spare', 'equipment')`,
		`INSERT INTO task_assignments VALUES (1, 1)`,
	} {
		if err := exec(sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if err := exec(`INSERT INTO plan_resources (name, kind) VALUES ('Cable', 'material')`); err == nil {
		t.Fatal("material accepted before the migration")
	}
	if err := postgres.MigrateUpTo(ctx, dsn, projectResourcesVersion); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := conn.QueryRow(ctx, `SELECT string_agg(name || ':' || coalesce(project_id::text, '-'), ' ' ORDER BY id) FROM plan_resources`).Scan(&got); err != nil || got != "Engineer:1 Spare:-" {
		t.Fatalf("after up %q (%v)", got, err)
	}
	if err := exec(`INSERT INTO plan_resources (name, kind, project_id) VALUES ('Cable', 'material', 1)`); err != nil {
		t.Fatal(err)
	}
	if err := exec(`INSERT INTO task_assignments SELECT 1, id FROM plan_resources WHERE name = 'Cable'`); err != nil {
		t.Fatal(err)
	}
	if err := exec(`INSERT INTO plan_resources (name, kind) VALUES ('X', 'money')`); err == nil {
		t.Fatal("unknown kind accepted")
	}
	if err := postgres.MigrateDown(ctx, dsn, 1); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SELECT string_agg(name || ':' || kind, ' ' ORDER BY id) FROM plan_resources`).Scan(&got); err != nil || got != "Engineer:user Spare:equipment" {
		t.Fatalf("after down %q (%v)", got, err)
	}
	if err := exec(`INSERT INTO plan_resources (name, kind) VALUES ('Cable', 'material')`); err == nil {
		t.Fatal("material accepted after down")
	}
}

// TestAddTaskAndResource: tasks are added after their predecessors (only
// tasks of the same project), a project needs no tasks to begin with, bad
// input changes nothing.
func TestAddTaskAndResource(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	a := resource.Project{Name: "A", Start: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)} // a Saturday
	b := resource.Project{Name: "B", Start: a.Start, Tasks: []resource.Task{{Name: "Other", DurationDays: 1}}}
	for _, p := range []*resource.Project{&a, &b} {
		if err := st.Projects.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	first, err := st.Projects.AddTask(ctx, a.ID, resource.Task{Name: "Монтаж", DurationDays: 3})
	if err != nil || !first.Start.Equal(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)) || !first.Finish.Equal(time.Date(2026, 12, 9, 17, 0, 0, 0, time.UTC)) {
		t.Fatalf("first %+v: %v", first, err)
	}
	second, err := st.Projects.AddTask(ctx, a.ID, resource.Task{Name: "Настройка", DurationDays: 0, Start: a.Start, DependsOn: []int64{first.ID}})
	if err != nil || !second.Start.Equal(time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("second %+v: %v", second, err)
	}
	for name, tc := range map[string]struct {
		project int64
		task    resource.Task
		kind    crm.ErrorKind
	}{
		"foreign predecessor": {a.ID, resource.Task{Name: "X", DurationDays: 1, DependsOn: []int64{b.Tasks[0].ID}}, crm.KindInvalid},
		"no name":             {a.ID, resource.Task{Name: " ", DurationDays: 1}, crm.KindInvalid},
		"negative duration":   {a.ID, resource.Task{Name: "X", DurationDays: -1}, crm.KindInvalid},
		"no project":          {999999, resource.Task{Name: "X", DurationDays: 1}, crm.KindNotFound},
	} {
		if _, err := st.Projects.AddTask(ctx, tc.project, tc.task); !crm.IsKind(err, tc.kind) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, r := range []resource.PlanAsset{{Name: "Кабель", Kind: resource.AssetMaterial}, {Name: "Иван", Kind: resource.AssetUser}} {
		if err := st.Projects.AddResource(ctx, a.ID, &r); err != nil || r.ID == 0 {
			t.Fatalf("%s: %v", r.Name, err)
		}
	}
	if err := st.Projects.AddResource(ctx, a.ID, &resource.PlanAsset{Name: "X", Kind: "money"}); !crm.IsKind(err, crm.KindInvalid) {
		t.Errorf("unknown kind: %v", err)
	}
	if err := st.Projects.AddResource(ctx, 999999, &resource.PlanAsset{Name: "X", Kind: resource.AssetMaterial}); !crm.IsKind(err, crm.KindNotFound) {
		t.Errorf("no project: %v", err)
	}
	got, err := st.Projects.GetProject(ctx, a.ID)
	if err != nil || len(got.Tasks) != 2 || len(got.Resources) != 2 || got.Resources[0].Kind != resource.AssetMaterial {
		t.Fatalf("project %+v: %v", got, err)
	}
	if other, _ := st.Projects.GetProject(ctx, b.ID); len(other.Tasks) != 1 || len(other.Resources) != 0 {
		t.Fatalf("the other project changed: %+v", other)
	}
}
