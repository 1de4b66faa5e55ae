package survey

import (
	"strings"
	"time"
	"unicode/utf8"

	"hotline/crm"
)

// CampaignState is where a phone questionnaire campaign is.
type CampaignState string

// The campaign states: only running campaigns place calls; a running
// campaign with nobody left to call becomes done.
const (
	CampaignDraft   CampaignState = "draft"
	CampaignRunning CampaignState = "running"
	CampaignPaused  CampaignState = "paused"
	CampaignDone    CampaignState = "done"
)

// Campaign is an outbound survey: a list of contacts called into a survey
// within calling windows, with pacing and retries.
type Campaign struct {
	ID       int64         `json:"id"`
	Name     string        `json:"name"`
	SurveyID int64         `json:"survey_id"`
	State    CampaignState `json:"state"`
	// TimeZone (IANA name) of the calling window [WindowStart, WindowEnd),
	// in minutes after midnight.
	TimeZone    string `json:"time_zone"`
	WindowStart int    `json:"window_start"`
	WindowEnd   int    `json:"window_end"`
	// MaxConcurrent calls at once and PerMinute calls started per minute.
	MaxConcurrent int `json:"max_concurrent"`
	PerMinute     int `json:"per_minute"`
	// MaxAttempts per contact; RetryDelay after busy, no answer or failure.
	MaxAttempts int     `json:"max_attempts"`
	RetryDelay  Seconds `json:"retry_delay_seconds"`
	// CallerID presented to the called party, e.g. `"Hotline" <+74950000000>`.
	CallerID  string         `json:"caller_id"`
	Progress  map[string]int `json:"progress,omitempty"` // contacts by status
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// Validate checks the campaign and fills defaults (UTC, 09:00-20:00, 2
// calls at once, 10 a minute, 3 attempts 10 minutes apart).
func (c *Campaign) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	if err := crm.CheckText("name", c.Name, c.CallerID); err != nil {
		return err
	}
	if c.Name == "" || utf8.RuneCountInString(c.Name) > 200 {
		return crm.Invalid("name", "must be 1-200 characters")
	}
	if c.SurveyID <= 0 {
		return crm.Invalid("survey_id", "is required")
	}
	if c.State == "" {
		c.State = CampaignDraft
	}
	switch c.State {
	case CampaignDraft, CampaignRunning, CampaignPaused, CampaignDone:
	default:
		return crm.Invalid("state", "must be draft, running, paused or done")
	}
	if c.TimeZone == "" {
		c.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return crm.Invalid("time_zone", "%q is not a known time zone", c.TimeZone)
	}
	if c.WindowStart == 0 && c.WindowEnd == 0 {
		c.WindowStart, c.WindowEnd = 9*60, 20*60
	}
	if c.WindowStart < 0 || c.WindowEnd > 24*60 || c.WindowStart >= c.WindowEnd {
		return crm.Invalid("window_start", "the window must be start < end within 0-1440 minutes")
	}
	setDefault(&c.MaxConcurrent, 2)
	setDefault(&c.PerMinute, 10)
	setDefault(&c.MaxAttempts, 3)
	if c.RetryDelay == 0 {
		c.RetryDelay = 600
	}
	if c.MaxConcurrent < 1 || c.MaxConcurrent > 500 || c.PerMinute < 1 || c.PerMinute > 6000 {
		return crm.Invalid("max_concurrent", "concurrency must be 1-500 and calls per minute 1-6000")
	}
	if c.MaxAttempts < 1 || c.MaxAttempts > 10 || c.RetryDelay < 0 || c.RetryDelay > 7*24*3600 {
		return crm.Invalid("max_attempts", "attempts must be 1-10 and the retry delay 0-604800 s")
	}
	if utf8.RuneCountInString(c.CallerID) > 100 {
		return crm.Invalid("caller_id", "must be at most 100 characters")
	}
	return nil
}

func setDefault(v *int, d int) {
	if *v == 0 {
		*v = d
	}
}

// InWindow reports whether t is inside the campaign's calling window.
func (c Campaign) InWindow(t time.Time) bool {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	m := lt.Hour()*60 + lt.Minute()
	return m >= c.WindowStart && m < c.WindowEnd
}

// ContactStatus is where one contact of a campaign is.
type ContactStatus string

// The contact statuses.
const (
	ContactPending ContactStatus = "pending" // waiting for its (next) attempt
	ContactCalling ContactStatus = "calling" // an attempt is in progress
	ContactDone    ContactStatus = "done"    // reached: the survey was played
	ContactFailed  ContactStatus = "failed"  // every attempt failed
)

// Contact is one number to call in a campaign.
type Contact struct {
	ID            int64         `json:"id"`
	CampaignID    int64         `json:"campaign_id"`
	Phone         string        `json:"phone"`
	ClientID      *int64        `json:"client_id,omitempty"`
	Status        ContactStatus `json:"status"`
	Attempts      int           `json:"attempts"`
	NextAttemptAt time.Time     `json:"next_attempt_at"`
	LastResult    string        `json:"last_result,omitempty"`
	ResponseID    *int64        `json:"response_id,omitempty"`
}

// Attempt is one call placed to a contact.
type Attempt struct {
	ContactID  int64
	CampaignID int64
	SurveyID   int64
	Phone      string
	Attempt    int
	ChannelID  string
	CallerID   string
	StartedAt  time.Time
}

// The results of an attempt. Answered means the survey was played.
const (
	ResultAnswered = "answered"
	ResultBusy     = "busy"
	ResultNoAnswer = "no_answer"
	ResultFailed   = "failed"
	ResultLost     = "lost" // the channel vanished while Hotline was not watching
)

// AttemptResult classifies the end of an unanswered attempt by the
// channel's Q.850 hangup cause (17 busy, 18/19/21 no answer; Local channels
// to a busy party end with 0).
func AttemptResult(cause int) string {
	switch cause {
	case 17, 0:
		return ResultBusy
	case 18, 19, 21:
		return ResultNoAnswer
	}
	return ResultFailed
}

// ChannelPrefix starts the id of every channel a campaign places.
const ChannelPrefix = "hlsurvey-"
