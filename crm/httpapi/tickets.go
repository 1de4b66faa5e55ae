package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/kb"
	"hotline/crm/notify"
	"hotline/crm/service"
)

// TicketStore is what the service-desk operations read and write (crm/postgres.Store).
type TicketStore interface {
	CreateTicket(ctx context.Context, t *service.Ticket) error
	GetTicket(ctx context.Context, id int64) (service.Ticket, error)
	TicketByToken(ctx context.Context, token string) (service.Ticket, error)
	CanSeeTicket(ctx context.Context, v *service.Viewer, t service.Ticket) (bool, error)
	ListTickets(ctx context.Context, f service.TicketFilter) (crm.Page[service.Ticket], error)
	UpdateTicket(ctx context.Context, id int64, u service.TicketUpdate, actor *int64) (service.Ticket, error)
	AddMessage(ctx context.Context, e *service.Event) (bool, error)
	Thread(ctx context.Context, ticketID int64, publicOnly bool) ([]service.Event, error)
	LinkTicketCall(ctx context.Context, ticketID int64, linkedid string, user *int64) error
	ClientIDByEmail(ctx context.Context, email string) (int64, error)

	ListSLAPlans(ctx context.Context) ([]service.SLAPlan, error)
	SaveSLAPlan(ctx context.Context, p *service.SLAPlan) error
	SetClientSLAPlan(ctx context.Context, clientID, planID int64) error

	ServiceReport(ctx context.Context, f service.ReportFilter) ([]service.ReportRow, error)

	SetRoleRate(ctx context.Context, role crm.Role, perHour float64) error
	LogWork(ctx context.Context, w service.Work) error
	AddMaterial(ctx context.Context, m service.Material) error
	ServiceCost(ctx context.Context, clientID, productID int64, from, to time.Time) (service.Cost, error)
}

// TicketDeps are what RegisterTickets needs.
type TicketDeps struct {
	Store TicketStore
	// Products supplies purchased products' support conditions; optional.
	Products service.ProductTerms
	Logger   *slog.Logger
	Now      func() time.Time // tells overdue requests; time.Now when nil

	// KB gives a ticket's solving articles and links them; Notify its
	// e-mails and SMS.
	KB     kb.Service
	Notify notify.Service
}

// ticketsAPI holds the service-desk operations' dependencies.
type ticketsAPI struct {
	store    TicketStore
	products service.ProductTerms
	log      *slog.Logger
	now      func() time.Time

	kb     kb.Service
	notify notify.Service
}

// RegisterTickets adds the service desk's operations: tickets and their
// thread (every role; agents only see tickets of their teams), SLA plans and
// teams (admins edit), inbound email (supervisors and admins, meant for a mail gateway's token),
// the efficiency report (supervisors and admins) and the customer's public
// status by link.
func RegisterTickets(api huma.API, deps TicketDeps) {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	s := &ticketsAPI{store: deps.Store, log: deps.Logger, products: deps.Products, kb: deps.KB, notify: deps.Notify, now: deps.Now}
	s.registerTickets(api)
	s.registerMessages(api)
	s.registerSupport(api)
	s.registerReport(api)
	s.registerCost(api)
}

// problem maps a domain or store error to a problem response.
func (s *ticketsAPI) problem(ctx context.Context, err error) error {
	return problemFor(ctx, s.log, err)
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
func (s *ticketsAPI) visibleTicket(ctx context.Context, id int64) (service.Ticket, error) {
	t, err := s.store.GetTicket(ctx, id)
	if err != nil {
		return t, s.problem(ctx, err)
	}
	ok, err := s.store.CanSeeTicket(ctx, viewer(ctx), t)
	if err != nil {
		return t, s.problem(ctx, err)
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

func (s *ticketsAPI) registerTickets(api huma.API) {
	tags := []string{"tickets"}
	Register(api, AnyRole, huma.Operation{OperationID: "list-tickets", Method: http.MethodGet, Path: "/api/v1/tickets",
		Tags: tags, Summary: "Tickets, newest first (agents: their teams' and their own)"},
		func(ctx context.Context, in *listTicketsInput) (*ticketsOutput, error) {
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
			page, err := s.store.ListTickets(ctx, f)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &ticketsOutput{}
			out.Body.Items = make([]TicketJSON, 0, len(page.Items))
			for _, t := range page.Items {
				out.Body.Items = append(out.Body.Items, ticketJSON(t, s.now()))
			}
			out.Body.Next = page.Next
			return out, nil
		})
	Register(api, AnyRole, huma.Operation{OperationID: "create-ticket", Method: http.MethodPost, Path: "/api/v1/tickets",
		Tags: tags, Summary: "Open a ticket for a client (optionally from a call)", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct{ Body TicketBody }) (*ticketOutput, error) {
			b := in.Body
			t := service.Ticket{ClientID: b.ClientID, Subject: b.Subject, Description: b.Description, Category: b.Category,
				Priority: service.Priority(b.Priority), AssigneeID: b.AssigneeID, TeamID: b.TeamID, PlanID: b.PlanID,
				CreatedBy: actorID(ctx)}
			if b.Call != "" {
				t.Calls = []string{b.Call}
			}
			t.ProductID = b.ProductID
			if b.ProductID != nil && s.products != nil {
				// The store applies the terms when still active at the
				// ticket's creation and records them in its history.
				terms, err := s.products.SupportTerms(ctx, b.ClientID, *b.ProductID)
				if err != nil {
					return nil, s.problem(ctx, err)
				}
				t.Terms = terms
			}
			if err := s.store.CreateTicket(ctx, &t); err != nil {
				return nil, s.problem(ctx, err)
			}
			got, err := s.store.GetTicket(ctx, t.ID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &ticketOutput{Body: ticketJSON(got, s.now())}, nil
		})
	Register(api, AnyRole, huma.Operation{OperationID: "get-ticket", Method: http.MethodGet, Path: "/api/v1/tickets/{id}",
		Tags: tags, Summary: "One ticket"},
		func(ctx context.Context, in *ticketIDInput) (*ticketOutput, error) {
			t, err := s.visibleTicket(ctx, in.ID)
			if err != nil {
				return nil, err
			}
			return &ticketOutput{Body: ticketJSON(t, s.now())}, nil
		})
	Register(api, AnyRole, huma.Operation{OperationID: "update-ticket", Method: http.MethodPatch, Path: "/api/v1/tickets/{id}",
		Tags: tags, Summary: "Change status, priority, assignee, team, category or subject (each change is recorded)"},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id" minimum:"1"`
			Body TicketPatch
		}) (*ticketOutput, error) {
			if _, err := s.visibleTicket(ctx, in.ID); err != nil {
				return nil, err
			}
			t, err := s.store.UpdateTicket(ctx, in.ID, in.Body.update(), actorID(ctx))
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			t, err = s.store.GetTicket(ctx, t.ID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &ticketOutput{Body: ticketJSON(t, s.now())}, nil
		})
}
