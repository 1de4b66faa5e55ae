package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/survey"
)

// SurveyClients is the one client read the campaign operations need: a
// client's phone numbers when contacts are added by client.
type SurveyClients interface {
	GetClient(ctx context.Context, id int64) (crm.Client, error)
}

// SurveyDeps are what RegisterSurveys needs: the survey and campaign
// services, the clients whose phones campaigns call, and a logger.
type SurveyDeps struct {
	Surveys   survey.Service
	Campaigns survey.CampaignService
	Clients   SurveyClients
	Logger    *slog.Logger
}

// surveyHandlers are the survey, results and campaign operations.
type surveyHandlers struct {
	surveys   survey.Service
	campaigns survey.CampaignService
	clients   SurveyClients
	log       *slog.Logger
	// norm turns a typed number into E.164 (Server.Phone().E164).
	norm func(raw string) (string, error)
}

// RegisterSurveys adds the survey, results and campaign operations:
// everyone may read definitions; supervisors and admins edit them, see
// results and responses (JSON and CSV) and run campaigns.
func RegisterSurveys(api *Server, deps SurveyDeps) {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	h := surveyHandlers{surveys: deps.Surveys, campaigns: deps.Campaigns, clients: deps.Clients,
		log: deps.Logger, norm: api.Phone().E164}
	a := api.API()
	defs, results, camps := []string{"surveys"}, []string{"surveys"}, []string{"survey campaigns"}
	Register(a, AnyRole, surveyOp("list-surveys", http.MethodGet, "/api/v1/surveys", defs, "Survey definitions, the default first"), h.list)
	Register(a, AnyRole, surveyOp("get-survey", http.MethodGet, "/api/v1/surveys/{id}", defs, "One survey definition"), h.get)
	Register(a, SupervisorOrAdmin, surveyCreated(surveyOp("create-survey", http.MethodPost, "/api/v1/surveys", defs, "Define a survey (prompts are Asterisk media URIs)")), h.create)
	Register(a, SupervisorOrAdmin, surveyOp("update-survey", http.MethodPut, "/api/v1/surveys/{id}", defs, "Change a survey definition"), h.update)

	Register(a, SupervisorOrAdmin, surveyOp("survey-results", http.MethodGet, "/api/v1/survey-results", results, "CSAT, NPS, response and completion rates per agent, survey or period"), h.results)
	Register(a, SupervisorOrAdmin, surveyOp("list-survey-responses", http.MethodGet, "/api/v1/survey-responses", results, "Survey responses with their answers, oldest first (at most 10000)"), h.responses)
	Register(a, SupervisorOrAdmin, surveyCSVOp(surveyOp("export-survey-responses", http.MethodGet, "/api/v1/survey-responses.csv", results, "Survey responses as CSV, one row per answer (a response without answers has one row)")), h.exportCSV)

	Register(a, SupervisorOrAdmin, surveyOp("list-survey-campaigns", http.MethodGet, "/api/v1/survey-campaigns", camps, "Phone questionnaire campaigns, newest first"), h.listCampaigns)
	Register(a, SupervisorOrAdmin, surveyCreated(surveyOp("create-survey-campaign", http.MethodPost, "/api/v1/survey-campaigns", camps, "Create a campaign (add contacts, then start it)")), h.createCampaign)
	Register(a, SupervisorOrAdmin, surveyOp("get-survey-campaign", http.MethodGet, "/api/v1/survey-campaigns/{id}", camps, "A campaign with its progress (contacts by status)"), h.getCampaign)
	Register(a, SupervisorOrAdmin, surveyOp("set-survey-campaign-state", http.MethodPut, "/api/v1/survey-campaigns/{id}/state", camps, "Start (running), pause or stop (done) a campaign"), h.setCampaignState)
	Register(a, SupervisorOrAdmin, surveyOp("list-survey-campaign-contacts", http.MethodGet, "/api/v1/survey-campaigns/{id}/contacts", camps, "A campaign's contacts with their status and attempts"), h.listContacts)
	Register(a, SupervisorOrAdmin, surveyOp("add-survey-campaign-contacts", http.MethodPost, "/api/v1/survey-campaigns/{id}/contacts", camps, "Add numbers, clients or the callers of a period to a campaign"), h.addContacts)
}

// surveyOp is one survey operation's description.
func surveyOp(id, method, path string, tags []string, summary string) huma.Operation {
	return huma.Operation{OperationID: id, Method: method, Path: path, Tags: tags, Summary: summary}
}

// surveyCreated marks an operation that answers 201 Created.
func surveyCreated(o huma.Operation) huma.Operation {
	o.DefaultStatus = http.StatusCreated
	return o
}

// surveyCSVOp marks an operation that answers text/csv.
func surveyCSVOp(o huma.Operation) huma.Operation {
	o.Responses = map[string]*huma.Response{"200": {Description: "CSV", Content: map[string]*huma.MediaType{"text/csv": {}}}}
	return o
}

// problem maps a domain or store error to a problem response, like Server.problem.
func (h surveyHandlers) problem(ctx context.Context, err error) error {
	return problemFor(ctx, h.log, err)
}

type surveysOutput struct {
	Body struct {
		Surveys []survey.Survey `json:"surveys"`
	}
}

type surveyOutput struct{ Body survey.Survey }

type surveyIDInput struct {
	ID int64 `path:"id" minimum:"1"`
}

// SurveyJSON is an editable survey definition.
type SurveyJSON struct {
	Name       string            `json:"name" minLength:"1" maxLength:"200"`
	Language   string            `json:"language,omitempty" maxLength:"16"`
	Intro      []string          `json:"intro,omitempty" maxItems:"10"`
	Questions  []survey.Question `json:"questions" minItems:"1" maxItems:"20"`
	Thanks     []string          `json:"thanks,omitempty" maxItems:"10"`
	Invalid    []string          `json:"invalid,omitempty" maxItems:"10"`
	Timeout    int               `json:"timeout_seconds,omitempty" minimum:"0" maximum:"60"`
	InterDigit int               `json:"inter_digit_seconds,omitempty" minimum:"0" maximum:"10"`
	Retries    int               `json:"retries,omitempty" minimum:"0" maximum:"5"`
	LowScore   int               `json:"low_score,omitempty" minimum:"0" maximum:"5"`
	OptOut     string            `json:"opt_out,omitempty" maxLength:"1"`
	// Texts are what the survey says, by language: synthesized into
	// speech (or replaced by recordings on the prompts page).
	Texts   map[string]survey.Texts `json:"texts,omitempty" maxProperties:"10"`
	Default bool                    `json:"default,omitempty"`
}

func (b SurveyJSON) survey(id int64) survey.Survey {
	return survey.Survey{ID: id, Name: b.Name, Language: b.Language, Intro: b.Intro, Questions: b.Questions,
		Thanks: b.Thanks, Invalid: b.Invalid, Timeout: survey.Seconds(b.Timeout), InterDigit: survey.Seconds(b.InterDigit),
		Retries: b.Retries, LowScore: b.LowScore, OptOut: b.OptOut, Texts: b.Texts, Default: b.Default}
}

type saveSurveyInput struct {
	Body SurveyJSON
}

type updateSurveyInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body SurveyJSON
}

func (h surveyHandlers) list(ctx context.Context, _ *struct{}) (*surveysOutput, error) {
	list, err := h.surveys.ListSurveys(ctx)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &surveysOutput{}
	out.Body.Surveys = list
	return out, nil
}

func (h surveyHandlers) get(ctx context.Context, in *surveyIDInput) (*surveyOutput, error) {
	sv, err := h.surveys.GetSurvey(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &surveyOutput{Body: sv}, nil
}

func (h surveyHandlers) create(ctx context.Context, in *saveSurveyInput) (*surveyOutput, error) {
	sv := in.Body.survey(0)
	if err := h.surveys.CreateSurvey(ctx, &sv); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &surveyOutput{Body: sv}, nil
}

func (h surveyHandlers) update(ctx context.Context, in *updateSurveyInput) (*surveyOutput, error) {
	sv := in.Body.survey(in.ID)
	if err := h.surveys.UpdateSurvey(ctx, &sv); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &surveyOutput{Body: sv}, nil
}
