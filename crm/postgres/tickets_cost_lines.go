package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/service"
)

// userRate is a user's hourly rate: their own, else their role's, else 0.
const userRate = `coalesce(u.hourly_rate, (SELECT r.rate_per_hour FROM role_rates r WHERE r.role = u.role), 0)`

// SetUserRate sets a user's own hourly rate in kopecks; nil goes back to
// the rate of the user's role.
func (s *TicketService) SetUserRate(ctx context.Context, userID int64, perHour *int64) error {
	if perHour != nil && (*perHour < 0 || *perHour > service.MaxHourlyRate) {
		return crm.Invalid("hourly_rate", "must be between 0 and 10 000 000")
	}
	tag, err := s.db.pool.Exec(ctx, `UPDATE users SET hourly_rate = $2::numeric / 100 WHERE id = $1`, userID, perHour)
	if err == nil && tag.RowsAffected() == 0 {
		return notFound("user", userID)
	}
	return translate(err, "set user rate")
}

// UserRate returns a user's own hourly rate (nil: the role's applies).
func (s *TicketService) UserRate(ctx context.Context, userID int64) (*int64, error) {
	var rate *int64
	err := s.db.pool.QueryRow(ctx, `SELECT round(hourly_rate * 100)::bigint FROM users WHERE id = $1`, userID).Scan(&rate)
	if err == pgx.ErrNoRows {
		return nil, notFound("user", userID)
	}
	return rate, translate(err, "user rate")
}

// TicketCost returns one ticket's logged work and materials with what
// they cost, and the cost of the talk time on its calls, in kopecks.
func (s *TicketService) TicketCost(ctx context.Context, ticketID int64) (service.TicketCost, error) {
	var c service.TicketCost
	rows, err := s.db.pool.Query(ctx, `SELECT w.id, w.user_id, coalesce(nullif(u.name, ''), u.login), w.minutes, w.note, w.at,
			round(`+userRate+` * 100)::bigint, round(w.minutes / 60.0 * `+userRate+` * 100)::bigint
		FROM ticket_work w JOIN users u ON u.id = w.user_id WHERE w.ticket_id = $1 ORDER BY w.at, w.id LIMIT 1000`, ticketID)
	if err != nil {
		return c, translate(err, "ticket work")
	}
	c.Work, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (service.WorkLine, error) {
		var w service.WorkLine
		err := r.Scan(&w.ID, &w.UserID, &w.UserName, &w.Minutes, &w.Note, &w.At, &w.Rate, &w.Cost)
		return w, err
	})
	if err != nil {
		return c, translate(err, "ticket work")
	}
	rows, err = s.db.pool.Query(ctx, `SELECT id, product_id, description, quantity::float8, round(unit_price * 100)::bigint, round(amount * 100)::bigint, at
		FROM ticket_materials WHERE ticket_id = $1 ORDER BY at, id LIMIT 1000`, ticketID)
	if err != nil {
		return c, translate(err, "ticket materials")
	}
	c.Materials, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (service.MaterialLine, error) {
		var m service.MaterialLine
		err := r.Scan(&m.ID, &m.ProductID, &m.Description, &m.Quantity, &m.UnitPrice, &m.Amount, &m.At)
		return m, err
	})
	if err != nil {
		return c, translate(err, "ticket materials")
	}
	err = s.db.pool.QueryRow(ctx, `SELECT coalesce(sum(ca.talk_seconds) / 3600, 0)::float8,
			coalesce(sum(round(ca.talk_seconds / 3600 * `+userRate+` * 100)), 0)::bigint
		FROM (SELECT DISTINCT linkedid FROM ticket_calls WHERE ticket_id = $1) l
		JOIN calls ca ON ca.linkedid = l.linkedid AND ca.merged_into IS NULL
		LEFT JOIN users u ON u.login = ca.agent`, ticketID).Scan(&c.CallHours, &c.CallCost)
	if err != nil {
		return c, translate(err, "ticket call cost")
	}
	for _, w := range c.Work {
		c.WorkCost += w.Cost
	}
	for _, m := range c.Materials {
		c.MaterialCost += m.Amount
	}
	c.Total = c.CallCost + c.WorkCost + c.MaterialCost
	return c, nil
}
