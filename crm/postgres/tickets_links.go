package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/service"
	"hotline/survey"
	"hotline/telephony/screenpop"
)

// The service desk's answers to other modules: the screen pop's open
// tickets and the survey's low-score follow-ups.

var _ screenpop.TicketLister = (*TicketService)(nil)

// OpenTickets lists a client's open tickets for the screen-pop card, most
// urgent due first (telephony/screenpop.TicketLister).
func (s *TicketService) OpenTickets(ctx context.Context, clientID int64, limit int) ([]screenpop.Ticket, error) {
	if limit <= 0 {
		limit = 5
	}
	rows, err := s.db.pool.Query(ctx, openTicketsSQL, clientID, limit)
	if err != nil {
		return nil, translate(err, "open tickets")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (screenpop.Ticket, error) { return scanPopTicket(r) })
}

// scanPopTicket reads a card's ticket: id, subject, status, resolve_due.
func scanPopTicket(r pgx.Row, lead ...any) (screenpop.Ticket, error) {
	var t screenpop.Ticket
	var due *time.Time // nil while waiting for the customer
	err := r.Scan(append(lead, &t.ID, &t.Title, &t.Status, &due)...)
	if due != nil {
		t.Due = *due
	}
	t.URL = fmt.Sprintf("/tickets/%d", t.ID)
	return t, err
}

// SurveyTickets opens a high-priority ticket for each low survey score of a
// known client (survey.FollowUps), linked to the surveyed call, once per
// response and question. Scores of unknown callers stay in the results.
type SurveyTickets struct {
	Tickets *TicketService
	TeamID  *int64 // the team that handles follow-ups; optional
}

var _ survey.FollowUps = SurveyTickets{}

// OpenFollowUp opens the ticket.
func (f SurveyTickets) OpenFollowUp(ctx context.Context, fu survey.FollowUp) error {
	if fu.Response.ClientID == nil {
		return nil
	}
	who := "no agent"
	if fu.Response.Agent != "" {
		who = "agent " + fu.Response.Agent
	}
	t := service.Ticket{ClientID: *fu.Response.ClientID, Priority: service.PriorityHigh, Category: "survey follow-up",
		TeamID: f.TeamID, Subject: fmt.Sprintf("Low survey score %d on %q (%s)", fu.Value, fu.Question.Key, who),
		Description: fmt.Sprintf("Survey %q, question %q (%s), response %d, caller %s. Please call the client back.",
			fu.Survey.Name, fu.Question.Key, fu.Question.Text, fu.Response.ID, fu.Response.Caller),
		ExternalRef: fmt.Sprintf("survey/%d/%s", fu.Response.ID, fu.Question.Key)}
	if id := strings.TrimSpace(fu.Response.LinkedID); id != "" {
		t.Calls = []string{id}
	}
	if err := f.Tickets.CreateTicket(ctx, &t); err != nil && !crm.IsKind(err, crm.KindConflict) {
		return fmt.Errorf("survey follow-up ticket: %w", err)
	}
	return nil
}

// LatestOpenTicket returns the newest open ticket of any of the clients
// (for the phone status line); KindNotFound when none is open.
func (s *TicketService) LatestOpenTicket(ctx context.Context, clientIDs []int64) (service.Ticket, error) {
	t, err := scanTicket(s.db.pool.QueryRow(ctx, `SELECT `+ticketCols+ticketFrom+`
		WHERE t.client_id = ANY($1) AND t.status NOT IN ('resolved', 'closed')
		ORDER BY t.created_at DESC, t.id DESC LIMIT 1`, clientIDs))
	if err == pgx.ErrNoRows {
		return t, crm.Errorf(crm.KindNotFound, "no open request")
	}
	return t, translate(err, "latest open ticket")
}
