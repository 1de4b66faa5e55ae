package postgres

import (
	"context"
)

// Agents act only on the records they may see: their own deals, the
// tickets of their teams or assigned to or created by them (as
// CanSeeTicket), and the reservations they made or that are for such a
// deal or ticket. The predicates below take the agent's user id as $1 and
// the record's id as $2; supervisors and admins are not restricted (the
// callers pass agentID 0 for them, which only checks that the record
// exists).

const dealOfAgent = `SELECT 1 FROM deals d WHERE d.id = $2 AND ($1 = 0 OR d.owner_id = $1)`

const ticketOfAgent = `SELECT 1 FROM tickets t WHERE t.id = $2 AND ($1 = 0 OR t.assignee_id = $1 OR t.created_by = $1
	OR t.team_id IN (SELECT team_id FROM team_members WHERE user_id = $1))`

// reservationOfAgent is the predicate on a reservation row r.
const reservationOfAgent = `($1 = 0 OR r.user_id = $1
	OR r.deal_id IN (SELECT d.id FROM deals d WHERE d.owner_id = $1)
	OR r.ticket_id IN (SELECT t.id FROM tickets t WHERE t.assignee_id = $1 OR t.created_by = $1
		OR t.team_id IN (SELECT team_id FROM team_members WHERE user_id = $1)))`

// ticketSeenBy is whether user row u may see ticket row t (VisibleTickets).
const ticketSeenBy = `(u.role <> 'agent' OR t.assignee_id = u.id OR t.created_by = u.id
	OR t.team_id IN (SELECT team_id FROM team_members WHERE user_id = u.id))`

// DealVisibleTo reports whether the deal exists and the agent agentID may
// act on it (agentID 0: whether it exists).
func (s *DB) DealVisibleTo(ctx context.Context, dealID, agentID int64) (bool, error) {
	return s.exists(ctx, dealOfAgent, agentID, dealID, "deal visibility")
}

// TicketVisibleTo reports whether the ticket exists and the agent agentID
// may see it (agentID 0: whether it exists).
func (s *DB) TicketVisibleTo(ctx context.Context, ticketID, agentID int64) (bool, error) {
	return s.exists(ctx, ticketOfAgent, agentID, ticketID, "ticket visibility")
}

// ReservationVisibleTo reports whether the reservation exists and the agent
// agentID may act on it (agentID 0: whether it exists).
func (s *DB) ReservationVisibleTo(ctx context.Context, id, agentID int64) (bool, error) {
	return s.exists(ctx, `SELECT 1 FROM reservations r WHERE r.id = $2 AND `+reservationOfAgent, agentID, id, "reservation visibility")
}

func (s *DB) exists(ctx context.Context, query string, agentID, id int64, what string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (`+query+`)`, agentID, id).Scan(&ok)
	return ok, translate(err, what)
}

// VisibleTickets reports which of ids the user with login may see (the
// service desk's rules: supervisors and admins all, agents their teams',
// assigned to or created by them). An unknown login sees none.
func (s *DB) VisibleTickets(ctx context.Context, login string, ids []int64) (map[int64]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT t.id FROM tickets t, users u
		WHERE t.id = ANY($1) AND u.login = $2 AND `+ticketSeenBy, ids, login)
	if err != nil {
		return nil, translate(err, "visible tickets")
	}
	defer rows.Close()
	out := make(map[int64]bool, len(ids))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err, "visible tickets")
		}
		out[id] = true
	}
	return out, translate(rows.Err(), "visible tickets")
}
