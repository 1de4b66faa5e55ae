package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/service"
)

// Service desk support conditions: SLA plans, clients' plans and teams.

const planCols = `id, name, time_zone, hours, holidays, targets, levels, is_default`

func scanPlan(r pgx.Row) (service.SLAPlan, error) {
	var p service.SLAPlan
	var hours, holidays, targets, levels []byte
	if err := r.Scan(&p.ID, &p.Name, &p.TimeZone, &hours, &holidays, &targets, &levels, &p.Default); err != nil {
		return p, err
	}
	for _, d := range []struct {
		b []byte
		v any
	}{{hours, &p.Hours}, {holidays, &p.Holidays}, {targets, &p.Targets}, {levels, &p.Levels}} {
		if err := json.Unmarshal(d.b, d.v); err != nil {
			return p, fmt.Errorf("sla plan %d: %w", p.ID, err)
		}
	}
	return p, nil
}

// GetSLAPlan returns a plan by id.
func (s *SLAService) GetSLAPlan(ctx context.Context, id int64) (service.SLAPlan, error) {
	p, err := scanPlan(s.db.pool.QueryRow(ctx, `SELECT `+planCols+` FROM sla_plans WHERE id = $1`, id))
	if err != nil {
		return p, translate(err, fmt.Sprintf("sla plan %d", id))
	}
	return p, nil
}

// ListSLAPlans returns every plan by name.
func (s *SLAService) ListSLAPlans(ctx context.Context) ([]service.SLAPlan, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+planCols+` FROM sla_plans ORDER BY name`)
	if err != nil {
		return nil, translate(err, "list sla plans")
	}
	defer rows.Close()
	var out []service.SLAPlan
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, translate(rows.Err(), "list sla plans")
}

// SaveSLAPlan creates the plan (ID 0) or replaces it. Making a plan the
// default takes the flag from the previous default; the default plan cannot
// give up the flag by itself, since tickets of clients and products without
// a plan need one.
func (s *SLAService) SaveSLAPlan(ctx context.Context, p *service.SLAPlan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.Holidays == nil {
		p.Holidays = []string{}
	}
	if p.Levels == nil {
		p.Levels = []service.Level{}
	}
	hours, _ := json.Marshal(p.Hours)
	holidays, _ := json.Marshal(p.Holidays)
	targets, _ := json.Marshal(p.Targets)
	levels, _ := json.Marshal(p.Levels)
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if !p.Default && p.ID != 0 {
			var wasDefault bool
			err := tx.QueryRow(ctx, `SELECT is_default FROM sla_plans WHERE id = $1 FOR UPDATE`, p.ID).Scan(&wasDefault)
			if err != nil && err != pgx.ErrNoRows {
				return translate(err, "save sla plan")
			}
			if wasDefault {
				return crm.Invalid("default", "one plan must be the default: make another plan the default instead")
			}
		}
		if p.Default {
			if _, err := tx.Exec(ctx, `UPDATE sla_plans SET is_default = false WHERE is_default AND id <> $1`, p.ID); err != nil {
				return translate(err, "save sla plan")
			}
		}
		if p.ID == 0 {
			err := tx.QueryRow(ctx, `INSERT INTO sla_plans (name, time_zone, hours, holidays, targets, levels, is_default)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
				p.Name, p.TimeZone, hours, holidays, targets, levels, p.Default).Scan(&p.ID)
			return translate(err, "create sla plan")
		}
		tag, err := tx.Exec(ctx, `UPDATE sla_plans SET name = $2, time_zone = $3, hours = $4, holidays = $5,
			targets = $6, levels = $7, is_default = $8 WHERE id = $1`,
			p.ID, p.Name, p.TimeZone, hours, holidays, targets, levels, p.Default)
		if err != nil {
			return translate(err, "update sla plan")
		}
		if tag.RowsAffected() == 0 {
			return notFound("sla plan", p.ID)
		}
		return nil
	})
}

// SLAPlanUsage returns, per plan ID, the products whose support terms name
// the plan (by name) and the number of its open tickets. Plans nothing uses
// are absent.
func (s *SLAService) SLAPlanUsage(ctx context.Context) (map[int64]service.PlanUsage, error) {
	out := map[int64]service.PlanUsage{}
	rows, err := s.db.pool.Query(ctx, `SELECT support_plan_id, id, sku, name FROM products
		WHERE support_plan_id IS NOT NULL ORDER BY name, id`)
	if err != nil {
		return nil, translate(err, "sla plan products")
	}
	for rows.Next() {
		var plan int64
		var p service.PlanProduct
		if err := rows.Scan(&plan, &p.ID, &p.SKU, &p.Name); err != nil {
			rows.Close()
			return nil, translate(err, "sla plan products")
		}
		u := out[plan]
		u.Products = append(u.Products, p)
		out[plan] = u
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "sla plan products")
	}
	rows, err = s.db.pool.Query(ctx, `SELECT plan_id, count(*) FROM tickets
		WHERE plan_id IS NOT NULL AND status NOT IN ('resolved', 'closed') GROUP BY plan_id`)
	if err != nil {
		return nil, translate(err, "sla plan tickets")
	}
	defer rows.Close()
	for rows.Next() {
		var plan int64
		var n int
		if err := rows.Scan(&plan, &n); err != nil {
			return nil, translate(err, "sla plan tickets")
		}
		u := out[plan]
		u.OpenTickets = n
		out[plan] = u
	}
	return out, translate(rows.Err(), "sla plan tickets")
}

// SetClientSLAPlan attaches a plan to a client (planID 0 detaches it).
func (s *SLAService) SetClientSLAPlan(ctx context.Context, clientID, planID int64) error {
	var err error
	if planID == 0 {
		_, err = s.db.pool.Exec(ctx, `DELETE FROM client_sla_plans WHERE client_id = $1`, clientID)
	} else {
		_, err = s.db.pool.Exec(ctx, `INSERT INTO client_sla_plans (client_id, plan_id) VALUES ($1, $2)
			ON CONFLICT (client_id) DO UPDATE SET plan_id = EXCLUDED.plan_id`, clientID, planID)
	}
	if err := translate(err, "set client sla plan"); err != nil {
		return crm.Invalid("plan_id", "client or plan not found")
	}
	return nil
}

// planForSQL reads a new ticket's plan: its own ($1), the client's ($2),
// else the default. planOfTicketSQL reads a stored ticket's.
const planForSQL = `SELECT ` + planCols + ` FROM sla_plans
	WHERE id = coalesce($1, (SELECT plan_id FROM client_sla_plans WHERE client_id = $2))
	   OR ($1 IS NULL AND is_default AND NOT EXISTS (SELECT 1 FROM client_sla_plans WHERE client_id = $2))
	LIMIT 1`
