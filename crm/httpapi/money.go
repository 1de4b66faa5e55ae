package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/resource"
)

// MoneyStore is what the money operations need (crm/postgres.Store).
type MoneyStore interface {
	AddTransaction(ctx context.Context, t *resource.Transaction) error
	ListTransactions(ctx context.Context, f resource.TransactionFilter) ([]resource.Transaction, error)
	CreateMarketingCampaign(ctx context.Context, c *resource.MarketingCampaign) error
	ListMarketingCampaigns(ctx context.Context) ([]resource.MarketingCampaign, error)
	AddLead(ctx context.Context, campaignID, clientID int64, at time.Time, won bool) error
	ClientProfitability(ctx context.Context, p resource.Period) ([]resource.Profit, error)
	ProductProfitability(ctx context.Context, p resource.Period) ([]resource.Profit, error)
	CampaignEfficiency(ctx context.Context, p resource.Period) ([]resource.CampaignEfficiency, error)
	ServiceCosts(ctx context.Context, p resource.Period) (resource.ServiceCost, error)
}

type moneyAPI struct {
	*resourceAPI
	store MoneyStore
}

// RegisterMoney adds transactions, marketing campaigns and the money
// reports (JSON and CSV), all for supervisors and admins.
func RegisterMoney(api huma.API, store MoneyStore, deps ResourceDeps) {
	m := &moneyAPI{resourceAPI: newResourceAPI(deps), store: store}
	m.registerTransactions(api)
	m.registerReports(api)
}

type transactionInput struct {
	Body struct {
		At         time.Time `json:"at,omitzero" doc:"default now"`
		Direction  string    `json:"direction" enum:"income,expense"`
		Amount     int64     `json:"amount" minimum:"1" doc:"minor units"`
		Currency   string    `json:"currency,omitempty" doc:"ISO 4217, default RUB"`
		Category   string    `json:"category" minLength:"1" maxLength:"32" doc:"sale, service, marketing, delivery..."`
		ClientID   *int64    `json:"client_id,omitempty"`
		ProductID  *int64    `json:"product_id,omitempty"`
		DealID     *int64    `json:"deal_id,omitempty"`
		TicketID   *int64    `json:"ticket_id,omitempty"`
		CampaignID *int64    `json:"campaign_id,omitempty"`
		Note       string    `json:"note,omitempty" maxLength:"500"`
	}
}

type transactionOutput struct{ Body resource.Transaction }

type transactionsInput struct {
	ClientID int64     `query:"client_id" minimum:"0"`
	From     time.Time `query:"from"`
	To       time.Time `query:"to"`
}

type transactionsOutput struct {
	Body struct {
		Transactions []resource.Transaction `json:"transactions"`
	}
}

type mktCampaignInput struct {
	Body struct {
		Name    string `json:"name" minLength:"1" maxLength:"200"`
		Channel string `json:"channel,omitempty" maxLength:"64"`
	}
}

type mktCampaignOutput struct{ Body resource.MarketingCampaign }

type mktCampaignsOutput struct {
	Body struct {
		Campaigns []resource.MarketingCampaign `json:"campaigns"`
	}
}

type leadInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		ClientID int64     `json:"client_id" minimum:"1"`
		At       time.Time `json:"at,omitzero"`
		Won      bool      `json:"won,omitempty"`
	}
}

func (m *moneyAPI) registerTransactions(api huma.API) {
	tags := []string{"money"}
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "add-transaction", Method: http.MethodPost, Path: "/api/v1/transactions",
		Tags: tags, Summary: "Record an income or an expense", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *transactionInput) (*transactionOutput, error) {
			b := in.Body
			t := resource.Transaction{At: b.At, Direction: resource.Direction(b.Direction), Amount: b.Amount, Currency: b.Currency,
				Category: b.Category, ClientID: b.ClientID, ProductID: b.ProductID, DealID: b.DealID, TicketID: b.TicketID,
				CampaignID: b.CampaignID, Note: b.Note, UserID: userID(ctx)}
			if err := m.store.AddTransaction(ctx, &t); err != nil {
				return nil, m.problem(ctx, err)
			}
			return &transactionOutput{Body: t}, nil
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "list-transactions", Method: http.MethodGet, Path: "/api/v1/transactions",
		Tags: tags, Summary: "Transactions, newest first"}, func(ctx context.Context, in *transactionsInput) (*transactionsOutput, error) {
		list, err := m.store.ListTransactions(ctx, resource.TransactionFilter{ClientID: in.ClientID, From: in.From, To: in.To})
		if err != nil {
			return nil, m.problem(ctx, err)
		}
		out := &transactionsOutput{}
		out.Body.Transactions = list
		return out, nil
	})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "create-marketing-campaign", Method: http.MethodPost,
		Path: "/api/v1/marketing-campaigns", Tags: tags, Summary: "Add a marketing campaign", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *mktCampaignInput) (*mktCampaignOutput, error) {
			c := resource.MarketingCampaign{Name: in.Body.Name, Channel: in.Body.Channel}
			if err := m.store.CreateMarketingCampaign(ctx, &c); err != nil {
				return nil, m.problem(ctx, err)
			}
			return &mktCampaignOutput{Body: c}, nil
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "list-marketing-campaigns", Method: http.MethodGet,
		Path: "/api/v1/marketing-campaigns", Tags: tags, Summary: "Marketing campaigns"},
		func(ctx context.Context, _ *struct{}) (*mktCampaignsOutput, error) {
			list, err := m.store.ListMarketingCampaigns(ctx)
			if err != nil {
				return nil, m.problem(ctx, err)
			}
			out := &mktCampaignsOutput{}
			out.Body.Campaigns = list
			return out, nil
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "add-campaign-lead", Method: http.MethodPost,
		Path: "/api/v1/marketing-campaigns/{id}/leads", Tags: tags, Summary: "Attribute a client to a campaign (won: the deal was won)"},
		func(ctx context.Context, in *leadInput) (*struct{}, error) {
			if err := m.store.AddLead(ctx, in.ID, in.Body.ClientID, in.Body.At, in.Body.Won); err != nil {
				return nil, m.problem(ctx, err)
			}
			return &struct{}{}, nil
		})
}
