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
		r.With(requireStaff).Post("/projects/{id}/mspdi", pp.importMSPDI)
	})
	p.mu.Lock()
	p.projects = projects
	p.mu.Unlock()
	p.AddNav(NavItem{Label: "web.nav.projects", Path: "/projects", Group: "web.nav.group.resources"})
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
	pp.p.render(w, r, http.StatusOK, "project", "", view{Title: pr.Name, Active: "/projects", Flash: importedFlash(r),
		Data: map[string]any{"P": pr, "SVG": template.HTML(resource.GanttSVG(pr)), "Client": pp.clientOf(r, pr),
			"Broken": resource.BrokenDependencies(pr), "Staff": isStaff(r), "CSRF": csrfOf(r)}})
}
