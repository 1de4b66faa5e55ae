package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"hotline/crm/resource"
)

// ClientProfitability is, per client with any activity in the period:
// income, cost of the goods shipped to them, expenses tied to them, and the
// profit, most profitable first.
func (s *MoneyService) ClientProfitability(ctx context.Context, p resource.Period) ([]resource.Profit, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return s.profitRows(ctx, `WITH money AS (
			SELECT client_id AS id,
				sum(amount) FILTER (WHERE direction = 'income') AS revenue,
				sum(amount) FILTER (WHERE direction = 'expense') AS expenses
			FROM money_transactions WHERE client_id IS NOT NULL AND at >= $1 AND at < $2 AND currency = $3 GROUP BY 1),
		goods AS (
			SELECT client_id AS id, sum(-qty::numeric * unit_cost) AS cogs, sum(-qty) AS units
			FROM stock_movements WHERE kind = 'shipment' AND client_id IS NOT NULL AND at >= $1 AND at < $2 GROUP BY 1)
		SELECT c.id, c.name, `+saturated("coalesce(m.revenue, 0)")+`, `+saturated("coalesce(g.cogs, 0)")+`,
			`+saturated("coalesce(m.expenses, 0)")+`, `+saturated("coalesce(g.units, 0)")+`
		FROM money m FULL JOIN goods g ON g.id = m.id JOIN clients c ON c.id = coalesce(m.id, g.id)`, p)
}

// ProductProfitability is, per product: income tied to it, the cost of its
// shipped lots, expenses tied to it, units shipped and profit.
func (s *MoneyService) ProductProfitability(ctx context.Context, p resource.Period) ([]resource.Profit, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return s.profitRows(ctx, `WITH money AS (
			SELECT product_id AS id,
				sum(amount) FILTER (WHERE direction = 'income') AS revenue,
				sum(amount) FILTER (WHERE direction = 'expense') AS expenses
			FROM money_transactions WHERE product_id IS NOT NULL AND at >= $1 AND at < $2 AND currency = $3 GROUP BY 1),
		goods AS (
			SELECT product_id AS id, sum(-qty::numeric * unit_cost) AS cogs, sum(-qty) AS units
			FROM stock_movements WHERE kind = 'shipment' AND at >= $1 AND at < $2 GROUP BY 1)
		SELECT p.id, p.sku || ' ' || p.name, `+saturated("coalesce(m.revenue, 0)")+`, `+saturated("coalesce(g.cogs, 0)")+`,
			`+saturated("coalesce(m.expenses, 0)")+`, `+saturated("coalesce(g.units, 0)")+`
		FROM money m FULL JOIN goods g ON g.id = m.id JOIN products p ON p.id = coalesce(m.id, g.id)`, p)
}

func (s *MoneyService) profitRows(ctx context.Context, q string, p resource.Period) ([]resource.Profit, error) {
	// Most profitable first: an ORDER BY of output column numbers in an
	// expression would sort by a constant, so name the columns.
	rows, err := s.db.pool.Query(ctx, `SELECT * FROM (`+q+`) r (id, name, revenue, cogs, expenses, units)
		ORDER BY revenue - cogs - expenses DESC, id`, p.From, p.To, p.Currency)
	if err != nil {
		return nil, translateStock(err, "profitability")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.Profit, error) {
		var x resource.Profit
		err := r.Scan(&x.ID, &x.Name, &x.Revenue, &x.COGS, &x.Expenses, &x.Units)
		x.Compute()
		return x, err
	})
	return out, translateStock(err, "profitability")
}

// CampaignEfficiency is, per campaign: spending in the period, leads
// acquired and deals won in it, and the income from its leads.
func (s *MoneyService) CampaignEfficiency(ctx context.Context, p resource.Period) ([]resource.CampaignEfficiency, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	rows, err := s.db.pool.Query(ctx, `SELECT c.id, c.name,
			`+saturated(`coalesce((SELECT sum(amount) FROM money_transactions t WHERE t.campaign_id = c.id AND t.direction = 'expense'
				AND t.at >= $1 AND t.at < $2 AND t.currency = $3), 0)`)+`,
			(SELECT count(*) FROM campaign_leads l WHERE l.campaign_id = c.id AND l.acquired_at >= $1 AND l.acquired_at < $2),
			(SELECT count(*) FROM campaign_leads l WHERE l.campaign_id = c.id AND l.won_at >= $1 AND l.won_at < $2),
			`+saturated(`coalesce((SELECT sum(t.amount) FROM money_transactions t JOIN campaign_leads l ON l.client_id = t.client_id AND l.campaign_id = c.id
				WHERE t.direction = 'income' AND t.at >= $1 AND t.at < $2 AND t.currency = $3), 0)`)+`
		FROM marketing_campaigns c ORDER BY c.name`, p.From, p.To, p.Currency)
	if err != nil {
		return nil, translateStock(err, "campaign efficiency")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.CampaignEfficiency, error) {
		var c resource.CampaignEfficiency
		err := r.Scan(&c.ID, &c.Name, &c.Spend, &c.Leads, &c.Won, &c.Revenue)
		c.Compute()
		return c, err
	})
	return out, translateStock(err, "campaign efficiency")
}

// ServiceCosts is the service spending of the period: expenses of category
// "service" or tied to a ticket, and the work (at each person's hourly
// rate) and materials logged on requests, per ticket and per client served.
func (s *MoneyService) ServiceCosts(ctx context.Context, p resource.Period) (resource.ServiceCost, error) {
	var c resource.ServiceCost
	if err := p.Validate(); err != nil {
		return c, err
	}
	// Besides expenses, the work and materials logged on requests in the
	// period (kept in roubles) count, in RUB reports, in kopecks.
	err := s.db.pool.QueryRow(ctx, `WITH spent AS (
			SELECT amount, ticket_id, client_id FROM money_transactions
			WHERE direction = 'expense' AND (category = 'service' OR ticket_id IS NOT NULL) AND at >= $1 AND at < $2 AND currency = $3
			UNION ALL
			SELECT round(w.minutes / 60.0 * `+userRate+` * 100)::bigint, w.ticket_id, t.client_id
			FROM ticket_work w JOIN users u ON u.id = w.user_id JOIN tickets t ON t.id = w.ticket_id
			WHERE $3 = 'RUB' AND w.at >= $1 AND w.at < $2
			UNION ALL
			SELECT round(m.amount * 100)::bigint, m.ticket_id, t.client_id
			FROM ticket_materials m JOIN tickets t ON t.id = m.ticket_id
			WHERE $3 = 'RUB' AND m.at >= $1 AND m.at < $2)
		SELECT `+saturated("coalesce(sum(amount), 0)")+`, `+saturated("coalesce(sum(amount) FILTER (WHERE ticket_id IS NOT NULL), 0)")+`,
			count(DISTINCT ticket_id), count(DISTINCT client_id)
		FROM spent`,
		p.From, p.To, p.Currency).Scan(&c.Total, &c.TicketCost, &c.Tickets, &c.Clients)
	c.Compute()
	return c, translateStock(err, "service costs")
}

// saturated is a numeric SQL expression (sums are numeric in PostgreSQL)
// clamped to ±2^61 and cast to bigint: a report never fails, nor does
// revenue - cost - expenses overflow int64, however large the stored
// amounts; real figures are many orders of magnitude below the clamp.
func saturated(expr string) string {
	return "LEAST(GREATEST((" + expr + ")::numeric, -2305843009213693952), 2305843009213693952)::bigint"
}
