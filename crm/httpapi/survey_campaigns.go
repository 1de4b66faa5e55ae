package httpapi

import (
	"context"
	"fmt"
	"time"

	"hotline/crm"
	"hotline/survey"
)

// CampaignJSON creates a phone questionnaire campaign.
type CampaignJSON struct {
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

type createCampaignInput struct{ Body CampaignJSON }

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

func (h surveyHandlers) listCampaigns(ctx context.Context, _ *struct{}) (*campaignsOutput, error) {
	list, err := h.campaigns.ListCampaigns(ctx)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &campaignsOutput{}
	out.Body.Campaigns = list
	return out, nil
}

func (h surveyHandlers) createCampaign(ctx context.Context, in *createCampaignInput) (*campaignOutput, error) {
	b := in.Body
	c := survey.Campaign{Name: b.Name, SurveyID: b.SurveyID, TimeZone: b.TimeZone,
		WindowStart: minutesOf(b.WindowStart, 9*60), WindowEnd: minutesOf(b.WindowEnd, 20*60),
		MaxConcurrent: b.MaxConcurrent, PerMinute: b.PerMinute, MaxAttempts: b.MaxAttempts,
		RetryDelay: survey.Seconds(b.RetryDelay), CallerID: b.CallerID, State: survey.CampaignDraft}
	if b.Start {
		c.State = survey.CampaignRunning
	}
	if err := h.campaigns.CreateCampaign(ctx, &c); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &campaignOutput{Body: c}, nil
}

func (h surveyHandlers) getCampaign(ctx context.Context, in *campaignIDInput) (*campaignOutput, error) {
	c, err := h.campaigns.GetCampaign(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &campaignOutput{Body: c}, nil
}

func (h surveyHandlers) setCampaignState(ctx context.Context, in *campaignStateInput) (*campaignOutput, error) {
	if err := h.campaigns.SetCampaignState(ctx, in.ID, survey.CampaignState(in.Body.State)); err != nil {
		return nil, h.problem(ctx, err)
	}
	return h.getCampaign(ctx, &campaignIDInput{ID: in.ID})
}

func (h surveyHandlers) listContacts(ctx context.Context, in *campaignIDInput) (*contactsOutput, error) {
	if _, err := h.campaigns.GetCampaign(ctx, in.ID); err != nil {
		return nil, h.problem(ctx, err)
	}
	list, err := h.campaigns.ListCampaignContacts(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &contactsOutput{}
	out.Body.Contacts = list
	return out, nil
}

func (h surveyHandlers) addContacts(ctx context.Context, in *addContactsInput) (*addContactsOutput, error) {
	if _, err := h.campaigns.GetCampaign(ctx, in.ID); err != nil {
		return nil, h.problem(ctx, err)
	}
	list, err := h.phoneContacts(in.Body.Phones)
	if err != nil {
		return nil, err
	}
	byClient, err := h.clientContacts(ctx, in.Body.ClientIDs)
	if err != nil {
		return nil, err
	}
	list = append(list, byClient...)
	out := &addContactsOutput{}
	if len(list) > 0 {
		n, err := h.campaigns.AddCampaignContacts(ctx, in.ID, list)
		if err != nil {
			return nil, h.problem(ctx, err)
		}
		out.Body.Added += n
	}
	if b := in.Body; b.CallersFrom != nil || b.CallersTo != nil {
		if b.CallersFrom == nil || b.CallersTo == nil || !b.CallersFrom.Before(*b.CallersTo) {
			return nil, fieldError("body.callers_from", "callers_from and callers_to must both be set, from before to", b.CallersFrom)
		}
		n, err := h.campaigns.AddCampaignCallers(ctx, in.ID, *b.CallersFrom, *b.CallersTo)
		if err != nil {
			return nil, h.problem(ctx, err)
		}
		out.Body.Added += n
	}
	return out, nil
}

// phoneContacts normalizes typed numbers into E.164 contacts.
func (h surveyHandlers) phoneContacts(phones []string) ([]survey.Contact, error) {
	var list []survey.Contact
	for i, raw := range phones {
		p, err := h.norm(raw)
		if err != nil {
			return nil, fieldError(fmt.Sprintf("body.phones[%d]", i), "is not a phone number", raw)
		}
		list = append(list, survey.Contact{Phone: p})
	}
	return list, nil
}

// clientContacts are the clients' first phones.
func (h surveyHandlers) clientContacts(ctx context.Context, ids []int64) ([]survey.Contact, error) {
	var list []survey.Contact
	for i, id := range ids {
		c, err := h.clients.GetClient(ctx, id)
		if err != nil {
			if crm.IsKind(err, crm.KindNotFound) {
				return nil, fieldError(fmt.Sprintf("body.client_ids[%d]", i), "no such client", id)
			}
			return nil, h.problem(ctx, err)
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
	return list, nil
}
