package survey

import (
	"context"
	"time"
)

// Service keeps survey definitions and reads their results
// (crm/postgres.SurveyService). The runner's own needs are Store.
type Service interface {
	// ListSurveys returns every definition, the default first.
	ListSurveys(ctx context.Context) ([]Survey, error)
	// GetSurvey returns one definition (KindNotFound if none).
	GetSurvey(ctx context.Context, id int64) (Survey, error)
	// DefaultSurvey returns the survey played when none is named.
	DefaultSurvey(ctx context.Context) (Survey, error)
	// CreateSurvey validates and stores sv, setting its ID and times.
	CreateSurvey(ctx context.Context, sv *Survey) error
	// UpdateSurvey validates and replaces the definition sv.ID.
	UpdateSurvey(ctx context.Context, sv *Survey) error
	// SurveyTallies sums responses per group of f.GroupBy.
	SurveyTallies(ctx context.Context, f ResultFilter) ([]Tally, error)
	// ListResponses returns the responses f selects, oldest first, at most limit.
	ListResponses(ctx context.Context, f ResultFilter, limit int) ([]Response, error)
}

// CampaignService keeps phone questionnaire campaigns and the numbers
// they call (crm/postgres.CampaignService). The dialer's own needs are
// CampaignStore.
type CampaignService interface {
	// CreateCampaign validates and stores c, setting its ID.
	CreateCampaign(ctx context.Context, c *Campaign) error
	// GetCampaign returns a campaign with its contacts counted by status.
	GetCampaign(ctx context.Context, id int64) (Campaign, error)
	// ListCampaigns returns every campaign, newest first.
	ListCampaigns(ctx context.Context) ([]Campaign, error)
	// SetCampaignState starts, pauses or stops a campaign.
	SetCampaignState(ctx context.Context, id int64, state CampaignState) error
	// AddCampaignContacts adds numbers to call, skipping those already in; it returns how many were added.
	AddCampaignContacts(ctx context.Context, campaignID int64, contacts []Contact) (int, error)
	// AddCampaignCallers adds the customers who called in [from, to).
	AddCampaignCallers(ctx context.Context, campaignID int64, from, to time.Time) (int, error)
	// ListCampaignContacts returns a campaign's contacts in calling order.
	ListCampaignContacts(ctx context.Context, campaignID int64) ([]Contact, error)
	// MatchAudience counts the CRM clients a picks at now, with the first limit.
	MatchAudience(ctx context.Context, a Audience, now time.Time, limit int) (AudienceMatch, error)
	// AddAudience adds the clients a picks at now to a campaign.
	AddAudience(ctx context.Context, campaignID int64, a Audience, now time.Time) (int, error)
	// AudienceTags returns every tag clients have, for the audience picker.
	AudienceTags(ctx context.Context) ([]string, error)
	// SetSurveyOptOut records whether a client refuses survey calls.
	SetSurveyOptOut(ctx context.Context, clientID int64, out bool) error
	// SurveyOptOuts returns the clients who refuse survey calls.
	SurveyOptOuts(ctx context.Context) ([]AudienceClient, error)
	// SurveyOptedOut reports whether the client refuses survey calls.
	SurveyOptedOut(ctx context.Context, clientID int64) (bool, error)
	// CampaignResults counts a campaign's numbers by outcome and sums its answers.
	CampaignResults(ctx context.Context, id int64) (CampaignReport, error)
	// CampaignAnswers returns the responses of a campaign's numbers with client names.
	CampaignAnswers(ctx context.Context, id int64) ([]CampaignAnswer, error)
}
