package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/resource"
)

// MoneyDeps are what RegisterMoney needs.
type MoneyDeps struct {
	Money  resource.MoneyService
	Logger *slog.Logger
}

// moneyHandlers serve transactions, marketing campaigns and the money reports.
type moneyHandlers struct {
	resourceProblems
	money resource.MoneyService
}

// RegisterMoney adds transactions, marketing campaigns and the money
// reports (JSON and CSV), all for supervisors and admins.
func RegisterMoney(api *Server, deps MoneyDeps) {
	h := moneyHandlers{resourceProblems: newResourceProblems(deps.Logger), money: deps.Money}
	a := api.API()
	Register(a, SupervisorOrAdmin, answersCreated(moneyOp("add-transaction", http.MethodPost, "/api/v1/transactions", "Record an income or an expense")), h.addTransaction)
	Register(a, SupervisorOrAdmin, moneyOp("list-transactions", http.MethodGet, "/api/v1/transactions", "Transactions, newest first"), h.listTransactions)
	Register(a, SupervisorOrAdmin, answersCreated(moneyOp("create-marketing-campaign", http.MethodPost, "/api/v1/marketing-campaigns", "Add a marketing campaign")), h.createCampaign)
	Register(a, SupervisorOrAdmin, moneyOp("list-marketing-campaigns", http.MethodGet, "/api/v1/marketing-campaigns", "Marketing campaigns"), h.listCampaigns)
	Register(a, SupervisorOrAdmin, moneyOp("add-campaign-lead", http.MethodPost, "/api/v1/marketing-campaigns/{id}/leads", "Attribute a client to a campaign (won: the deal was won)"), h.addLead)
	h.registerReports(a)
}

// moneyOp is an operation of the "money" group.
func moneyOp(id, method, path, summary string) huma.Operation {
	return huma.Operation{OperationID: id, Method: method, Path: path, Tags: []string{"money"}, Summary: summary}
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

func (h moneyHandlers) addTransaction(ctx context.Context, in *transactionInput) (*transactionOutput, error) {
	b := in.Body
	t := resource.Transaction{At: b.At, Direction: resource.Direction(b.Direction), Amount: b.Amount, Currency: b.Currency,
		Category: b.Category, ClientID: b.ClientID, ProductID: b.ProductID, DealID: b.DealID, TicketID: b.TicketID,
		CampaignID: b.CampaignID, Note: b.Note, UserID: userID(ctx)}
	if err := h.money.AddTransaction(ctx, &t); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &transactionOutput{Body: t}, nil
}

func (h moneyHandlers) listTransactions(ctx context.Context, in *transactionsInput) (*transactionsOutput, error) {
	list, err := h.money.ListTransactions(ctx, resource.TransactionFilter{ClientID: in.ClientID, From: in.From, To: in.To})
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &transactionsOutput{}
	out.Body.Transactions = list
	return out, nil
}

func (h moneyHandlers) createCampaign(ctx context.Context, in *mktCampaignInput) (*mktCampaignOutput, error) {
	c := resource.MarketingCampaign{Name: in.Body.Name, Channel: in.Body.Channel}
	if err := h.money.CreateMarketingCampaign(ctx, &c); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &mktCampaignOutput{Body: c}, nil
}

func (h moneyHandlers) listCampaigns(ctx context.Context, _ *struct{}) (*mktCampaignsOutput, error) {
	list, err := h.money.ListMarketingCampaigns(ctx)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &mktCampaignsOutput{}
	out.Body.Campaigns = list
	return out, nil
}

func (h moneyHandlers) addLead(ctx context.Context, in *leadInput) (*struct{}, error) {
	if err := h.money.AddLead(ctx, in.ID, in.Body.ClientID, in.Body.At, in.Body.Won); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &struct{}{}, nil
}
