package postgres

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/resource"
)

// Money per client (package crm/resource): transactions, campaigns and the
// profitability reports. Cost of goods comes from the shipment movements
// (quantity times the shipped lot's unit cost), so it is exact per lot;
// lots are costed in the currency the reports are asked for.

// AddTransaction records an income or an expense and sets its ID.
func (s *MoneyService) AddTransaction(ctx context.Context, t *resource.Transaction) error {
	t.Normalize()
	if t.At.IsZero() {
		t.At = s.db.now().UTC()
	}
	if err := t.Validate(); err != nil {
		return err
	}
	err := s.db.pool.QueryRow(ctx, `INSERT INTO money_transactions (at, direction, amount, currency, category, client_id, product_id,
			deal_id, ticket_id, campaign_id, note, user_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		t.At, t.Direction, t.Amount, t.Currency, t.Category, t.ClientID, t.ProductID, t.DealID, t.TicketID, t.CampaignID,
		t.Note, nullID(t.UserID)).Scan(&t.ID)
	return translateStock(err, "add transaction")
}

// ListTransactions lists transactions, newest first.
func (s *MoneyService) ListTransactions(ctx context.Context, f resource.TransactionFilter) ([]resource.Transaction, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	if f.To.IsZero() {
		f.To = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	rows, err := s.db.pool.Query(ctx, `SELECT id, at, direction, amount, currency, category, client_id, product_id, deal_id, ticket_id, campaign_id, note
		FROM money_transactions WHERE ($1 = 0 OR client_id = $1) AND at >= $2 AND at < $3 ORDER BY at DESC, id DESC LIMIT $4`,
		f.ClientID, f.From, f.To, f.Limit)
	if err != nil {
		return nil, translateStock(err, "list transactions")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.Transaction, error) {
		var t resource.Transaction
		return t, r.Scan(&t.ID, &t.At, &t.Direction, &t.Amount, &t.Currency, &t.Category, &t.ClientID, &t.ProductID,
			&t.DealID, &t.TicketID, &t.CampaignID, &t.Note)
	})
	return out, translateStock(err, "list transactions")
}

// CreateMarketingCampaign adds a marketing campaign and sets its ID.
func (s *MoneyService) CreateMarketingCampaign(ctx context.Context, c *resource.MarketingCampaign) error {
	if c.Name == "" || utf8.RuneCountInString(c.Name) > 200 {
		return crm.Invalid("name", "is required (at most 200 characters)")
	}
	err := s.db.pool.QueryRow(ctx, `INSERT INTO marketing_campaigns (name, channel) VALUES ($1, $2) RETURNING id`, c.Name, c.Channel).Scan(&c.ID)
	return translateStock(err, "create campaign")
}

// ListMarketingCampaigns lists marketing campaigns by name.
func (s *MoneyService) ListMarketingCampaigns(ctx context.Context) ([]resource.MarketingCampaign, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT id, name, channel FROM marketing_campaigns ORDER BY name`)
	if err != nil {
		return nil, translateStock(err, "list campaigns")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resource.MarketingCampaign, error) {
		var c resource.MarketingCampaign
		return c, r.Scan(&c.ID, &c.Name, &c.Channel)
	})
	return out, translateStock(err, "list campaigns")
}

// AddLead attributes a client to a campaign at a time; won marks the deal
// won at the same time (a later call with won sets won_at once).
func (s *MoneyService) AddLead(ctx context.Context, campaignID, clientID int64, at time.Time, won bool) error {
	if at.IsZero() {
		at = s.db.now().UTC()
	}
	var wonAt *time.Time
	if won {
		wonAt = &at
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO campaign_leads (campaign_id, client_id, acquired_at, won_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (campaign_id, client_id) DO UPDATE SET won_at = coalesce(campaign_leads.won_at, EXCLUDED.won_at)`,
		campaignID, clientID, at, wonAt)
	return translateStock(err, "add lead")
}

var _ resource.MoneyService = (*MoneyService)(nil)
