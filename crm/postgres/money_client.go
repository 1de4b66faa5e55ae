package postgres

import (
	"context"

	"hotline/crm/resource"
)

// ClientProfit is one client's figures over a period: income and expenses
// in the period's currency tied to the client, the cost of the goods
// shipped to them, and the profit. A client without activity gets zeros.
func (s *MoneyService) ClientProfit(ctx context.Context, clientID int64, p resource.Period) (resource.Profit, error) {
	if err := p.Validate(); err != nil {
		return resource.Profit{}, err
	}
	x := resource.Profit{ID: clientID}
	err := s.db.pool.QueryRow(ctx, `SELECT c.name,
			coalesce((SELECT sum(amount) FROM money_transactions WHERE client_id = c.id AND direction = 'income' AND at >= $2 AND at < $3 AND currency = $4), 0),
			coalesce((SELECT sum(-qty * unit_cost) FROM stock_movements WHERE client_id = c.id AND kind = 'shipment' AND at >= $2 AND at < $3), 0),
			coalesce((SELECT sum(amount) FROM money_transactions WHERE client_id = c.id AND direction = 'expense' AND at >= $2 AND at < $3 AND currency = $4), 0),
			coalesce((SELECT sum(-qty) FROM stock_movements WHERE client_id = c.id AND kind = 'shipment' AND at >= $2 AND at < $3), 0)
		FROM clients c WHERE c.id = $1`, clientID, p.From, p.To, p.Currency).Scan(&x.Name, &x.Revenue, &x.COGS, &x.Expenses, &x.Units)
	if err != nil {
		return x, translateStock(err, "client profit")
	}
	x.Compute()
	return x, nil
}
