package web

import (
	"context"
	"net/http"
	"strconv"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// TicketProjects links requests and the projects that carry their work
// (postgres.TicketService); the links show once MountPlans ran too.
type TicketProjects interface {
	TicketProject(ctx context.Context, ticketID int64) (*resource.Project, error)
	SetTicketProject(ctx context.Context, ticketID int64, projectID *int64) error
	ProjectTickets(ctx context.Context, projectID int64) ([]service.Ticket, error)
	CanSeeTicket(ctx context.Context, v *service.Viewer, t service.Ticket) (bool, error)
}

// ticketPlan is the request page's project: the one named and those of
// the request's client it may name.
type ticketPlan struct {
	Project *resource.Project
	Options []resource.Project
}

// ticketProjects is where requests name projects: nil until both
// MountTickets and MountPlans ran.
func (p *Pages) ticketProjects() TicketProjects {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.ticketLinks
}

// ticketPlanOf is the project part of a request's page (nil: no projects).
func (p *Pages) ticketPlanOf(r *http.Request, t service.Ticket) (*ticketPlan, error) {
	tp := p.ticketProjects()
	if tp == nil {
		return nil, nil
	}
	cur, err := tp.TicketProject(r.Context(), t.ID)
	if err != nil {
		return nil, err
	}
	opts := p.clientProjects(r, t.ClientID)
	return &ticketPlan{Project: cur, Options: opts}, nil
}

// setProject makes a request name one of its client's projects (or none),
// for whoever may see the request.
func (tp *ticketPages) setProject(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	store := tp.p.ticketProjects()
	if store == nil {
		http.NotFound(w, r)
		return
	}
	t, err := tp.loadVisible(r)
	if err != nil {
		tp.p.errorPage(w, r, err)
		return
	}
	var project *int64
	if v := r.PostFormValue("project_id"); v != "" {
		id, e := strconv.ParseInt(v, 10, 64)
		if e != nil || id <= 0 {
			err = crm.Invalid("project_id", "choose a project of the request's client")
		}
		project = &id
	}
	if err == nil {
		err = store.SetTicketProject(r.Context(), t.ID, project)
	}
	if err != nil {
		tp.renderTicket(w, r, http.StatusUnprocessableEntity, resErrorText(loc(r), err))
		return
	}
	http.Redirect(w, r, "/tickets/"+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
}

// projectRequests are the requests naming a project that the reader may see.
func (pp *planPages) projectRequests(r *http.Request, projectID int64) []service.Ticket {
	tp := pp.p.ticketProjects()
	if tp == nil {
		return nil
	}
	list, err := tp.ProjectTickets(r.Context(), projectID)
	if err != nil {
		pp.p.log.WarnContext(r.Context(), "project page without requests", "project", projectID, "err", err)
		return nil
	}
	var out []service.Ticket
	for _, t := range list {
		if ok, err := tp.CanSeeTicket(r.Context(), viewerOf(r), t); err == nil && ok {
			out = append(out, t)
		}
	}
	return out
}
