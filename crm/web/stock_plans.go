package web

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/resource"
)

// planPages serves projects with their Gantt chart.
type planPages struct {
	p        *Pages
	projects httpapi.ProjectStore
}

// MountPlans adds /projects (list, Gantt chart, MSPDI export link) for
// every signed-in user, with a nav link. The document library is
// MountDocuments.
func (p *Pages) MountPlans(projects httpapi.ProjectStore) {
	pp := &planPages{p: p, projects: projects}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Get("/projects", pp.list)
		r.Get("/projects/{id}", pp.project)
	})
	p.AddNav(NavItem{Label: "web.nav.projects", Path: "/projects", Group: "web.nav.group.resources"})
}

var projectsTmpl = template.Must(template.New("projects").Parse(`<div class="toolbar"><h1>Projects</h1></div>
{{if .}}<table class="list" id="projects"><thead><tr><th>Project</th><th>Start</th><th></th></tr></thead><tbody>
{{range .}}<tr><td><a href="/projects/{{.ID}}">{{.Name}}</a></td><td>{{.Start.Format "2006-01-02"}}</td>
<td><a class="btn" href="/api/v1/projects/{{.ID}}/mspdi">MS Project XML</a></td></tr>{{end}}
</tbody></table>{{else}}<div class="empty">No projects yet.</div>{{end}}`))

var projectTmpl = template.Must(template.New("project").Parse(`<div class="toolbar"><h1>{{.P.Name}}</h1>
<a class="btn" id="export-mspdi" href="/api/v1/projects/{{.P.ID}}/mspdi">Export to MS Project (MSPDI)</a></div>
<div class="gantt" id="gantt" style="overflow-x:auto">{{.SVG}}</div>
<table class="list" id="tasks"><thead><tr><th>Task</th><th>Days</th><th>Start</th><th>Finish</th></tr></thead><tbody>
{{range .P.Tasks}}<tr><td>{{.Name}}</td><td>{{.DurationDays}}</td><td>{{.Start.Format "2006-01-02 15:04"}}</td><td>{{.Finish.Format "2006-01-02 15:04"}}</td></tr>{{end}}
</tbody></table>`))

func (pp *planPages) list(w http.ResponseWriter, r *http.Request) {
	list, err := pp.projects.ListProjects(r.Context(), 0)
	if err != nil {
		pp.p.errorPage(w, r, err)
		return
	}
	pp.show(w, r, "Projects", projectsTmpl, list)
}

func (pp *planPages) project(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		pp.p.errorPage(w, r, crm.Errorf(crm.KindNotFound, "no such project"))
		return
	}
	pr, err := pp.projects.GetProject(r.Context(), id)
	if err != nil {
		pp.p.errorPage(w, r, err)
		return
	}
	// GanttSVG escapes every name it draws.
	pp.show(w, r, pr.Name, projectTmpl, map[string]any{"P": pr, "SVG": template.HTML(resource.GanttSVG(pr))})
}

func (pp *planPages) show(w http.ResponseWriter, r *http.Request, title string, t *template.Template, data any) {
	var buf []byte
	bw := &byteWriter{&buf}
	if err := t.Execute(bw, data); err != nil {
		pp.p.errorPage(w, r, err)
		return
	}
	pp.p.RenderPage(w, r, http.StatusOK, title, template.HTML(buf))
}

type byteWriter struct{ b *[]byte }

func (w *byteWriter) Write(p []byte) (int, error) { *w.b = append(*w.b, p...); return len(p), nil }
