package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/survey"
)

// CampaignBody creates a phone questionnaire campaign.
type CampaignBody struct {
	Name          string `json:"name" minLength:"1" maxLength:"200"`
	SurveyID      int64  `json:"survey_id" minimum:"1"`
	TimeZone      string `json:"time_zone,omitempty" maxLength:"64" doc:"IANA zone of the calling window, default UTC"`
	WindowStart   string `json:"window_start,omitempty" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" doc:"HH:MM, default 09:00"`
	WindowEnd     string `json:"window_end,omitempty" pattern:"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$" doc:"HH:MM, default 20:00"`
	MaxConcurrent int    `json:"max_concurrent,omitempty" minimum:"0" maximum:"500"`
	PerMinute     int    `json:"per_minute,omitempty" minimum:"0" maximum:"6000"`
	MaxAttempts   int    `json:"max_attempts,omitempty" minimum:"0" maximum:"10"`
	RetryDelay    int    `json:"retry_delay_seconds,omitempty" minimum:"0" maximum:"604800"`
	CallerID      string `json:"caller_id,omitempty" maxLength:"100"`
	Start         bool   `json:"start,omitempty" doc:"start calling at once"`
}

type createCampaignInput struct{ Body CampaignBody }

type campaignOutput struct{ Body survey.Campaign }

type campaignsOutput struct {
	Body struct {
		Campaigns []survey.Campaign `json:"campaigns"`
	}
}

type campaignIDInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type campaignStateInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		State string `json:"state" enum:"running,paused,done"`
	}
}

type addContactsInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Phones      []string   `json:"phones,omitempty" maxItems:"10000"`
		ClientIDs   []int64    `json:"client_ids,omitempty" maxItems:"10000" doc:"each client's first phone"`
		CallersFrom *time.Time `json:"callers_from,omitempty" doc:"add the customers who called in [callers_from, callers_to)"`
		CallersTo   *time.Time `json:"callers_to,omitempty"`
	}
}

type addContactsOutput struct {
	Body struct {
		Added int `json:"added"`
	}
}

type contactsOutput struct {
	Body struct {
		Contacts []survey.Contact `json:"contacts"`
	}
}

func minutesOf(hhmm string, def int) int {
	var h, m int
	if _, err := fmt.Sscanf(hhmm, "%d:%d", &h, &m); err != nil {
		return def
	}
	return h*60 + m
}

func (s *surveyAPI) registerCampaigns(api huma.API) {
	tags := []string{"survey campaigns"}
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "list-survey-campaigns", Method: http.MethodGet,
		Path: "/api/v1/survey-campaigns", Tags: tags, Summary: "Phone questionnaire campaigns, newest first"},
		func(ctx context.Context, _ *struct{}) (*campaignsOutput, error) {
			list, err := s.store.ListCampaigns(ctx)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &campaignsOutput{}
			out.Body.Campaigns = list
			return out, nil
		})
	s.registerCampaignChanges(api, tags)
}

// registerCampaignChanges adds the operations that create and steer campaigns.
func (s *surveyAPI) registerCampaignChanges(api huma.API, tags []string) {
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "create-survey-campaign", Method: http.MethodPost,
		Path: "/api/v1/survey-campaigns", Tags: tags, Summary: "Create a campaign (add contacts, then start it)", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *createCampaignInput) (*campaignOutput, error) {
			b := in.Body
			c := survey.Campaign{Name: b.Name, SurveyID: b.SurveyID, TimeZone: b.TimeZone,
				WindowStart: minutesOf(b.WindowStart, 9*60), WindowEnd: minutesOf(b.WindowEnd, 20*60),
				MaxConcurrent: b.MaxConcurrent, PerMinute: b.PerMinute, MaxAttempts: b.MaxAttempts,
				RetryDelay: survey.Seconds(b.RetryDelay), CallerID: b.CallerID, State: survey.CampaignDraft}
			if b.Start {
				c.State = survey.CampaignRunning
			}
			if err := s.store.CreateCampaign(ctx, &c); err != nil {
				return nil, s.problem(ctx, err)
			}
			return &campaignOutput{Body: c}, nil
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "get-survey-campaign", Method: http.MethodGet,
		Path: "/api/v1/survey-campaigns/{id}", Tags: tags, Summary: "A campaign with its progress (contacts by status)"},
		func(ctx context.Context, in *campaignIDInput) (*campaignOutput, error) {
			c, err := s.store.GetCampaign(ctx, in.ID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &campaignOutput{Body: c}, nil
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "set-survey-campaign-state", Method: http.MethodPut,
		Path: "/api/v1/survey-campaigns/{id}/state", Tags: tags, Summary: "Start (running), pause or stop (done) a campaign"},
		func(ctx context.Context, in *campaignStateInput) (*campaignOutput, error) {
			if err := s.store.SetCampaignState(ctx, in.ID, survey.CampaignState(in.Body.State)); err != nil {
				return nil, s.problem(ctx, err)
			}
			c, err := s.store.GetCampaign(ctx, in.ID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &campaignOutput{Body: c}, nil
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "list-survey-campaign-contacts", Method: http.MethodGet,
		Path: "/api/v1/survey-campaigns/{id}/contacts", Tags: tags, Summary: "A campaign's contacts with their status and attempts"},
		func(ctx context.Context, in *campaignIDInput) (*contactsOutput, error) {
			if _, err := s.store.GetCampaign(ctx, in.ID); err != nil {
				return nil, s.problem(ctx, err)
			}
			list, err := s.store.ListCampaignContacts(ctx, in.ID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &contactsOutput{}
			out.Body.Contacts = list
			return out, nil
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "add-survey-campaign-contacts", Method: http.MethodPost,
		Path: "/api/v1/survey-campaigns/{id}/contacts", Tags: tags, Summary: "Add numbers, clients or the callers of a period to a campaign"},
		s.addContacts)
}

func (s *surveyAPI) addContacts(ctx context.Context, in *addContactsInput) (*addContactsOutput, error) {
	if _, err := s.store.GetCampaign(ctx, in.ID); err != nil {
		return nil, s.problem(ctx, err)
	}
	var list []survey.Contact
	for i, raw := range in.Body.Phones {
		p := raw
		if s.norm != nil {
			var err error
			if p, err = s.norm(raw); err != nil {
				return nil, fieldError(fmt.Sprintf("body.phones[%d]", i), "is not a phone number", raw)
			}
		}
		list = append(list, survey.Contact{Phone: p})
	}
	for i, id := range in.Body.ClientIDs {
		c, err := s.store.GetClient(ctx, id)
		if err != nil {
			if crm.IsKind(err, crm.KindNotFound) {
				return nil, fieldError(fmt.Sprintf("body.client_ids[%d]", i), "no such client", id)
			}
			return nil, s.problem(ctx, err)
		}
		phone := ""
		for _, ct := range c.Contacts {
			if ct.Kind == crm.ContactPhone && phone == "" {
				phone = ct.Value
			}
		}
		if phone == "" {
			return nil, fieldError(fmt.Sprintf("body.client_ids[%d]", i), "the client has no phone", id)
		}
		list = append(list, survey.Contact{Phone: phone, ClientID: &c.ID})
	}
	out := &addContactsOutput{}
	if len(list) > 0 {
		n, err := s.store.AddCampaignContacts(ctx, in.ID, list)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out.Body.Added += n
	}
	if b := in.Body; b.CallersFrom != nil || b.CallersTo != nil {
		if b.CallersFrom == nil || b.CallersTo == nil || !b.CallersFrom.Before(*b.CallersTo) {
			return nil, fieldError("body.callers_from", "callers_from and callers_to must both be set, from before to", b.CallersFrom)
		}
		n, err := s.store.AddCampaignCallers(ctx, in.ID, *b.CallersFrom, *b.CallersTo)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out.Body.Added += n
	}
	return out, nil
}
