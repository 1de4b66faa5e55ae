package web

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/resource"
)

// planPages serves projects with their Gantt chart, and the document library.
type planPages struct {
	p        *Pages
	projects httpapi.ProjectStore
	docs     httpapi.DocumentStore
}

// MountPlans adds /projects (list, Gantt chart, MSPDI export link) and
// /documents (search, download, fill a template for a client) for every
// signed-in user, with nav links. Documents show only what the user may read.
func (p *Pages) MountPlans(projects httpapi.ProjectStore, docs httpapi.DocumentStore) {
	pp := &planPages{p: p, projects: projects, docs: docs}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Get("/projects", pp.list)
		r.Get("/projects/{id}", pp.project)
		r.Get("/documents", pp.documents)
	})
	p.AddNav(NavItem{Label: "web.nav.projects", Path: "/projects", Group: "web.nav.group.resources"})
	p.AddNav(NavItem{Label: "web.nav.documents", Path: "/documents", Group: "web.nav.group.resources"})
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

var documentsTmpl = template.Must(template.New("documents").Parse(`<div class="toolbar"><h1>Documents</h1></div>
<form method="get" action="/documents" class="inline" id="doc-search"><input name="q" id="doc-q" value="{{.Q}}" placeholder="Search titles and text">
<button class="btn" type="submit">Search</button></form>
{{if .Docs}}<table class="list" id="documents"><thead><tr><th>Title</th><th>Category</th><th>Tags</th><th>Version</th><th></th></tr></thead><tbody>
{{range .Docs}}<tr><td>{{.Title}}</td><td>{{.Category}}</td><td>{{range .Tags}}<span class="tag">{{.}}</span>{{end}}</td><td>{{.Version}}</td>
<td><a class="btn" href="/api/v1/documents/{{.ID}}/content">Download</a>
{{if eq .Category "template"}}<form method="get" action="/api/v1/documents/{{.ID}}/fill" class="inline">
<input type="number" name="client_id" placeholder="client ID" required><button class="btn" type="submit">Fill for client</button></form>{{end}}</td></tr>{{end}}
</tbody></table>{{else}}<div class="empty">No documents you may read{{if .Q}} match “{{.Q}}”{{end}}.</div>{{end}}`))

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

func (pp *planPages) documents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	reader := resource.Reader{}
	if pr := httpapi.PrincipalFrom(r.Context()); pr != nil {
		reader = resource.Reader{UserID: pr.User.ID, Role: pr.User.Role}
	}
	docs, err := pp.docs.ListDocuments(r.Context(), reader, postgres.DocumentFilter{Query: q})
	if err != nil {
		pp.p.errorPage(w, r, err)
		return
	}
	pp.show(w, r, "Documents", documentsTmpl, map[string]any{"Q": q, "Docs": docs})
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
