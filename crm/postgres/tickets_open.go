package postgres

import (
	"context"

	"hotline/crm/service"
)

// OpenTicketsOf returns the requests of the clients that are not resolved
// or closed, newest first, at most limit (1-100): what the status line
// reads out.
func (s *TicketService) OpenTicketsOf(ctx context.Context, clientIDs []int64, limit int) ([]service.Ticket, error) {
	limit = min(max(limit, 1), 100)
	rows, err := s.db.pool.Query(ctx, `SELECT `+ticketCols+ticketFrom+`
		WHERE t.client_id = ANY($1) AND t.status NOT IN ('resolved', 'closed')
		ORDER BY t.created_at DESC, t.id DESC LIMIT $2`, clientIDs, limit)
	if err != nil {
		return nil, translate(err, "open tickets")
	}
	defer rows.Close()
	var out []service.Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, translate(err, "open tickets")
		}
		out = append(out, t)
	}
	return out, translate(rows.Err(), "open tickets")
}
