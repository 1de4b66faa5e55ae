package main

import (
	"log/slog"
	"os"
	"time"

	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/resource/doctext"
	"hotline/crm/web"
)

// maxDocumentBytes is the largest file the document library accepts.
const maxDocumentBytes = 10 << 20

// documentText reads the text of uploaded documents for search. PDFs are
// read in a child process of this binary (`hotline pdf-text`, with an
// empty environment), killed after doctext.DefaultTimeout or when its heap
// passes doctext.DefaultChildMemory.
func documentText(log *slog.Logger) *doctext.Extractor {
	var o doctext.Options
	if exe, err := os.Executable(); err == nil {
		o.PDF = doctext.NewProcess(doctext.ProcessOptions{Path: exe, Args: []string{doctext.ChildCommand}, Env: []string{}})
	} else {
		log.Warn("PDF documents will not be searchable: cannot find this binary", "err", err)
	}
	return doctext.New(o)
}

// mountFeatures adds every capability's API operations and pages to the
// server: the call log and click-to-call, the agent console with screen
// pops, surveys, the service desk, the sales funnel, stock and money, the
// supervisor reports and wallboard, and the admin pages (users and teams).
// Sales amounts are shown in the base currency.
// /metrics is not among them: it has a listener of its own (serve).
// Each feature has a function of its own below.
func mountFeatures(api *httpapi.Server, pages *web.Pages, tel *telephonyParts, st *postgres.Services, prompts *promptReadier, log *slog.Logger, base string) {
	mountClients(api, pages, st, log)
	mountCalls(api, pages, tel, st, log)
	mountSurveys(api, pages, st, readySurveys{st.Surveys, prompts}, log)
	mountServiceDesk(api, pages, st, log)
	mountFunnel(api, pages, st, log, base)
	mountResources(api, pages, st, log)
	mountSupervision(api, pages, tel, st, log)
	mountAdmin(api, pages, tel, st, log)
}

// mountClients: clients, their priority classes and the rules that
// classify them.
func mountClients(api *httpapi.Server, pages *web.Pages, st *postgres.Services, log *slog.Logger) {
	httpapi.RegisterClients(api, httpapi.ClientDeps{Clients: st.Clients, Tickets: st.DB.VisibleTickets, Logger: log})
	httpapi.RegisterPriority(api, httpapi.PriorityDeps{Priority: st.Priority, Logger: log})
	pages.MountClients(web.ClientPageDeps{Clients: st.Clients, Priority: st.Priority, Tickets: st.DB.VisibleTickets})
}

// mountCalls: the call log, click-to-call, the console and its screen pops.
func mountCalls(api *httpapi.Server, pages *web.Pages, tel *telephonyParts, st *postgres.Services, log *slog.Logger) {
	httpapi.RegisterCalls(api, httpapi.CallDeps{Calls: st.Calls})
	httpapi.RegisterClickToCall(api, httpapi.ClickToCallDeps{Calls: tel.clickToCall, Users: st.Users, Clients: st.Clients})
	pages.MountCalls(web.CallPageDeps{Calls: st.Calls})
	httpapi.RegisterScreenPop(api, httpapi.ScreenPopDeps{
		Hub: tel.hub, Popper: tel.popper, Cards: tel.cards, Timeline: st.Clients, Status: tel.board, Calls: st.ScreenPop,
		Metrics: tel.popMetrics,
	})
	pages.MountConsole()
}

// mountSurveys: surveys and questionnaire campaigns; a survey saved
// through them has its prompts made (surveys).
func mountSurveys(api *httpapi.Server, pages *web.Pages, st *postgres.Services, surveys readySurveys, log *slog.Logger) {
	httpapi.RegisterSurveys(api, httpapi.SurveyDeps{Surveys: surveys, Campaigns: st.Campaigns, Clients: st.Clients, Logger: log})
	pages.MountSurveys(web.SurveyPageDeps{Surveys: surveys, Campaigns: st.Campaigns, Classes: st.Priority, Owners: st.Users})
}

// mountServiceDesk: service requests, their costs and the knowledge base.
func mountServiceDesk(api *httpapi.Server, pages *web.Pages, st *postgres.Services, log *slog.Logger) {
	httpapi.RegisterTickets(api, httpapi.TicketDeps{
		Tickets: st.Tickets, Messages: st.Tickets, Costs: st.Tickets, SLA: st.SLA, Products: st.SLA,
		Articles: st.KB, Outbox: st.Notify, Logger: log,
	})
	pages.MountTickets(web.TicketPageDeps{
		Tickets: st.Tickets, Messages: st.Tickets, Costs: st.Tickets, Catalogue: st.Stock,
		Products: deskProducts{st.Stock, st.SLA},
	})

	httpapi.RegisterKB(api, httpapi.KBDeps{KB: st.KB, Logger: log})
	pages.MountKB(web.KBPageDeps{KB: st.KB, Tickets: st.Tickets})
}

// mountFunnel: the sales funnel, deals and the sales chart.
func mountFunnel(api *httpapi.Server, pages *web.Pages, st *postgres.Services, log *slog.Logger, base string) {
	httpapi.RegisterFunnel(api, httpapi.FunnelDeps{Funnels: st.Funnel, Deals: st.Funnel, Logger: log})
	deps := web.FunnelPageDeps{Funnels: st.Funnel, Deals: st.Funnel, Sales: st.Funnel, Base: base, Now: time.Now}
	pages.MountFunnel(deps)
	pages.MountDeals(deps)
	pages.MountSales(deps)
}

// mountResources: stock, money, documents and projects.
func mountResources(api *httpapi.Server, pages *web.Pages, st *postgres.Services, log *slog.Logger) {
	httpapi.RegisterStock(api, httpapi.StockDeps{Catalogue: st.Stock, Stock: st.Stock, Reservations: st.Stock,
		Access: st.DB, Purchases: st.Stock, Logger: log})
	httpapi.RegisterMoney(api, httpapi.MoneyDeps{Money: st.Money, Logger: log})
	httpapi.RegisterDocuments(api, httpapi.DocumentDeps{Documents: st.Documents, Clients: st.Clients, MaxSize: maxDocumentBytes, Logger: log})
	httpapi.RegisterProjects(api, httpapi.ProjectDeps{Projects: st.Projects, Logger: log})
	pages.MountStock(web.StockPageDeps{Catalogue: st.Stock, Stock: st.Stock, Reservations: st.Stock, Access: st.DB, Plans: st.SLA})
	pages.MountPlans(web.PlanPageDeps{Projects: st.Projects, Deals: st.Funnel, TicketLinks: st.Tickets})
	money := web.MoneyPageDeps{Money: st.Money, Catalogue: st.Stock}
	pages.MountMoney(money)
	pages.MountClientMoney(money)
	pages.MountDocuments(web.DocumentPageDeps{Documents: st.Documents, Teams: st.Teams, MaxSize: maxDocumentBytes})
}

// mountSupervision: the supervisor reports and the wallboard.
func mountSupervision(api *httpapi.Server, pages *web.Pages, tel *telephonyParts, st *postgres.Services, log *slog.Logger) {
	httpapi.RegisterReports(api, httpapi.ReportDeps{Reports: st.Reports, Logger: log, Location: api.Catalogue().Zone()})
	httpapi.RegisterWallboard(api, httpapi.WallboardDeps{Board: tel.metrics})
	pages.MountSupervisor(web.SupervisorPageDeps{Reports: st.Reports, Board: tel.metrics})
}

// mountAdmin: users and teams (their API and pages) and the SLA plan pages;
// a user change reloads this replica's agent roster at once (the others
// within rosterRefresh).
func mountAdmin(api *httpapi.Server, pages *web.Pages, tel *telephonyParts, st *postgres.Services, log *slog.Logger) {
	httpapi.RegisterUsers(api, httpapi.UserDeps{Users: st.Users, Sessions: st.Sessions, Logger: log})
	httpapi.RegisterTeams(api, httpapi.TeamDeps{Teams: st.Teams, Logger: log})
	pages.MountAdmin(web.AdminPageDeps{Users: st.Users, Sessions: st.Sessions, Teams: st.Teams, SLAPlans: st.SLA,
		AgentsChanged: tel.refreshAgents, RosterRefresh: rosterRefresh})
}
