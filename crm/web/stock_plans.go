package web

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/funnel"
	"hotline/crm/resource"
)

// planPages serves projects with their Gantt chart.
type planPages struct {
	p    *Pages
	deps PlanPageDeps
}

// PlanPageDeps are what the project pages need: projects, the deals a new
// project is picked from, and (optional) the links between requests and
// projects, which the project's page and the request's page show.
type PlanPageDeps struct {
	Projects resource.ProjectService
	// Deals finds the deal a new project is for.
	Deals interface {
		GetDeal(ctx context.Context, id int64) (funnel.Deal, error)
		ListDeals(ctx context.Context, f funnel.DealFilter) ([]funnel.Deal, error)
	}
	TicketLinks TicketProjects
	// Now is the clock a new project's default start is from (time.Now when nil).
	Now func() time.Time
}

// MountPlans adds /projects (list, Gantt chart, MSPDI export link) for
// every signed-in user, with a nav link; supervisors and admins create
// projects there and add tasks and resources on a project's page. The
// document library is MountDocuments.
func (p *Pages) MountPlans(deps PlanPageDeps) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	pp := &planPages{p: p, deps: deps}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Get("/projects", pp.list)
		r.Get("/projects/{id}", pp.project)
		r.With(requireStaff).Post("/projects", pp.create)
		r.With(requireStaff).Get("/projects/deal-search", pp.dealSearch)
		r.With(requireStaff).Post("/projects/{id}/tasks", pp.addTask)
		r.With(requireStaff).Post("/projects/{id}/resources", pp.addResource)
		r.With(requireStaff).Post("/projects/{id}/mspdi", pp.importMSPDI)
	})
	p.mu.Lock()
	p.projects, p.ticketLinks = deps.Projects, deps.TicketLinks
	p.mu.Unlock()
	p.AddNav(NavItem{Label: "web.nav.projects", Path: "/projects", Group: "web.nav.group.resources"})
}

func (pp *planPages) list(w http.ResponseWriter, r *http.Request) {
	pp.showList(w, r, http.StatusOK, projectForm{Start: pp.deps.Now().In(loc(r).Zone()).Format(time.DateOnly)}, nil)
}

func (pp *planPages) project(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		pp.p.errorPage(w, r, crm.Errorf(crm.KindNotFound, "no such project"))
		return
	}
	pp.show(w, r, id, http.StatusOK, taskForm{}, resourceForm{}, nil)
}

// show renders a project's page; err is what the task or resource form
// (the one filled in) got wrong.
func (pp *planPages) show(w http.ResponseWriter, r *http.Request, id int64, status int, tf taskForm, rf resourceForm, err error) {
	pr, e := pp.deps.Projects.GetProject(r.Context(), id)
	if e != nil {
		pp.p.errorPage(w, r, e)
		return
	}
	v := view{Title: pr.Name, Active: "/projects", Flash: importedFlash(r)}
	switch r.URL.Query().Get("added") {
	case "task":
		v.Flash = loc(r).T("res.project.task_added", nil)
	case "resource":
		v.Flash = loc(r).T("res.project.resource_added", nil)
	}
	field := ""
	if err != nil {
		v.Error, field = resErrorText(loc(r), err), fieldOf(err)
	}
	if tf.Start == "" {
		tf.Start = pr.Start.Format(time.DateOnly)
	}
	// GanttSVG escapes every name it draws.
	v.Data = map[string]any{"P": pr, "SVG": template.HTML(resource.GanttSVG(pr)), "Client": pp.clientOf(r, pr),
		"Broken": resource.BrokenDependencies(pr), "Staff": isStaff(r), "CSRF": csrfOf(r),
		"Task": tf, "Resource": rf, "Kinds": resource.AssetKinds, "Field": field, "Requests": pp.projectRequests(r, id)}
	pp.p.render(w, r, status, "project", "", v)
}
