package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/kb"
	"hotline/crm/notify"
	"hotline/crm/service"
)

// TicketDeps are what RegisterTickets needs: the service desk's domain
// services and the few methods of other features the thread shows.
type TicketDeps struct {
	Tickets  service.TicketService  // the requests
	Messages service.TicketMessages // their threads
	Costs    service.TicketCosts    // work, materials and rates
	SLA      service.SLAService     // SLA plans and clients' plans
	// Articles are the knowledge-base articles that solved a request.
	Articles TicketArticles
	// Outbox lists the e-mails and SMS about a request.
	Outbox TicketOutbox
	// Products supplies purchased products' support conditions; optional.
	Products service.ProductTerms
	Logger   *slog.Logger
	Now      func() time.Time // tells overdue requests; time.Now when nil
}

// TicketArticles links knowledge-base articles to requests.
type TicketArticles interface {
	LinkArticle(ctx context.Context, ticketID, articleID int64, user *int64) error
	TicketArticles(ctx context.Context, ticketID int64) ([]kb.Article, error)
}

// TicketOutbox lists the messages queued about a request.
type TicketOutbox interface {
	TicketMessages(ctx context.Context, ticketID int64) ([]notify.Message, error)
}

// ticketHandlers serve the service desk's operations.
type ticketHandlers struct {
	tickets  service.TicketService
	messages service.TicketMessages
	costs    service.TicketCosts
	sla      service.SLAService
	articles TicketArticles
	outbox   TicketOutbox
	products service.ProductTerms
	log      *slog.Logger
	now      func() time.Time
}

// RegisterTickets adds the service desk's operations: tickets and their
// thread (every role; agents only see tickets of their teams), SLA plans
// (admins edit), inbound email (supervisors and admins, meant for a mail
// gateway's token), the efficiency report and service costs, and the
// customer's public status by link.
func RegisterTickets(api *Server, deps TicketDeps) {
	h := newTicketHandlers(deps)
	a, desk, cost := api.API(), []string{"service desk"}, []string{"service cost"}

	Register(a, AnyRole, ticketOp("list-tickets", http.MethodGet, "/api/v1/tickets",
		"Tickets, newest first (agents: their teams' and their own)"), h.list)
	Register(a, AnyRole, opCreated(ticketOp("create-ticket", http.MethodPost, "/api/v1/tickets",
		"Open a ticket for a client (optionally from a call)")), h.create)
	Register(a, AnyRole, ticketOp("get-ticket", http.MethodGet, "/api/v1/tickets/{id}",
		"One ticket"), h.get)
	Register(a, AnyRole, ticketOp("update-ticket", http.MethodPatch, "/api/v1/tickets/{id}",
		"Change status, priority, assignee, team, category or subject (each change is recorded)"), h.update)

	Register(a, AnyRole, ticketOp("get-ticket-thread", http.MethodGet, "/api/v1/tickets/{id}/thread",
		"The ticket with its whole history: changes, comments, emails, calls, escalations, solving articles"), h.thread)
	Register(a, AnyRole, opCreated(ticketOp("add-ticket-comment", http.MethodPost, "/api/v1/tickets/{id}/comments",
		"Comment on a ticket (public comments are the customer's answer and stop the response clock)")), h.comment)
	Register(a, AnyRole, opCreated(ticketOp("send-ticket-email", http.MethodPost, "/api/v1/tickets/{id}/emails",
		"Email the customer about the ticket: recorded in the thread and queued in the outbox, which sends it")), h.email)
	Register(a, SupervisorOrAdmin, ticketOp("receive-email", http.MethodPost, "/api/v1/inbound-email",
		"A customer's email, parsed by the mail gateway: added to its ticket or opening one"), h.receiveEmail)
	Register(a, AnyRole, opNoContent(ticketOp("link-ticket-call", http.MethodPost, "/api/v1/tickets/{id}/calls",
		"Attach a call (linkedid) to the ticket")), h.linkCall)
	Register(a, AnyRole, opNoContent(ticketOp("link-ticket-article", http.MethodPost, "/api/v1/tickets/{id}/articles",
		"Record the knowledge-base article that solved the ticket")), h.linkArticle)
	RegisterPublic(a, ticketOp("ticket-status", http.MethodGet, "/api/v1/status/{token}",
		"The customer's view of their request, through the unguessable link"), h.publicStatus)

	Register(a, AnyRole, opTagged(ticketOp("list-sla-plans", http.MethodGet, "/api/v1/sla-plans",
		"SLA plans (support conditions)"), desk), h.listPlans)
	Register(a, AdminOnly, opTagged(opCreated(ticketOp("create-sla-plan", http.MethodPost, "/api/v1/sla-plans",
		"Add an SLA plan")), desk), h.createPlan)
	Register(a, AdminOnly, opTagged(ticketOp("update-sla-plan", http.MethodPut, "/api/v1/sla-plans/{id}",
		"Change an SLA plan (applies to tickets' next recomputation)"), desk), h.updatePlan)
	Register(a, SupervisorOrAdmin, opTagged(opNoContent(ticketOp("set-client-sla-plan", http.MethodPut, "/api/v1/clients/{id}/sla-plan",
		"Attach an SLA plan to a client (plan_id 0: back to the default)")), desk), h.setClientPlan)

	Register(a, SupervisorOrAdmin, opTagged(ticketOp("service-report", http.MethodGet, "/api/v1/reports/service",
		"Service efficiency per agent or team: response and resolution median/p90, breach and reopen rates (JSON or CSV)"), []string{"reports"}), h.report)

	Register(a, AnyRole, opTagged(opNoContent(ticketOp("log-ticket-work", http.MethodPost, "/api/v1/tickets/{id}/work",
		"Log time spent on a ticket")), cost), h.logWork)
	Register(a, AnyRole, opTagged(opNoContent(ticketOp("add-ticket-material", http.MethodPost, "/api/v1/tickets/{id}/materials",
		"Charge a material (a product used) to a ticket")), cost), h.addMaterial)
	Register(a, AdminOnly, opTagged(opNoContent(ticketOp("set-role-rate", http.MethodPut, "/api/v1/role-rates/{role}",
		"Set the hourly rate of a role")), cost), h.setRoleRate)
	Register(a, SupervisorOrAdmin, opTagged(ticketOp("client-service-cost", http.MethodGet, "/api/v1/clients/{id}/service-cost",
		"What serving the client cost (calls and logged work at role rates, plus materials), optionally per product"), cost), h.serviceCost)
}

// newTicketHandlers holds deps, with a silent logger and the system clock
// when they have none.
func newTicketHandlers(deps TicketDeps) ticketHandlers {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return ticketHandlers{tickets: deps.Tickets, messages: deps.Messages, costs: deps.Costs, sla: deps.SLA,
		articles: deps.Articles, outbox: deps.Outbox, products: deps.Products, log: deps.Logger, now: deps.Now}
}

// ticketOp is a service-desk operation, tagged "tickets" unless retagged.
func ticketOp(id, method, path, summary string) huma.Operation {
	return huma.Operation{OperationID: id, Method: method, Path: path, Tags: []string{"tickets"}, Summary: summary}
}

// opCreated answers 201 Created.
func opCreated(o huma.Operation) huma.Operation { o.DefaultStatus = http.StatusCreated; return o }

// opNoContent answers 204 No Content.
func opNoContent(o huma.Operation) huma.Operation { o.DefaultStatus = http.StatusNoContent; return o }

// opTagged files the operation under other tags.
func opTagged(o huma.Operation, tags []string) huma.Operation { o.Tags = tags; return o }

// problem maps a domain or store error to a problem response.
func (h ticketHandlers) problem(ctx context.Context, err error) error {
	return problemFor(ctx, h.log, err)
}

func viewer(ctx context.Context) *service.Viewer {
	p := PrincipalFrom(ctx)
	return &service.Viewer{UserID: p.User.ID, Role: p.User.Role}
}

func actorID(ctx context.Context) *int64 {
	id := PrincipalFrom(ctx).User.ID
	return &id
}

// visibleTicket loads a ticket the caller may see; others are 404 so that
// ticket numbers of other teams leak nothing.
func (h ticketHandlers) visibleTicket(ctx context.Context, id int64) (service.Ticket, error) {
	t, err := h.tickets.GetTicket(ctx, id)
	if err != nil {
		return t, h.problem(ctx, err)
	}
	ok, err := h.tickets.CanSeeTicket(ctx, viewer(ctx), t)
	if err != nil {
		return t, h.problem(ctx, err)
	}
	if !ok {
		return t, huma.Error404NotFound("ticket not found")
	}
	return t, nil
}

// TicketJSON is a ticket as the API shows it.
type TicketJSON struct {
	ID          int64      `json:"id"`
	ClientID    int64      `json:"client_id"`
	ClientName  string     `json:"client_name"`
	ProductID   *int64     `json:"product_id,omitempty"`
	Subject     string     `json:"subject"`
	Description string     `json:"description"`
	Category    string     `json:"category"`
	Priority    string     `json:"priority"`
	Status      string     `json:"status"`
	AssigneeID  *int64     `json:"assignee_id,omitempty"`
	TeamID      *int64     `json:"team_id,omitempty"`
	PlanID      *int64     `json:"plan_id,omitempty"`
	Calls       []string   `json:"calls"`
	ResponseDue *time.Time `json:"response_due,omitempty"`
	ResolveDue  *time.Time `json:"resolve_due,omitempty"`
	RespondedAt *time.Time `json:"responded_at,omitempty"`
	PausedSince *time.Time `json:"paused_since,omitempty"`
	PausedSecs  int64      `json:"paused_seconds"`
	Reopens     int        `json:"reopens"`
	StatusURL   string     `json:"status_url"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ResolvedAt  *time.Time `json:"resolved_at,omitempty"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	Overdue     bool       `json:"overdue" doc:"open and past a due time"`
	// CallbackAttempts counts the missed calls a callback request answers.
	CallbackAttempts int `json:"callback_attempts,omitempty"`
}

// StatusPath is the customer's status page of a ticket token.
func StatusPath(token string) string { return "/status/" + token }

func ticketJSON(t service.Ticket, now time.Time) TicketJSON {
	calls := t.Calls
	if calls == nil {
		calls = []string{}
	}
	return TicketJSON{ID: t.ID, ClientID: t.ClientID, ClientName: t.ClientName, ProductID: t.ProductID, Subject: t.Subject,
		Description: t.Description, Category: t.Category, Priority: string(t.Priority), Status: string(t.Status),
		AssigneeID: t.AssigneeID, TeamID: t.TeamID, PlanID: t.PlanID, Calls: calls, ResponseDue: t.SLA.ResponseDue,
		ResolveDue: t.SLA.ResolveDue, RespondedAt: t.SLA.RespondedAt, PausedSince: t.SLA.PausedAt,
		PausedSecs: int64(t.SLA.Paused / time.Second), Reopens: t.Reopens, StatusURL: StatusPath(t.PublicToken),
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, ResolvedAt: t.ResolvedAt, ClosedAt: t.ClosedAt,
		Overdue: t.Overdue(now), CallbackAttempts: t.CallbackAttempts}
}

type ticketOutput struct{ Body TicketJSON }

type ticketIDInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type listTicketsInput struct {
	Status     string `query:"status" doc:"comma-separated statuses; 'open' for every open status" maxLength:"200"`
	Priority   string `query:"priority" enum:"critical,high,normal,low,"`
	ClientID   int64  `query:"client_id" minimum:"0"`
	AssigneeID int64  `query:"assignee_id" minimum:"0"`
	TeamID     int64  `query:"team_id" minimum:"0"`
	Q          string `query:"q" maxLength:"200"`
	After      string `query:"after" maxLength:"500"`
	Limit      int    `query:"limit" minimum:"0" maximum:"200"`
	Overdue    bool   `query:"overdue" doc:"only open requests past a due time"`
	Mine       bool   `query:"mine" doc:"only requests assigned to me (with overdue: my overdue)"`
	Sort       string `query:"sort" enum:"created,due," doc:"created (newest first, the default) or due (earliest due first: overdue on top)"`
}

type ticketsOutput struct {
	Body struct {
		Items []TicketJSON `json:"items"`
		Next  string       `json:"next,omitempty"`
	}
}

// TicketBody creates a ticket.
type TicketBody struct {
	ClientID    int64  `json:"client_id" minimum:"1"`
	Subject     string `json:"subject" minLength:"1" maxLength:"300"`
	Description string `json:"description,omitempty" maxLength:"50000"`
	Category    string `json:"category,omitempty" maxLength:"100"`
	Priority    string `json:"priority,omitempty" enum:"critical,high,normal,low," doc:"default: from the client's priority class"`
	AssigneeID  *int64 `json:"assignee_id,omitempty"`
	TeamID      *int64 `json:"team_id,omitempty"`
	PlanID      *int64 `json:"plan_id,omitempty" doc:"default: the product's plan, the client's plan, else the default plan"`
	ProductID   *int64 `json:"product_id,omitempty" doc:"the purchased product the request is about"`
	Call        string `json:"call,omitempty" maxLength:"100" doc:"linkedid of the call that raised the request"`
}

// TicketPatch changes a ticket; absent fields stay.
type TicketPatch struct {
	Status     *string `json:"status,omitempty" enum:"new,in_progress,waiting,resolved,closed,reopened"`
	Priority   *string `json:"priority,omitempty" enum:"critical,high,normal,low"`
	AssigneeID *int64  `json:"assignee_id,omitempty" minimum:"0" doc:"0 unassigns"`
	TeamID     *int64  `json:"team_id,omitempty" minimum:"0" doc:"0 removes the team"`
	Category   *string `json:"category,omitempty" maxLength:"100"`
	Subject    *string `json:"subject,omitempty" minLength:"1" maxLength:"300"`
	Comment    string  `json:"comment,omitempty" maxLength:"50000"`
}

func (p TicketPatch) update() service.TicketUpdate {
	u := service.TicketUpdate{AssigneeID: p.AssigneeID, TeamID: p.TeamID, Category: p.Category, Subject: p.Subject, Comment: p.Comment}
	if p.Status != nil {
		st := service.Status(*p.Status)
		u.Status = &st
	}
	if p.Priority != nil {
		pr := service.Priority(*p.Priority)
		u.Priority = &pr
	}
	return u
}

type ticketCreateInput struct{ Body TicketBody }

type ticketPatchInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body TicketPatch
}

// list answers one page of the tickets the caller may see.
func (h ticketHandlers) list(ctx context.Context, in *listTicketsInput) (*ticketsOutput, error) {
	f := service.TicketFilter{Priority: service.Priority(in.Priority), ClientID: in.ClientID, AssigneeID: in.AssigneeID,
		TeamID: in.TeamID, Query: in.Q, After: in.After, Limit: in.Limit, Viewer: viewer(ctx),
		Overdue: in.Overdue, ByDue: in.Sort == "due"}
	if in.Mine {
		f.AssigneeID = PrincipalFrom(ctx).User.ID
	}
	for _, st := range strings.Split(in.Status, ",") {
		switch st = strings.TrimSpace(st); {
		case st == "":
		case st == "open":
			f.OpenOnly = true
		case service.Status(st).Valid():
			f.Status = append(f.Status, service.Status(st))
		default:
			return nil, huma.Error422UnprocessableEntity("status: unknown status " + st)
		}
	}
	page, err := h.tickets.ListTickets(ctx, f)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &ticketsOutput{}
	out.Body.Items = make([]TicketJSON, 0, len(page.Items))
	for _, t := range page.Items {
		out.Body.Items = append(out.Body.Items, ticketJSON(t, h.now()))
	}
	out.Body.Next = page.Next
	return out, nil
}

// create opens a ticket, with the support terms of the product it is about.
func (h ticketHandlers) create(ctx context.Context, in *ticketCreateInput) (*ticketOutput, error) {
	b := in.Body
	t := service.Ticket{ClientID: b.ClientID, Subject: b.Subject, Description: b.Description, Category: b.Category,
		Priority: service.Priority(b.Priority), AssigneeID: b.AssigneeID, TeamID: b.TeamID, PlanID: b.PlanID,
		CreatedBy: actorID(ctx), ProductID: b.ProductID}
	if b.Call != "" {
		t.Calls = []string{b.Call}
	}
	if b.ProductID != nil && h.products != nil {
		// The store applies the terms when still active at the ticket's
		// creation and records them in its history.
		terms, err := h.products.SupportTerms(ctx, b.ClientID, *b.ProductID)
		if err != nil {
			return nil, h.problem(ctx, err)
		}
		t.Terms = terms
	}
	if err := h.tickets.CreateTicket(ctx, &t); err != nil {
		return nil, h.problem(ctx, err)
	}
	return h.reread(ctx, t.ID)
}

// get answers one ticket the caller may see.
func (h ticketHandlers) get(ctx context.Context, in *ticketIDInput) (*ticketOutput, error) {
	t, err := h.visibleTicket(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return &ticketOutput{Body: ticketJSON(t, h.now())}, nil
}

// update changes a ticket the caller may see.
func (h ticketHandlers) update(ctx context.Context, in *ticketPatchInput) (*ticketOutput, error) {
	if _, err := h.visibleTicket(ctx, in.ID); err != nil {
		return nil, err
	}
	t, err := h.tickets.UpdateTicket(ctx, in.ID, in.Body.update(), actorID(ctx))
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return h.reread(ctx, t.ID)
}

// reread answers a ticket as stored after a change.
func (h ticketHandlers) reread(ctx context.Context, id int64) (*ticketOutput, error) {
	t, err := h.tickets.GetTicket(ctx, id)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &ticketOutput{Body: ticketJSON(t, h.now())}, nil
}
