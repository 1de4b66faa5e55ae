package funnel

import "time"

// ReportQuery asks for the funnel report of one period.
type ReportQuery struct {
	FunnelID int64      // 0: the default funnel
	Kind     PeriodKind // week, month or quarter
	Date     Date       // any day of the period
	OwnerID  int64      // 0: the whole company with the per-salesperson comparison
	TimeZone string     // "": the funnel settings' zone
	Target   int        // contracts wanted for the forecast; 0: the last stage's plan
	Now      time.Time  // "now" for the open pipeline and the coming period
}

// PlanKey names one plan: a funnel's period for the company (OwnerID 0) or
// a salesperson.
type PlanKey struct {
	FunnelID int64
	Kind     PeriodKind
	Start    Date
	OwnerID  int64
}

// DealFilter selects deals; zero fields do not filter.
type DealFilter struct {
	OwnerID  int64
	ClientID int64
	FunnelID int64
	StageID  int64
	Status   Status
	Query    string // part of the title, any case
	Limit    int    // 50 when 0, at most 500
	Offset   int
}
