package postgres

// Services are every feature's store over one DB, built once by the program
// (and by tests) and handed out one field at a time: the HTTP API and the
// pages hold only the services they use.
type Services struct {
	// DB is the pool they share: Ping, Close, and the checks of what a user
	// may see that several features ask (DealVisibleTo, TicketVisibleTo,
	// ReservationVisibleTo, VisibleTickets).
	DB *DB

	// Clients, their contacts, timeline and search; priority classes.
	Clients  *ClientService
	Priority *PriorityService

	// Staff: users and API tokens, sessions and login limits, teams.
	Users    *UserService
	Sessions *SessionService
	Teams    *TeamService

	// The service desk: requests, SLA plans and support terms, costs.
	Tickets *TicketService
	SLA     *SLAService

	// The knowledge base; notifications and their outbox and templates.
	KB     *KBService
	Notify *NotifyService

	// Resources: stock, money, documents, projects.
	Stock     *StockService
	Money     *MoneyService
	Documents *DocumentService
	Projects  *ProjectService

	// Sales funnel and deals; the call log, reports, screen-pop cards and
	// prompts' audio.
	Funnel    *FunnelService
	Calls     *CallService
	Reports   *ReportService
	ScreenPop *ScreenPopService
	Voice     *VoiceService

	// Surveys and campaigns.
	Surveys   *SurveyService
	Campaigns *CampaignService
}

// NewServices builds every feature's service over db.
func NewServices(db *DB) *Services {
	return &Services{
		DB: db,

		Clients:  &ClientService{db: db},
		Priority: &PriorityService{db: db},

		Users:    &UserService{db: db},
		Sessions: &SessionService{db: db},
		Teams:    &TeamService{db: db},

		Tickets: &TicketService{db: db},
		SLA:     &SLAService{db: db},

		KB:     &KBService{db: db},
		Notify: &NotifyService{db: db},

		Stock:     &StockService{db: db},
		Money:     &MoneyService{db: db},
		Documents: &DocumentService{db: db},
		Projects:  &ProjectService{db: db},

		Funnel:    &FunnelService{db: db},
		Calls:     &CallService{db: db},
		Reports:   &ReportService{db: db},
		ScreenPop: &ScreenPopService{db: db},
		Voice:     &VoiceService{db: db},

		Surveys:   &SurveyService{db: db},
		Campaigns: &CampaignService{db: db},
	}
}

// ClientService keeps clients, their contacts and timeline.
type ClientService struct{ db *DB }

// PriorityService keeps priority classes and classifies clients by them.
type PriorityService struct{ db *DB }

// UserService keeps staff accounts and their API tokens.
type UserService struct{ db *DB }

// SessionService keeps sign-in sessions and failed sign-in attempts.
type SessionService struct{ db *DB }

// TeamService keeps teams and their members.
type TeamService struct{ db *DB }

// TicketService keeps service requests, their messages, timers and costs.
type TicketService struct {
	db     *DB
	missed missedMark // where SyncCallbacks got to
}

// SLAService keeps SLA plans and clients' support terms.
type SLAService struct{ db *DB }

// KBService keeps the knowledge base.
type KBService struct{ db *DB }

// NotifyService keeps notifications, their outbox and templates.
type NotifyService struct{ db *DB }

// StockService keeps products, warehouses, lots, movements and reservations.
type StockService struct{ db *DB }

// MoneyService keeps transactions, balances and the money reports.
type MoneyService struct{ db *DB }

// DocumentService keeps the document library and its grants.
type DocumentService struct{ db *DB }

// ProjectService keeps projects, their tasks and resources.
type ProjectService struct{ db *DB }

// FunnelService keeps funnels, deals, plans and the sales reports.
type FunnelService struct{ db *DB }

// CallService keeps the call log.
type CallService struct{ db *DB }

// ReportService computes the agent and service reports.
type ReportService struct{ db *DB }

// ScreenPopService finds what the agent's card shows about a caller.
type ScreenPopService struct{ db *DB }

// VoiceService keeps prompts' audio and the media signing secret
// (voice.Store).
type VoiceService struct{ db *DB }

// SurveyService keeps surveys and their answers.
type SurveyService struct{ db *DB }

// CampaignService keeps questionnaire campaigns and their numbers.
type CampaignService struct{ db *DB }
