package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/survey"
)

// SurveyStore is what the survey operations read and write (crm/postgres.Store).
type SurveyStore interface {
	ListSurveys(ctx context.Context) ([]survey.Survey, error)
	GetSurvey(ctx context.Context, id int64) (survey.Survey, error)
	CreateSurvey(ctx context.Context, sv *survey.Survey) error
	UpdateSurvey(ctx context.Context, sv *survey.Survey) error
	SurveyTallies(ctx context.Context, f survey.ResultFilter) ([]survey.Tally, error)
	ListResponses(ctx context.Context, f survey.ResultFilter, limit int) ([]survey.Response, error)
	CreateCampaign(ctx context.Context, c *survey.Campaign) error
	GetCampaign(ctx context.Context, id int64) (survey.Campaign, error)
	ListCampaigns(ctx context.Context) ([]survey.Campaign, error)
	SetCampaignState(ctx context.Context, id int64, state survey.CampaignState) error
	AddCampaignContacts(ctx context.Context, campaignID int64, contacts []survey.Contact) (int, error)
	AddCampaignCallers(ctx context.Context, campaignID int64, from, to time.Time) (int, error)
	ListCampaignContacts(ctx context.Context, campaignID int64) ([]survey.Contact, error)
	GetClient(ctx context.Context, id int64) (crm.Client, error)
}

// SurveyDeps are what RegisterSurveys needs.
type SurveyDeps struct {
	Store  SurveyStore
	Logger *slog.Logger
	// Normalize turns a typed number into E.164 (Server.Phone().E164); nil keeps numbers as typed.
	Normalize func(raw string) (string, error)
}

// surveyAPI holds the survey operations' dependencies.
type surveyAPI struct {
	store SurveyStore
	log   *slog.Logger
	norm  func(string) (string, error)
}

// RegisterSurveys adds the survey, results and campaign operations:
// everyone may read definitions; supervisors and admins edit them, see
// results and responses (JSON and CSV) and run campaigns.
func RegisterSurveys(api huma.API, deps SurveyDeps) {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	s := &surveyAPI{store: deps.Store, log: deps.Logger, norm: deps.Normalize}
	s.registerDefinitions(api)
	s.registerResults(api)
	s.registerCampaigns(api)
}

// problem maps a domain or store error to a problem response, like Server.problem.
func (s *surveyAPI) problem(ctx context.Context, err error) error {
	return problemFor(ctx, s.log, err)
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

// SurveyBody is an editable survey definition.
type SurveyBody struct {
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

func (b SurveyBody) survey(id int64) survey.Survey {
	return survey.Survey{ID: id, Name: b.Name, Language: b.Language, Intro: b.Intro, Questions: b.Questions,
		Thanks: b.Thanks, Invalid: b.Invalid, Timeout: survey.Seconds(b.Timeout), InterDigit: survey.Seconds(b.InterDigit),
		Retries: b.Retries, LowScore: b.LowScore, OptOut: b.OptOut, Texts: b.Texts, Default: b.Default}
}

type saveSurveyInput struct {
	Body SurveyBody
}

type updateSurveyInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body SurveyBody
}

func (s *surveyAPI) registerDefinitions(api huma.API) {
	tags := []string{"surveys"}
	Register(api, AnyRole, huma.Operation{OperationID: "list-surveys", Method: http.MethodGet, Path: "/api/v1/surveys",
		Tags: tags, Summary: "Survey definitions, the default first"},
		func(ctx context.Context, _ *struct{}) (*surveysOutput, error) {
			list, err := s.store.ListSurveys(ctx)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &surveysOutput{}
			out.Body.Surveys = list
			return out, nil
		})
	Register(api, AnyRole, huma.Operation{OperationID: "get-survey", Method: http.MethodGet, Path: "/api/v1/surveys/{id}",
		Tags: tags, Summary: "One survey definition"},
		func(ctx context.Context, in *surveyIDInput) (*surveyOutput, error) {
			sv, err := s.store.GetSurvey(ctx, in.ID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &surveyOutput{Body: sv}, nil
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "create-survey", Method: http.MethodPost, Path: "/api/v1/surveys",
		Tags: tags, Summary: "Define a survey (prompts are Asterisk media URIs)", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *saveSurveyInput) (*surveyOutput, error) {
			sv := in.Body.survey(0)
			if err := s.store.CreateSurvey(ctx, &sv); err != nil {
				return nil, s.problem(ctx, err)
			}
			return &surveyOutput{Body: sv}, nil
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "update-survey", Method: http.MethodPut, Path: "/api/v1/surveys/{id}",
		Tags: tags, Summary: "Change a survey definition"},
		func(ctx context.Context, in *updateSurveyInput) (*surveyOutput, error) {
			sv := in.Body.survey(in.ID)
			if err := s.store.UpdateSurvey(ctx, &sv); err != nil {
				return nil, s.problem(ctx, err)
			}
			return &surveyOutput{Body: sv}, nil
		})
}
