package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/kb"
	"hotline/crm/notify"
	"hotline/crm/service"
	"hotline/internal/i18n"
)

// TicketPageDeps are what the service desk's pages need: the domain
// services, and the few methods of other features a request's page shows.
type TicketPageDeps struct {
	Tickets  service.TicketService  // the requests
	Messages service.TicketMessages // their threads
	// Costs adds work, materials and their total to a request's page, and
	// users' hourly rates to the admin's user page; nil: no costs.
	Costs service.TicketCosts
	// Catalogue is where the costs' material picker finds products
	// (needed with Costs).
	Catalogue ProductCatalogue
	// Products lets the new-request form offer the client's purchased
	// products and any other one, applying their support terms; optional.
	Products TicketProducts
	// Now is the clock of the report's default period and of support
	// terms still running; time.Now when nil.
	Now func() time.Time
}

// ticketPages serves the service desk's pages: the ticket list, the ticket
// with its thread, the new-ticket form (from a client page or a screen pop),
// the efficiency report and the customer's status page.
type ticketPages struct {
	p        *Pages
	tickets  service.TicketService
	messages service.TicketMessages
	products TicketProducts // nil: the new-request form has no product picker
	now      func() time.Time
}

// MountTickets adds the service desk's pages and their nav links. The
// customer's status page (/status/{token}) needs no sign-in. With
// deps.Costs, requests show their costs (see mountCosts).
func (p *Pages) MountTickets(deps TicketPageDeps) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	tp := &ticketPages{p: p, tickets: deps.Tickets, messages: deps.Messages, products: deps.Products, now: deps.Now}
	r := p.api.Router()
	r.Get("/status/{token}", tp.publicStatus)
	r.Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Get("/tickets", tp.list)
		r.Get("/tickets/new", tp.newForm)
		r.Post("/tickets", tp.create)
		r.Get("/tickets/{id}", tp.show)
		r.Post("/tickets/{id}/status", tp.changeStatus)
		r.Post("/tickets/{id}/comments", tp.comment)
		r.Post("/tickets/{id}/project", tp.setProject)
		r.Get("/reports/service", tp.report)
	})
	p.AddNav(NavItem{Label: "web.nav.requests", Path: "/tickets"})
	p.AddNav(NavItem{Label: "web.nav.service_report", Path: "/reports/service", Roles: []crm.Role{crm.RoleSupervisor, crm.RoleAdmin}, Group: "web.nav.group.reports"})
	if deps.Costs != nil {
		p.mountCosts(tp, deps.Costs, deps.Catalogue)
	}
}

func viewerOf(r *http.Request) *service.Viewer {
	pr := crm.UserFromContext(r.Context())
	return &service.Viewer{UserID: pr.ID, Role: pr.Role}
}

type ticketListData struct {
	Items    []service.Ticket
	Next     string
	Status   string
	Priority string
	Q        string
	ClientID int64
	Statuses []service.Status
	// MyOverdue lists the user's own overdue requests; Overdue marks rows
	// (by ticket id); open lists are sorted by due time, overdue on top.
	MyOverdue bool
	Overdue   map[int64]bool
	Texts     map[string]string
}

func (tp *ticketPages) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := ticketListData{Status: q.Get("status"), Priority: q.Get("priority"), Q: q.Get("q"), Statuses: service.Statuses,
		MyOverdue: q.Get("mine") == "overdue", Overdue: map[int64]bool{}}
	d.ClientID, _ = strconv.ParseInt(q.Get("client"), 10, 64)
	f := service.TicketFilter{Priority: service.Priority(d.Priority), Query: d.Q, ClientID: d.ClientID, After: q.Get("after"), Viewer: viewerOf(r)}
	if d.MyOverdue {
		f.Overdue, f.AssigneeID = true, viewerOf(r).UserID
	}
	switch {
	case d.Status == "" || d.Status == "open":
		d.Status, f.OpenOnly = "open", true
	case d.Status == "all":
	case service.Status(d.Status).Valid():
		f.Status = []service.Status{service.Status(d.Status)}
	}
	if f.Priority != "" && !f.Priority.Valid() {
		f.Priority, d.Priority = "", ""
	}
	f.ByDue = f.OpenOnly || d.MyOverdue // what needs doing first on top
	page, err := tp.tickets.ListTickets(r.Context(), f)
	if err != nil {
		tp.p.errorPage(w, r, err)
		return
	}
	d.Items, d.Next = page.Items, page.Next
	for _, t := range d.Items {
		if t.Late {
			d.Overdue[t.ID] = true
		}
	}
	l := i18n.FromContext(r.Context())
	d.Texts = map[string]string{"overdue": l.T("notify.overdue", nil), "my_overdue": l.T("notify.filter.my_overdue", nil)}
	tp.p.render(w, r, http.StatusOK, "tickets", "web.nav.requests", view{Data: d, Active: "/tickets"})
}

type ticketData struct {
	Ticket    service.Ticket
	Events    []service.Event
	Articles  []kb.Article
	Next      []service.Status
	StatusURL string
	Error     string
	Stock     bool            // the stock module is mounted: check and reserve for the ticket
	Calls     bool            // the call log is mounted: the request's calls are links
	KB        bool            // the article pages are mounted: find the solving article
	Cost      *ticketCostData // work, materials and total (nil: costs not mounted)
	// Support says which product support terms the request was opened
	// under (its EventSupport history line); empty when none.
	Support string
	// Messages are the e-mails and SMS about the request, with their state.
	Messages messagesView
	// Plan is the request's project and the projects it may name (nil:
	// projects not mounted).
	Plan *ticketPlan
}

// loadVisible returns the ticket when the user may see it (else not found).
func (tp *ticketPages) loadVisible(r *http.Request) (service.Ticket, error) {
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	t, err := tp.tickets.GetTicket(r.Context(), id)
	if err != nil {
		return t, err
	}
	ok, err := tp.tickets.CanSeeTicket(r.Context(), viewerOf(r), t)
	if err == nil && !ok {
		err = crm.Errorf(crm.KindNotFound, "ticket %d not found", id)
	}
	return t, err
}

func (tp *ticketPages) show(w http.ResponseWriter, r *http.Request) {
	tp.renderTicket(w, r, http.StatusOK, "")
}

func (tp *ticketPages) renderTicket(w http.ResponseWriter, r *http.Request, status int, msg string) {
	t, err := tp.loadVisible(r)
	if err != nil {
		tp.p.errorPage(w, r, err)
		return
	}
	d := ticketData{Ticket: t, StatusURL: statusPath(t.PublicToken), Error: msg, Stock: tp.p.hasStock(), Calls: tp.p.hasCalls(), KB: tp.p.knowledgeBase() != nil}
	if d.Events, err = tp.messages.Thread(r.Context(), t.ID, false); err == nil {
		d.Articles, err = tp.p.ticketArticles(r, t.ID)
	}
	var msgs []notify.Message
	if err == nil {
		msgs, err = tp.p.ticketMessages(r, t.ID)
	}
	if err == nil {
		d.Cost, err = tp.p.loadTicketCost(r, t.ID)
	}
	if err == nil {
		d.Plan, err = tp.p.ticketPlanOf(r, t)
	}
	if err != nil {
		tp.p.errorPage(w, r, err)
		return
	}
	d.Messages = ticketMessages(r.Context(), t, msgs)
	for i, e := range d.Events {
		if e.Kind == service.EventSupport {
			d.Events[i].Body = supportLine(loc(r), e)
			d.Support = d.Events[i].Body
		}
	}
	for _, s := range service.Statuses {
		if t.Status.CanMoveTo(s) {
			d.Next = append(d.Next, s)
		}
	}
	tp.p.render(w, r, status, "ticket", "", view{Title: loc(r).T("web.ticket.number", map[string]any{"ID": t.ID}), Data: d, Active: "/tickets"})
}

func (tp *ticketPages) changeStatus(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	t, err := tp.loadVisible(r)
	if err != nil {
		tp.p.errorPage(w, r, err)
		return
	}
	st := service.Status(r.PostFormValue("status"))
	me := crm.UserFromContext(r.Context()).ID
	if _, err := tp.tickets.UpdateTicket(r.Context(), t.ID, service.TicketUpdate{Status: &st, Comment: r.PostFormValue("comment")}, &me); err != nil {
		if crm.IsKind(err, crm.KindInvalid) || crm.IsKind(err, crm.KindConflict) {
			tp.renderTicket(w, r, http.StatusUnprocessableEntity, errorText(loc(r), err))
			return
		}
		tp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/tickets/"+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
}

func (tp *ticketPages) comment(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	t, err := tp.loadVisible(r)
	if err != nil {
		tp.p.errorPage(w, r, err)
		return
	}
	me := crm.UserFromContext(r.Context()).ID
	body := r.PostFormValue("body")
	if strings.TrimSpace(body) == "" {
		tp.renderTicket(w, r, http.StatusUnprocessableEntity, loc(r).T("web.ticket.comment_empty", nil))
		return
	}
	e := &service.Event{TicketID: t.ID, Kind: service.EventComment, UserID: &me, Body: body, Public: r.PostFormValue("public") == "on"}
	if _, err := tp.messages.AddMessage(r.Context(), e); err != nil {
		if crm.IsKind(err, crm.KindInvalid) {
			tp.renderTicket(w, r, http.StatusUnprocessableEntity, errorText(loc(r), err))
			return
		}
		tp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/tickets/"+strconv.FormatInt(t.ID, 10)+"#thread", http.StatusSeeOther)
}

type reportData struct {
	From, To, By string
	Rows         []serviceReportRow
}

type serviceReportRow struct {
	service.ReportRow
	RespMed, RespP90, ResMed, ResP90, Breach, Reopen, CSAT string
}

func (tp *ticketPages) report(w http.ResponseWriter, r *http.Request) {
	if role := crm.UserFromContext(r.Context()).Role; role == crm.RoleAgent {
		tp.p.errorPage(w, r, crm.Errorf(crm.KindForbidden, "the service report is for supervisors and admins"))
		return
	}
	q := r.URL.Query()
	zone := loc(r).Zone()
	now := tp.now().In(zone)
	to := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, zone) // the centre's tomorrow
	d := reportData{From: q.Get("from"), To: q.Get("to"), By: q.Get("by")}
	if d.By != "team" {
		d.By = "agent"
	}
	from, err1 := time.ParseInLocation(time.DateOnly, d.From, zone)
	till, err2 := time.ParseInLocation(time.DateOnly, d.To, zone)
	if err1 != nil || err2 != nil {
		from, till = to.AddDate(0, 0, -30), to
		d.From, d.To = from.Format(time.DateOnly), till.Format(time.DateOnly)
	}
	rows, err := tp.tickets.ServiceReport(r.Context(), service.ReportFilter{From: from, To: till, By: d.By})
	if err != nil {
		if crm.IsKind(err, crm.KindInvalid) {
			tp.p.render(w, r, http.StatusUnprocessableEntity, "service_report", "web.service.title", view{Data: d, Error: errorText(loc(r), err)})
			return
		}
		tp.p.errorPage(w, r, err)
		return
	}
	for _, row := range rows {
		d.Rows = append(d.Rows, serviceReportRow{ReportRow: row, RespMed: seconds(row.ResponseMedian), RespP90: seconds(row.ResponseP90),
			ResMed: seconds(row.ResolutionMedian), ResP90: seconds(row.ResolutionP90),
			Breach: strconv.FormatFloat(row.BreachRate*100, 'f', 1, 64) + "%", Reopen: strconv.FormatFloat(row.ReopenRate*100, 'f', 1, 64) + "%", CSAT: csat(row.Satisfaction)})
	}
	tp.p.render(w, r, http.StatusOK, "service_report", "web.service.title", view{Data: d})
}

type publicStatusData struct {
	Ticket service.Ticket
	Events []service.Event
}

// publicStatus is the customer's page behind the unguessable link: the
// request's number, subject, status and the public part of the thread.
func (tp *ticketPages) publicStatus(w http.ResponseWriter, r *http.Request) {
	token := chi.URLParam(r, "token")
	if len(token) < 20 || len(token) > 64 {
		tp.p.render(w, r, http.StatusNotFound, "ticket_status", "web.status.title", view{Error: loc(r).T("web.status.bad_link", nil)})
		return
	}
	t, err := tp.tickets.TicketByToken(r.Context(), token)
	if err != nil {
		status := crm.ErrorStatus(err)
		tp.p.render(w, r, status, "ticket_status", "web.status.title", view{Error: loc(r).T("web.status.gone", nil)})
		return
	}
	events, err := tp.messages.Thread(r.Context(), t.ID, true)
	if err != nil {
		tp.p.errorPage(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex")
	tp.p.render(w, r, http.StatusOK, "ticket_status", "", view{Title: loc(r).T("web.ticket.number", map[string]any{"ID": t.ID}), Data: publicStatusData{Ticket: t, Events: events}})
}

func csat(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

// seconds formats report seconds as "1h 05m" ("—" when unknown).
func seconds(v *float64) string {
	if v == nil {
		return "—"
	}
	d := time.Duration(*v) * time.Second
	if d < time.Hour {
		return strconv.Itoa(int(d.Minutes())) + "m"
	}
	return strconv.Itoa(int(d.Hours())) + "h " + strconv.Itoa(int(d.Minutes())%60) + "m"
}
