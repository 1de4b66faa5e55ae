package survey

import (
	"time"

	"hotline/crm"
)

// Audience picks a campaign's numbers from the CRM: the clients that
// match every condition set, each called on their first phone number.
// Clients who opted out of surveys are never picked.
type Audience struct {
	// Priority is a priority class code ("" any class).
	Priority string
	// Tag is one of the clients' tags ("" any).
	Tag string
	// OwnerID is the user responsible for the client (nil anyone's).
	OwnerID *int64
	// BoughtWithinDays picks clients who bought (a shipment or an income
	// transaction) within the last so many days; 0 ignores purchases.
	BoughtWithinDays int
	// NotSinceDays picks clients who have not bought for so many days
	// (or never); 0 ignores it.
	NotSinceDays int
}

// MaxAudienceDays bounds the purchase windows (ten years).
const MaxAudienceDays = 3650

// Validate checks the audience's bounds.
func (a Audience) Validate() error {
	if a.BoughtWithinDays < 0 || a.BoughtWithinDays > MaxAudienceDays {
		return crm.Invalid("bought_within_days", "must be 0-%d", MaxAudienceDays)
	}
	if a.NotSinceDays < 0 || a.NotSinceDays > MaxAudienceDays {
		return crm.Invalid("not_since_days", "must be 0-%d", MaxAudienceDays)
	}
	if a.BoughtWithinDays > 0 && a.NotSinceDays >= a.BoughtWithinDays {
		return crm.Invalid("not_since_days", "must be fewer days than bought within, or the audience is empty")
	}
	return nil
}

// BoughtAfter is the start of the purchase window at now (zero if none).
func (a Audience) BoughtAfter(now time.Time) time.Time {
	if a.BoughtWithinDays <= 0 {
		return time.Time{}
	}
	return now.AddDate(0, 0, -a.BoughtWithinDays)
}

// QuietSince is when the clients' last purchase must be before (zero if none).
func (a Audience) QuietSince(now time.Time) time.Time {
	if a.NotSinceDays <= 0 {
		return time.Time{}
	}
	return now.AddDate(0, 0, -a.NotSinceDays)
}

// AudienceClient is one client an audience picks, with the number called.
type AudienceClient struct {
	ClientID int64
	Name     string
	Phone    string
}

// AudienceMatch is how many clients an audience picks, with the first few.
type AudienceMatch struct {
	Count   int
	Preview []AudienceClient
}
