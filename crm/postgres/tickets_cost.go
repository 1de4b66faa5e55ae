package postgres

import (
	"context"
	"time"

	"hotline/crm"
	"hotline/crm/service"
)

// Service cost: time per ticket (talk time of linked calls and logged work)
// times the hourly rate of who spent it (their own, else their role's),
// plus materials. Amounts are kopecks in Go and roubles (numeric) in the
// tables, which the money reports read too: the SQL converts.

// SetRoleRate sets the hourly rate of a role, in kopecks.
func (s *TicketService) SetRoleRate(ctx context.Context, role crm.Role, perHour int64) error {
	if !role.Valid() {
		return crm.Invalid("role", "must be agent, supervisor or admin")
	}
	if perHour < 0 || perHour > service.MaxHourlyRate {
		return crm.Invalid("rate_per_hour", "must be between 0 and 10 000 000")
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO role_rates (role, rate_per_hour) VALUES ($1, $2::numeric / 100)
		ON CONFLICT (role) DO UPDATE SET rate_per_hour = EXCLUDED.rate_per_hour`, role, perHour)
	return translate(err, "set role rate")
}

// LogWork records time spent on a ticket.
func (s *TicketService) LogWork(ctx context.Context, w service.Work) error {
	if err := w.Validate(); err != nil {
		return err
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO ticket_work (ticket_id, user_id, minutes, note, at) VALUES ($1, $2, $3, $4, $5)`,
		w.TicketID, w.UserID, w.Minutes, w.Note, s.db.now())
	return ticketRefError(err, "log work")
}

// AddMaterial charges a material to a ticket.
func (s *TicketService) AddMaterial(ctx context.Context, m service.Material) error {
	if err := m.Validate(); err != nil {
		return err
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO ticket_materials (ticket_id, product_id, description, amount, quantity, unit_price, at)
		VALUES ($1, $2, $3, $4::numeric / 100, $5, $6::numeric / 100, $7)`,
		m.TicketID, m.ProductID, m.Description, m.Amount, m.Quantity, m.UnitPrice, s.db.now())
	return ticketRefError(err, "add material")
}

func ticketRefError(err error, op string) error {
	if err == nil {
		return nil
	}
	e := translate(err, op)
	if crm.IsKind(e, crm.KindInvalid) {
		return crm.Invalid("ticket_id", "is not a known ticket")
	}
	return e
}

// ServiceCost sums what a client's tickets created in [from, to) cost;
// productID > 0 narrows to the tickets about that product. Each call, piece
// of work and material counts to the kopeck, as in the money reports.
func (s *TicketService) ServiceCost(ctx context.Context, clientID, productID int64, from, to time.Time) (service.Cost, error) {
	var c service.Cost
	err := s.db.pool.QueryRow(ctx, `WITH t AS (
			SELECT id FROM tickets WHERE client_id = $1 AND ($2 = 0 OR product_id = $2) AND created_at >= $3 AND created_at < $4),
		rate AS (SELECT r.role, r.rate_per_hour FROM role_rates r),
		calls_time AS (
			SELECT coalesce(sum(ca.talk_seconds) / 3600, 0) AS hours,
			       coalesce(sum(round(ca.talk_seconds / 3600 * coalesce(u.hourly_rate, (SELECT rate_per_hour FROM rate WHERE role = coalesce(u.role, 'agent')), 0) * 100)), 0) AS cost
			FROM (SELECT DISTINCT tc.linkedid FROM ticket_calls tc JOIN t ON t.id = tc.ticket_id) l
			JOIN calls ca ON ca.linkedid = l.linkedid AND ca.merged_into IS NULL
			LEFT JOIN users u ON u.login = ca.agent),
		work AS (
			SELECT coalesce(sum(w.minutes) / 60.0, 0) AS hours,
			       coalesce(sum(round(w.minutes / 60.0 * coalesce(u.hourly_rate, (SELECT rate_per_hour FROM rate WHERE role = u.role), 0) * 100)), 0) AS cost
			FROM ticket_work w JOIN t ON t.id = w.ticket_id JOIN users u ON u.id = w.user_id),
		mat AS (SELECT coalesce(sum(round(m.amount * 100)), 0) AS amount FROM ticket_materials m JOIN t ON t.id = m.ticket_id)
		SELECT (SELECT count(*) FROM t), calls_time.hours::float8, work.hours::float8,
		       (calls_time.cost + work.cost)::bigint, mat.amount::bigint
		FROM calls_time, work, mat`, clientID, productID, from, to).
		Scan(&c.Tickets, &c.CallHours, &c.WorkHours, &c.Labor, &c.Materials)
	if err != nil {
		return c, translate(err, "service cost")
	}
	c.Total = c.Labor + c.Materials
	return c, nil
}
