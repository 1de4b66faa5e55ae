package funnel

import (
	"context"
	"time"
)

// FunnelService keeps funnels with their stages, the funnel settings, plans
// per period, and builds the funnel report. crm/postgres implements it.
type FunnelService interface {
	// ListFunnels returns every funnel with its stages in order, the default first.
	ListFunnels(ctx context.Context) ([]Funnel, error)
	// GetFunnel returns the funnel id, or the default funnel when id is 0.
	GetFunnel(ctx context.Context, id int64) (Funnel, error)
	// CreateFunnel adds f with its stages and fills in their ids.
	CreateFunnel(ctx context.Context, f *Funnel) error
	// UpdateFunnel renames f and renames, reorders, adds or removes its stages.
	UpdateFunnel(ctx context.Context, f *Funnel) error
	// FunnelSettings returns the funnel's time zone and auto-open switch.
	FunnelSettings(ctx context.Context) (Settings, error)
	// SaveFunnelSettings replaces the funnel settings.
	SaveFunnelSettings(ctx context.Context, s *Settings) error
	// GetPlan returns the targets per stage id of the plan k.
	GetPlan(ctx context.Context, k PlanKey) (map[int64]int, error)
	// SavePlan replaces the targets of the plan k (none removes it).
	SavePlan(ctx context.Context, k PlanKey, targets map[int64]int) error
	// FunnelReport builds the plan-against-actual report of a period.
	FunnelReport(ctx context.Context, q ReportQuery) (Report, error)
}

// DealService keeps deals, their stage changes and activities. by is the
// user who made the change (nil: the system), at when it happened.
type DealService interface {
	// GetDeal returns the deal id.
	GetDeal(ctx context.Context, id int64) (Deal, error)
	// ListDeals returns the deals f selects.
	ListDeals(ctx context.Context, f DealFilter) ([]Deal, error)
	// CreateDeal adds d at its stage (the funnel's first when none) and fills in its id.
	CreateDeal(ctx context.Context, d *Deal, by *int64, at time.Time) error
	// UpdateDeal saves d's editable fields, its status and close reason.
	UpdateDeal(ctx context.Context, d *Deal, by *int64, at time.Time) error
	// MoveDeal moves the deal id to the stage stageID and returns it.
	MoveDeal(ctx context.Context, id, stageID int64, by *int64, at time.Time) (Deal, error)
	// StageHistory returns the deal's stage changes, oldest first.
	StageHistory(ctx context.Context, dealID int64) ([]StageChange, error)
	// AddActivity records a on its deal.
	AddActivity(ctx context.Context, a *Activity) error
	// Activities returns up to limit of the deal's activities, newest first.
	Activities(ctx context.Context, dealID int64, limit int) ([]Activity, error)
}

// SalesService keeps currency rates and builds the sales chart's series.
type SalesService interface {
	// SalesSeries returns deals won and their amount per period against the plan.
	SalesSeries(ctx context.Context, q SalesQuery) (Sales, error)
	// ListRates returns every currency rate kept.
	ListRates(ctx context.Context) ([]Rate, error)
	// SetRate keeps r (a rate of one currency on one day to base), set by the user by.
	SetRate(ctx context.Context, r Rate, base string, by int64) error
	// DeleteRate removes the rate of currency on day.
	DeleteRate(ctx context.Context, currency string, day Date) error
}
