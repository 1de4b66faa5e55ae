package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// TicketProject is the project a request names (nil: none).
func (s *TicketService) TicketProject(ctx context.Context, ticketID int64) (*resource.Project, error) {
	var p resource.Project
	err := s.db.pool.QueryRow(ctx, `SELECT p.id, p.name, p.client_id, p.deal_id, p.start_at FROM tickets t JOIN projects p ON p.id = t.project_id
		WHERE t.id = $1`, ticketID).Scan(&p.ID, &p.Name, &p.ClientID, &p.DealID, &p.Start)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err, "ticket project")
	}
	return &p, nil
}

// SetTicketProject makes a request name a project of its client (or one
// without a client); nil clears it.
func (s *TicketService) SetTicketProject(ctx context.Context, ticketID int64, projectID *int64) error {
	tag, err := s.db.pool.Exec(ctx, `UPDATE tickets t SET project_id = $2 WHERE t.id = $1
		AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM projects p WHERE p.id = $2 AND (p.client_id IS NULL OR p.client_id = t.client_id)))`,
		ticketID, projectID)
	if err != nil {
		return translate(err, "set ticket project")
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	if _, err := s.GetTicket(ctx, ticketID); err != nil {
		return err
	}
	return crm.Invalid("project_id", "choose a project of the request's client")
}

// ProjectTickets lists the requests naming a project, newest first (at
// most 200); callers show only those the reader may see.
func (s *TicketService) ProjectTickets(ctx context.Context, projectID int64) ([]service.Ticket, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT id FROM tickets WHERE project_id = $1 ORDER BY id DESC LIMIT 200`, projectID)
	if err != nil {
		return nil, translate(err, "project tickets")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, translate(err, "project tickets")
	}
	out := make([]service.Ticket, 0, len(ids))
	for _, id := range ids {
		t, err := s.GetTicket(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
