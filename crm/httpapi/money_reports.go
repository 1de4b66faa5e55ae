package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/resource"
)

type moneyPeriodInput struct {
	From     string `query:"from" required:"true" pattern:"^\\d{4}-\\d{2}-\\d{2}$" doc:"first day, YYYY-MM-DD"`
	To       string `query:"to" required:"true" pattern:"^\\d{4}-\\d{2}-\\d{2}$" doc:"last day (included), YYYY-MM-DD"`
	Currency string `query:"currency" default:"RUB" pattern:"^[A-Z]{3}$"`
}

func (p moneyPeriodInput) period() (resource.Period, error) {
	from, err := time.Parse(time.DateOnly, p.From)
	if err != nil {
		return resource.Period{}, huma.Error422UnprocessableEntity("from: want YYYY-MM-DD")
	}
	to, err := time.Parse(time.DateOnly, p.To)
	if err != nil {
		return resource.Period{}, huma.Error422UnprocessableEntity("to: want YYYY-MM-DD")
	}
	cur := p.Currency
	if cur == "" {
		cur = "RUB"
	}
	return resource.Period{From: from, To: to.AddDate(0, 0, 1), Currency: cur}, nil
}

type profitOutput struct {
	Body struct {
		Rows []resource.Profit `json:"rows"`
	}
}

type campaignReportOutput struct {
	Body struct {
		Rows []resource.CampaignEfficiency `json:"rows"`
	}
}

type serviceCostOutput struct{ Body resource.ServiceCost }

type moneyCSVOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func csvOut(name string, body []byte, err error) (*moneyCSVOutput, error) {
	if err != nil {
		return nil, err
	}
	return &moneyCSVOutput{ContentType: "text/csv; charset=utf-8", ContentDisposition: `attachment; filename="` + name + `.csv"`, Body: body}, nil
}

// registerReports adds the money reports, each as JSON and as CSV.
func (h moneyHandlers) registerReports(a huma.API) {
	csv := func(op huma.Operation) huma.Operation {
		op.Responses = map[string]*huma.Response{"200": {Description: "CSV", Content: map[string]*huma.MediaType{"text/csv": {}}}}
		return op
	}
	get := func(id, path, summary string) huma.Operation { return moneyOp(id, http.MethodGet, path, summary) }
	Register(a, SupervisorOrAdmin, get("report-client-profit", "/api/v1/reports/profit/clients",
		"Profitability per client: revenue - cost of goods shipped - expenses"), h.clientProfit)
	Register(a, SupervisorOrAdmin, csv(get("export-client-profit", "/api/v1/reports/profit/clients.csv", "Profitability per client as CSV")), h.clientProfitCSV)
	Register(a, SupervisorOrAdmin, get("report-product-profit", "/api/v1/reports/profit/products",
		"Profitability per product: revenue - cost of goods shipped - expenses"), h.productProfit)
	Register(a, SupervisorOrAdmin, csv(get("export-product-profit", "/api/v1/reports/profit/products.csv", "Profitability per product as CSV")), h.productProfitCSV)
	Register(a, SupervisorOrAdmin, get("report-marketing", "/api/v1/reports/marketing",
		"Marketing efficiency per campaign: cost per lead and per won deal, return"), h.marketing)
	Register(a, SupervisorOrAdmin, csv(get("export-marketing", "/api/v1/reports/marketing.csv", "Marketing efficiency as CSV")), h.marketingCSV)
	Register(a, SupervisorOrAdmin, get("report-service-costs", "/api/v1/reports/service-costs", "Service spending per ticket and per client"), h.serviceCosts)
}

func (h moneyHandlers) clientProfit(ctx context.Context, in *moneyPeriodInput) (*profitOutput, error) {
	return h.profitJSON(ctx, in, h.money.ClientProfitability)
}

func (h moneyHandlers) productProfit(ctx context.Context, in *moneyPeriodInput) (*profitOutput, error) {
	return h.profitJSON(ctx, in, h.money.ProductProfitability)
}

func (h moneyHandlers) clientProfitCSV(ctx context.Context, in *moneyPeriodInput) (*moneyCSVOutput, error) {
	return h.profitCSV(ctx, in, "client", h.money.ClientProfitability)
}

func (h moneyHandlers) productProfitCSV(ctx context.Context, in *moneyPeriodInput) (*moneyCSVOutput, error) {
	return h.profitCSV(ctx, in, "product", h.money.ProductProfitability)
}

func (h moneyHandlers) marketing(ctx context.Context, in *moneyPeriodInput) (*campaignReportOutput, error) {
	rows, err := h.campaigns(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &campaignReportOutput{}
	out.Body.Rows = rows
	return out, nil
}

func (h moneyHandlers) marketingCSV(ctx context.Context, in *moneyPeriodInput) (*moneyCSVOutput, error) {
	rows, err := h.campaigns(ctx, in)
	if err != nil {
		return nil, err
	}
	body, err := resource.CampaignCSV(rows)
	return csvOut("marketing", body, err)
}

func (h moneyHandlers) serviceCosts(ctx context.Context, in *moneyPeriodInput) (*serviceCostOutput, error) {
	p, err := in.period()
	if err != nil {
		return nil, err
	}
	c, err := h.money.ServiceCosts(ctx, p)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &serviceCostOutput{Body: c}, nil
}

type profitReport func(context.Context, resource.Period) ([]resource.Profit, error)

func (h moneyHandlers) profitJSON(ctx context.Context, in *moneyPeriodInput, fn profitReport) (*profitOutput, error) {
	rows, err := h.profits(ctx, in, fn)
	if err != nil {
		return nil, err
	}
	out := &profitOutput{}
	out.Body.Rows = rows
	return out, nil
}

func (h moneyHandlers) profitCSV(ctx context.Context, in *moneyPeriodInput, kind string, fn profitReport) (*moneyCSVOutput, error) {
	rows, err := h.profits(ctx, in, fn)
	if err != nil {
		return nil, err
	}
	body, err := resource.ProfitCSV(kind, rows)
	return csvOut(kind+"-profit", body, err)
}

func (h moneyHandlers) profits(ctx context.Context, in *moneyPeriodInput, fn profitReport) ([]resource.Profit, error) {
	p, err := in.period()
	if err != nil {
		return nil, err
	}
	rows, err := fn(ctx, p)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return rows, nil
}

func (h moneyHandlers) campaigns(ctx context.Context, in *moneyPeriodInput) ([]resource.CampaignEfficiency, error) {
	p, err := in.period()
	if err != nil {
		return nil, err
	}
	rows, err := h.money.CampaignEfficiency(ctx, p)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return rows, nil
}
