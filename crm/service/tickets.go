package service

import (
	"context"
	"time"

	"hotline/crm"
)

// The service desk's services, split by use. crm/postgres implements them
// (TicketService and SLAService); the API, the pages, the demo and the
// telephony glue consume them.

// TicketService opens, reads, lists and changes service requests.
type TicketService interface {
	// CreateTicket records a new request; t gets its id, token and due times.
	CreateTicket(ctx context.Context, t *Ticket) error
	// GetTicket returns a request by id (KindNotFound when there is none).
	GetTicket(ctx context.Context, id int64) (Ticket, error)
	// TicketByToken returns the request behind a customer's status link.
	TicketByToken(ctx context.Context, token string) (Ticket, error)
	// CanSeeTicket reports whether v may see t (agents: their teams' and their own).
	CanSeeTicket(ctx context.Context, v *Viewer, t Ticket) (bool, error)
	// ListTickets returns one page of requests matching f.
	ListTickets(ctx context.Context, f TicketFilter) (crm.Page[Ticket], error)
	// UpdateTicket applies a change by actor (nil: the system), recording each field.
	UpdateTicket(ctx context.Context, id int64, u TicketUpdate, actor *int64) (Ticket, error)
	// LinkTicketCall attaches a call (its linkedid) to a request.
	LinkTicketCall(ctx context.Context, ticketID int64, linkedid string, user *int64) error
	// OpenTicketsOf returns the open requests of the clients, newest first.
	OpenTicketsOf(ctx context.Context, clientIDs []int64, limit int) ([]Ticket, error)
	// ClientIDByEmail finds the client an e-mail address belongs to.
	ClientIDByEmail(ctx context.Context, email string) (int64, error)
	// ServiceReport computes the efficiency figures per agent or team.
	ServiceReport(ctx context.Context, f ReportFilter) ([]ReportRow, error)
}

// TicketMessages keeps a request's thread: comments, e-mails and changes.
type TicketMessages interface {
	// AddMessage records a comment or an e-mail; false when it was already recorded.
	AddMessage(ctx context.Context, e *Event) (bool, error)
	// Thread returns the request's history, oldest first (publicOnly: what the customer sees).
	Thread(ctx context.Context, ticketID int64, publicOnly bool) ([]Event, error)
}

// TicketCosts keeps the work and materials spent on requests and the hourly
// rates they are costed at. Money is in kopecks.
type TicketCosts interface {
	// SetRoleRate sets the hourly rate of a role.
	SetRoleRate(ctx context.Context, role crm.Role, perHour int64) error
	// SetUserRate sets (nil: clears) a user's own hourly rate.
	SetUserRate(ctx context.Context, userID int64, perHour *int64) error
	// UserRate returns a user's own hourly rate (nil: their role's applies).
	UserRate(ctx context.Context, userID int64) (*int64, error)
	// LogWork records time spent on a request.
	LogWork(ctx context.Context, w Work) error
	// AddMaterial charges a material to a request.
	AddMaterial(ctx context.Context, m Material) error
	// TicketCost itemises what one request cost.
	TicketCost(ctx context.Context, ticketID int64) (TicketCost, error)
	// ServiceCost totals what serving a client (or one of its products) cost in [from, to).
	ServiceCost(ctx context.Context, clientID, productID int64, from, to time.Time) (Cost, error)
}

// SLAService keeps SLA plans, the plan each client is on and the support
// terms of purchased products.
type SLAService interface {
	ProductTerms
	// GetSLAPlan returns a plan by id.
	GetSLAPlan(ctx context.Context, id int64) (SLAPlan, error)
	// ListSLAPlans returns every plan, the default first.
	ListSLAPlans(ctx context.Context) ([]SLAPlan, error)
	// SaveSLAPlan creates (ID 0) or changes a plan.
	SaveSLAPlan(ctx context.Context, p *SLAPlan) error
	// SLAPlanUsage counts the clients, products and requests on each plan.
	SLAPlanUsage(ctx context.Context) (map[int64]PlanUsage, error)
	// SetClientSLAPlan puts a client on a plan (0: back to the default).
	SetClientSLAPlan(ctx context.Context, clientID, planID int64) error
}
