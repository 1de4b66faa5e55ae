package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/resource"
)

func projectSamples(f *stockFixture) map[string]sample {
	project := func(t *testing.T, e *env) resource.Project {
		p := resource.Project{Name: "Rollout", ClientID: &f.clientID, Start: time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC),
			Tasks: []resource.Task{{Name: "Plan", DurationDays: 2}, {Name: "Do", DurationDays: 3, DependsOn: []int64{1}}}}
		if err := e.store.Projects.CreateProject(t.Context(), &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	path := func(suffix string) sample {
		return func(t *testing.T, e *env) (string, any) {
			return fmt.Sprintf("/api/v1/projects/%d%s", project(t, e).ID, suffix), nil
		}
	}
	return map[string]sample{
		"list-projects": func(*testing.T, *env) (string, any) { return "/api/v1/projects", nil },
		"create-project": func(*testing.T, *env) (string, any) {
			return "/api/v1/projects", map[string]any{"name": "New", "start": "2026-04-01", "client_id": f.clientID,
				"tasks":     []map[string]any{{"name": "A", "duration_days": 1, "assigned": []int{1}}, {"name": "B", "duration_days": 2, "depends_on": []int{1}}},
				"resources": []map[string]any{{"name": "Crane", "kind": "equipment"}}}
		},
		"get-project":          path(""),
		"export-project-mspdi": path("/mspdi"),
		"project-gantt":        path("/gantt.svg"),
		"import-project-mspdi": func(t *testing.T, e *env) (string, any) {
			p := project(t, e)
			xml := fmt.Sprintf(`<Project xmlns="http://schemas.microsoft.com/project"><Tasks><Task><UID>%d</UID><Start>2026-03-23T08:00:00</Start><Finish>2026-03-24T17:00:00</Finish></Task></Tasks></Project>`, p.Tasks[0].ID)
			return fmt.Sprintf("/api/v1/projects/%d/mspdi", p.ID), []byte(xml)
		},
	}
}

func TestProjectsAPI(t *testing.T) {
	t.Parallel()
	e := newResourceEnv(t)
	httpapi.RegisterProjects(e.srv, httpapi.ProjectDeps{Projects: e.store.Projects})
	f := newStockFixture(t, e)
	checkRoleMatrix(t, e, projectSamples(f), "projects")

	sup := e.login(crm.RoleSupervisor)
	resp, body := sup.do("GET", "/api/v1/projects", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Rollout") {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	for _, b := range []struct {
		body any
		text string
	}{
		{map[string]any{"name": "Cycle", "start": "2026-04-01", "tasks": []map[string]any{{"name": "A", "duration_days": 1, "depends_on": []int{2}}, {"name": "B", "duration_days": 1, "depends_on": []int{1}}}}, "cycle"},
		{map[string]any{"name": "Bad start", "start": "01.04.2026", "tasks": []map[string]any{{"name": "A", "duration_days": 1}}}, "start"},
		{map[string]any{"name": "No tasks", "start": "2026-04-01", "tasks": []map[string]any{}}, "tasks"},
	} {
		resp, body := sup.do("POST", "/api/v1/projects", b.body)
		if resp.StatusCode != 422 || !strings.Contains(string(body), b.text) {
			t.Errorf("%v: %d %s", b.body, resp.StatusCode, body)
		}
	}
	resp, body = sup.do("PUT", "/api/v1/projects/1/mspdi", []byte("<not-xml"))
	if resp.StatusCode != 422 {
		t.Errorf("garbage import: %d %s", resp.StatusCode, body)
	}
	resp, body = sup.do("GET", "/api/v1/projects/1/gantt.svg", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(string(body), "<svg") {
		t.Errorf("gantt: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}
