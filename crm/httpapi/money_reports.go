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

func (m *moneyAPI) registerReports(api huma.API) {
	tags := []string{"money"}
	csvResp := map[string]*huma.Response{"200": {Description: "CSV", Content: map[string]*huma.MediaType{"text/csv": {}}}}
	profits := map[string]func(context.Context, resource.Period) ([]resource.Profit, error){
		"client": m.store.ClientProfitability, "product": m.store.ProductProfitability,
	}
	for kind, fn := range profits {
		path := "/api/v1/reports/profit/" + kind + "s"
		Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "report-" + kind + "-profit", Method: http.MethodGet, Path: path,
			Tags: tags, Summary: "Profitability per " + kind + ": revenue - cost of goods shipped - expenses"},
			func(ctx context.Context, in *moneyPeriodInput) (*profitOutput, error) {
				rows, err := m.profits(ctx, in, fn)
				if err != nil {
					return nil, err
				}
				out := &profitOutput{}
				out.Body.Rows = rows
				return out, nil
			})
		Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "export-" + kind + "-profit", Method: http.MethodGet, Path: path + ".csv",
			Tags: tags, Summary: "Profitability per " + kind + " as CSV", Responses: csvResp},
			func(ctx context.Context, in *moneyPeriodInput) (*moneyCSVOutput, error) {
				rows, err := m.profits(ctx, in, fn)
				if err != nil {
					return nil, err
				}
				body, err := resource.ProfitCSV(kind, rows)
				return csvOut(kind+"-profit", body, err)
			})
	}
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "report-marketing", Method: http.MethodGet, Path: "/api/v1/reports/marketing",
		Tags: tags, Summary: "Marketing efficiency per campaign: cost per lead and per won deal, return"},
		func(ctx context.Context, in *moneyPeriodInput) (*campaignReportOutput, error) {
			rows, err := m.campaigns(ctx, in)
			if err != nil {
				return nil, err
			}
			out := &campaignReportOutput{}
			out.Body.Rows = rows
			return out, nil
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "export-marketing", Method: http.MethodGet, Path: "/api/v1/reports/marketing.csv",
		Tags: tags, Summary: "Marketing efficiency as CSV", Responses: csvResp},
		func(ctx context.Context, in *moneyPeriodInput) (*moneyCSVOutput, error) {
			rows, err := m.campaigns(ctx, in)
			if err != nil {
				return nil, err
			}
			body, err := resource.CampaignCSV(rows)
			return csvOut("marketing", body, err)
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "report-service-costs", Method: http.MethodGet, Path: "/api/v1/reports/service-costs",
		Tags: tags, Summary: "Service spending per ticket and per client"},
		func(ctx context.Context, in *moneyPeriodInput) (*serviceCostOutput, error) {
			p, err := in.period()
			if err != nil {
				return nil, err
			}
			c, err := m.store.ServiceCosts(ctx, p)
			if err != nil {
				return nil, m.problem(ctx, err)
			}
			return &serviceCostOutput{Body: c}, nil
		})
}

func (m *moneyAPI) profits(ctx context.Context, in *moneyPeriodInput, fn func(context.Context, resource.Period) ([]resource.Profit, error)) ([]resource.Profit, error) {
	p, err := in.period()
	if err != nil {
		return nil, err
	}
	rows, err := fn(ctx, p)
	if err != nil {
		return nil, m.problem(ctx, err)
	}
	return rows, nil
}

func (m *moneyAPI) campaigns(ctx context.Context, in *moneyPeriodInput) ([]resource.CampaignEfficiency, error) {
	p, err := in.period()
	if err != nil {
		return nil, err
	}
	rows, err := m.store.CampaignEfficiency(ctx, p)
	if err != nil {
		return nil, m.problem(ctx, err)
	}
	return rows, nil
}
