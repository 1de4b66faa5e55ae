package httpapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/funnel"
)

// FunnelDeps are what RegisterFunnel needs.
type FunnelDeps struct {
	Funnels funnel.FunnelService
	Deals   funnel.DealService
	Logger  *slog.Logger
	Now     func() time.Time
}

// funnelHandlers serve the funnel and deal operations.
type funnelHandlers struct {
	funnels funnel.FunnelService
	deals   funnel.DealService
	log     *slog.Logger
	now     func() time.Time
}

// RegisterFunnel adds the sales funnel operations: funnels and settings
// (admins edit), plans (supervisors and admins), the funnel report in JSON
// and CSV (agents see only their own), and deals with their stage changes
// and activities (agents see and work only their own deals).
func RegisterFunnel(srv *Server, deps FunnelDeps) {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	api := srv.API()
	reg := api.OpenAPI().Components.Schemas
	reg.RegisterTypeAlias(reflect.TypeFor[funnel.Money](), reflect.TypeFor[float64]())
	reg.RegisterTypeAlias(reflect.TypeFor[funnel.Date](), reflect.TypeFor[string]())
	h := &funnelHandlers{funnels: deps.Funnels, deals: deps.Deals, log: deps.Logger, now: deps.Now}
	tags := []string{"funnel"}
	Register(api, AnyRole, huma.Operation{OperationID: "list-funnels", Method: http.MethodGet, Path: "/api/v1/funnels",
		Tags: tags, Summary: "Sales funnels with their stages in order, the default first"}, h.listFunnels)
	Register(api, AdminOnly, huma.Operation{OperationID: "create-funnel", Method: http.MethodPost, Path: "/api/v1/funnels",
		Tags: tags, Summary: "Add a funnel (e.g. for another product line)", DefaultStatus: http.StatusCreated}, h.createFunnel)
	Register(api, AdminOnly, huma.Operation{OperationID: "update-funnel", Method: http.MethodPut, Path: "/api/v1/funnels/{id}",
		Tags: tags, Summary: "Rename a funnel, rename, reorder, add or remove its stages (reordering recounts the history)"}, h.updateFunnel)
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "get-funnel-settings", Method: http.MethodGet, Path: "/api/v1/funnel-settings",
		Tags: tags, Summary: "The funnel's time zone and whether first calls open deals"}, h.settings)
	Register(api, AdminOnly, huma.Operation{OperationID: "save-funnel-settings", Method: http.MethodPut, Path: "/api/v1/funnel-settings",
		Tags: tags, Summary: "Set the time zone periods begin in, and whether the first call with a new client opens a deal"}, h.saveSettings)
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "get-funnel-plan", Method: http.MethodGet, Path: "/api/v1/funnel-plans",
		Tags: tags, Summary: "The plan (targets per stage) of a period for the company or a salesperson"}, h.getPlan)
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "save-funnel-plan", Method: http.MethodPut, Path: "/api/v1/funnel-plans",
		Tags: tags, Summary: "Set the plan of a period: how many deals should enter each stage (no targets removes it)"}, h.savePlan)
	Register(api, AnyRole, huma.Operation{OperationID: "funnel-report", Method: http.MethodGet, Path: "/api/v1/funnel-report",
		Tags: tags, Summary: "Plan against actual per stage, fulfilment, conversion, per-salesperson comparison and forecast of a period (agents: their own)"},
		h.reportJSON)
	Register(api, AnyRole, huma.Operation{OperationID: "export-funnel-report", Method: http.MethodGet, Path: "/api/v1/funnel-report.csv",
		Tags: tags, Summary: "The funnel report as CSV: one row per stage for the subject, then one per salesperson and stage",
		Responses: map[string]*huma.Response{"200": {Description: "CSV", Content: map[string]*huma.MediaType{"text/csv": {}}}}},
		h.reportCSV)
	registerDeals(api, h)
}

// problem maps a domain or store error to a problem response.
func (h *funnelHandlers) problem(ctx context.Context, err error) error {
	return problemFor(ctx, h.log, err)
}

type funnelsOutput struct {
	Body struct {
		Funnels []funnel.Funnel `json:"funnels"`
	}
}

type funnelOutput struct{ Body funnel.Funnel }

// FunnelBody is an editable funnel: its name and stages in order (stages
// with an id are kept, without one added, left out removed).
type FunnelBody struct {
	Name    string `json:"name" minLength:"1" maxLength:"100"`
	Default bool   `json:"default,omitempty"`
	Stages  []struct {
		ID   int64  `json:"id,omitempty" minimum:"0"`
		Name string `json:"name" minLength:"1" maxLength:"100"`
	} `json:"stages" minItems:"2" maxItems:"20"`
}

func (b FunnelBody) funnel(id int64) funnel.Funnel {
	f := funnel.Funnel{ID: id, Name: b.Name, Default: b.Default}
	for _, s := range b.Stages {
		f.Stages = append(f.Stages, funnel.Stage{ID: s.ID, Name: s.Name})
	}
	return f
}

type settingsOutput struct{ Body funnel.Settings }

type settingsInput struct {
	Body struct {
		TimeZone      string `json:"time_zone" minLength:"1" maxLength:"64"`
		AutoOpenDeals bool   `json:"auto_open_deals,omitempty"`
	}
}

type funnelIDInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body FunnelBody
}

func (h *funnelHandlers) listFunnels(ctx context.Context, _ *struct{}) (*funnelsOutput, error) {
	list, err := h.funnels.ListFunnels(ctx)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &funnelsOutput{}
	out.Body.Funnels = list
	return out, nil
}

func (h *funnelHandlers) createFunnel(ctx context.Context, in *struct{ Body FunnelBody }) (*funnelOutput, error) {
	f := in.Body.funnel(0)
	if err := h.funnels.CreateFunnel(ctx, &f); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &funnelOutput{Body: f}, nil
}

func (h *funnelHandlers) updateFunnel(ctx context.Context, in *funnelIDInput) (*funnelOutput, error) {
	f := in.Body.funnel(in.ID)
	if err := h.funnels.UpdateFunnel(ctx, &f); err != nil {
		return nil, h.problem(ctx, err)
	}
	f, err := h.funnels.GetFunnel(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &funnelOutput{Body: f}, nil
}

func (h *funnelHandlers) settings(ctx context.Context, _ *struct{}) (*settingsOutput, error) {
	s, err := h.funnels.FunnelSettings(ctx)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &settingsOutput{Body: s}, nil
}

func (h *funnelHandlers) saveSettings(ctx context.Context, in *settingsInput) (*settingsOutput, error) {
	s := funnel.Settings{TimeZone: in.Body.TimeZone, AutoOpenDeals: in.Body.AutoOpenDeals}
	if err := h.funnels.SaveFunnelSettings(ctx, &s); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &settingsOutput{Body: s}, nil
}

// periodInput selects a funnel, a period and optionally a salesperson.
type periodInput struct {
	FunnelID      int64  `query:"funnel_id" minimum:"0" doc:"funnel; the default when 0"`
	Period        string `query:"period" enum:"week,month,quarter" default:"month"`
	Date          string `query:"date" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" doc:"any day of the period; today when empty"`
	SalespersonID int64  `query:"salesperson_id" minimum:"0" doc:"a salesperson (user id); the company when 0"`
}

// resolve fills the date (today in the funnel's zone) and restricts agents to themselves.
func (h *funnelHandlers) resolve(ctx context.Context, in periodInput, tz string) (funnel.Date, int64, error) {
	owner := in.SalespersonID
	if p := PrincipalFrom(ctx); p != nil && p.User.Role == crm.RoleAgent {
		if owner != 0 && owner != p.User.ID {
			return funnel.Date{}, 0, huma.Error403Forbidden("agents see only their own funnel")
		}
		owner = p.User.ID
	}
	if in.Date != "" {
		d, err := funnel.ParseDate(in.Date)
		if err != nil {
			return funnel.Date{}, 0, fieldError("query.date", err.Error(), in.Date)
		}
		return d, owner, nil
	}
	if tz == "" {
		s, err := h.funnels.FunnelSettings(ctx)
		if err != nil {
			return funnel.Date{}, 0, h.problem(ctx, err)
		}
		tz = s.TimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return funnel.Date{}, 0, fieldError("query.tz", "not an IANA time zone", tz)
	}
	return funnel.DateOf(h.now().In(loc)), owner, nil
}

type planTarget struct {
	StageID int64 `json:"stage_id" minimum:"1"`
	Target  int   `json:"target" minimum:"0" maximum:"1000000"`
}

type planBody struct {
	FunnelID      int64        `json:"funnel_id"`
	Period        string       `json:"period"`
	Start         string       `json:"start" doc:"first day of the period"`
	SalespersonID int64        `json:"salesperson_id"`
	Targets       []planTarget `json:"targets"`
}

type planOutput struct{ Body planBody }

type savePlanInput struct {
	Body struct {
		FunnelID      int64        `json:"funnel_id,omitempty" minimum:"0"`
		Period        string       `json:"period" enum:"week,month,quarter"`
		Date          string       `json:"date" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" doc:"any day of the period"`
		SalespersonID int64        `json:"salesperson_id,omitempty" minimum:"0" doc:"0: the company's plan"`
		Targets       []planTarget `json:"targets" maxItems:"20"`
	}
}

func (h *funnelHandlers) plan(ctx context.Context, k funnel.PlanKey) (*planOutput, error) {
	p, err := funnel.PeriodAt(k.Kind, k.Start, time.UTC)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	f, err := h.funnels.GetFunnel(ctx, k.FunnelID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	k.FunnelID = f.ID
	targets, err := h.funnels.GetPlan(ctx, k)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &planOutput{Body: planBody{FunnelID: f.ID, Period: string(k.Kind), Start: p.StartDate().String(),
		SalespersonID: k.OwnerID, Targets: []planTarget{}}}
	for _, s := range f.Stages {
		if v, ok := targets[s.ID]; ok {
			out.Body.Targets = append(out.Body.Targets, planTarget{StageID: s.ID, Target: v})
		}
	}
	return out, nil
}

func (h *funnelHandlers) getPlan(ctx context.Context, in *periodInput) (*planOutput, error) {
	d, owner, err := h.resolve(ctx, *in, "")
	if err != nil {
		return nil, err
	}
	return h.plan(ctx, funnel.PlanKey{FunnelID: in.FunnelID, Kind: funnel.PeriodKind(in.Period), Start: d, OwnerID: owner})
}

func (h *funnelHandlers) savePlan(ctx context.Context, in *savePlanInput) (*planOutput, error) {
	d, err := funnel.ParseDate(in.Body.Date)
	if err != nil {
		return nil, fieldError("body.date", err.Error(), in.Body.Date)
	}
	f, err := h.funnels.GetFunnel(ctx, in.Body.FunnelID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	targets := map[int64]int{}
	for i, t := range in.Body.Targets {
		if _, dup := targets[t.StageID]; dup {
			return nil, fieldError(fmt.Sprintf("body.targets[%d].stage_id", i), "stage appears twice", t.StageID)
		}
		targets[t.StageID] = t.Target
	}
	k := funnel.PlanKey{FunnelID: f.ID, Kind: funnel.PeriodKind(in.Body.Period), Start: d, OwnerID: in.Body.SalespersonID}
	if err := h.funnels.SavePlan(ctx, k, targets); err != nil {
		return nil, h.problem(ctx, err)
	}
	return h.plan(ctx, k)
}

type reportInput struct {
	FunnelID      int64  `query:"funnel_id" minimum:"0" doc:"funnel; the default when 0"`
	Period        string `query:"period" enum:"week,month,quarter" default:"month"`
	Date          string `query:"date" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" doc:"any day of the period; today when empty"`
	SalespersonID int64  `query:"salesperson_id" minimum:"0" doc:"a salesperson (user id); the company when 0"`
	TimeZone      string `query:"tz" maxLength:"64" doc:"IANA zone the period begins in; the funnel settings' zone when empty"`
	Target        int    `query:"target" minimum:"0" maximum:"1000000" doc:"contracts wanted, for the forecast; the last stage's plan when 0"`
}

type reportOutput struct{ Body funnel.Report }

func (h *funnelHandlers) report(ctx context.Context, in *reportInput) (funnel.Report, error) {
	if in.TimeZone != "" {
		if _, err := time.LoadLocation(in.TimeZone); err != nil || in.TimeZone == "Local" {
			return funnel.Report{}, fieldError("query.tz", "not an IANA time zone such as Europe/Moscow", in.TimeZone)
		}
	}
	d, owner, err := h.resolve(ctx, periodInput{FunnelID: in.FunnelID, Period: in.Period, Date: in.Date,
		SalespersonID: in.SalespersonID}, in.TimeZone)
	if err != nil {
		return funnel.Report{}, err
	}
	r, err := h.funnels.FunnelReport(ctx, funnel.ReportQuery{FunnelID: in.FunnelID, Kind: funnel.PeriodKind(in.Period),
		Date: d, OwnerID: owner, TimeZone: in.TimeZone, Target: in.Target, Now: h.now()})
	if err != nil {
		return r, h.problem(ctx, err)
	}
	return r, nil
}

func (h *funnelHandlers) reportJSON(ctx context.Context, in *reportInput) (*reportOutput, error) {
	r, err := h.report(ctx, in)
	if err != nil {
		return nil, err
	}
	return &reportOutput{Body: r}, nil
}

func (h *funnelHandlers) reportCSV(ctx context.Context, in *reportInput) (*csvOutput, error) {
	r, err := h.report(ctx, in)
	if err != nil {
		return nil, err
	}
	body, err := reportCSV(r)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &csvOutput{ContentType: "text/csv; charset=utf-8",
		ContentDisposition: `attachment; filename="funnel-` + r.Period.Label + `.csv"`, Body: body}, nil
}

// reportCSV writes the report's stage rows, the subject's first.
func reportCSV(r funnel.Report) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"period", "start", "end", "time_zone", "salesperson", "position", "stage", "plan", "actual",
		"fulfilment_pct", "colour", "conversion_pct", "company_conversion_pct", "worse_than_company", "open_now"})
	subject := "company"
	if r.Salesperson != nil {
		subject = r.Salesperson.Name
	}
	for _, s := range r.Stages {
		_ = w.Write([]string{r.Period.Label, r.Period.Start, r.Period.End, r.Period.TimeZone, csvSafe(subject),
			strconv.Itoa(s.Position), csvSafe(s.Name), optInt(s.Plan), strconv.Itoa(s.Actual), optFloat(s.Fulfilment),
			s.Color, optFloat(s.Conversion), optFloat(s.CompanyConversion), strconv.FormatBool(s.WorseThanCompany),
			strconv.Itoa(s.OpenNow)})
	}
	for _, p := range r.People {
		for i, s := range p.Stages {
			st := r.Stages[i]
			_ = w.Write([]string{r.Period.Label, r.Period.Start, r.Period.End, r.Period.TimeZone, csvSafe(p.Name),
				strconv.Itoa(st.Position), csvSafe(st.Name), optInt(s.Plan), strconv.Itoa(s.Actual), optFloat(s.Fulfilment),
				s.Color, optFloat(s.Conversion), optFloat(st.Conversion), strconv.FormatBool(s.WorseThanCompany), ""})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	return buf.Bytes(), nil
}

func optInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func optFloat(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}
