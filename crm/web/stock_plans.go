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

func (pp *planPages) list(w http.ResponseWriter, r *http.Request) {
	list, err := pp.projects.ListProjects(r.Context(), 0)
	if err != nil {
		pp.p.errorPage(w, r, err)
		return
	}
	pp.p.render(w, r, http.StatusOK, "projects", "web.nav.projects", view{Data: list})
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
	pp.p.render(w, r, http.StatusOK, "project", "", view{Title: pr.Name, Active: "/projects",
		Data: map[string]any{"P": pr, "SVG": template.HTML(resource.GanttSVG(pr))}})
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
	pp.p.render(w, r, http.StatusOK, "documents", "web.nav.documents", view{Data: map[string]any{"Q": q, "Docs": docs}})
}
