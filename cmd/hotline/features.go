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
func mountFeatures(api *httpapi.Server, pages *web.Pages, tel *telephonyParts, st *postgres.Services, log *slog.Logger, base string) {
	mountClients(api, pages, st, log)
	mountCalls(api, pages, tel, st, log)
	mountSurveys(api, pages, st, log)
	mountServiceDesk(api, pages, st, log)
	mountFunnel(api, pages, st, log, base)
	mountResources(api, pages, st, log)
	mountSupervision(api, pages, tel, st, log)
	mountAdmin(api, pages, tel, st, log)
}

// mountClients: clients, their priority classes and the rules that
// classify them.
func mountClients(api *httpapi.Server, pages *web.Pages, st *postgres.Services, log *slog.Logger) {
	httpapi.RegisterClients(api, httpapi.ClientDeps{Clients: st.Clients, Tickets: st.VisibleTickets, Logger: log})
	httpapi.RegisterPriority(api, httpapi.PriorityDeps{Priority: st.Priority, Logger: log})
	pages.MountClients(web.ClientPageDeps{Clients: st.Clients, Priority: st.Priority, Tickets: st.VisibleTickets})
}

// mountCalls: the call log, click-to-call, the console and its screen pops.
func mountCalls(api *httpapi.Server, pages *web.Pages, tel *telephonyParts, st *postgres.Services, log *slog.Logger) {
	api.RegisterCalls(st)
	api.RegisterClickToCall(tel.clickToCall)
	pages.MountCalls(st)
	api.RegisterScreenPop(httpapi.ScreenPopOptions{
		Hub: tel.hub, Popper: tel.popper, Cards: tel.cards, Timeline: st.Clients, Status: tel.board, Calls: st,
		Metrics: tel.popMetrics,
	})
	pages.MountConsole()
}

// mountSurveys: surveys and questionnaire campaigns.
func mountSurveys(api *httpapi.Server, pages *web.Pages, st *postgres.Services, log *slog.Logger) {
	httpapi.RegisterSurveys(api.API(), httpapi.SurveyDeps{Store: withClients(st), Logger: log, Normalize: api.Phone().E164})
	pages.MountSurveys(withClients(st))
}

// mountServiceDesk: service requests, their costs and the knowledge base.
func mountServiceDesk(api *httpapi.Server, pages *web.Pages, st *postgres.Services, log *slog.Logger) {
	httpapi.RegisterTickets(api.API(), httpapi.TicketDeps{Store: st, Products: st, Logger: log})
	pages.MountTickets(st, st)
	pages.MountServiceCosts(st, st)

	pages.MountKB(st)
}

// mountFunnel: the sales funnel, deals and the sales chart.
func mountFunnel(api *httpapi.Server, pages *web.Pages, st *postgres.Services, log *slog.Logger, base string) {
	httpapi.RegisterFunnel(api.API(), httpapi.FunnelDeps{Store: st, Logger: log})
	pages.MountFunnel(st, time.Now)
	pages.MountDeals(st, time.Now)
	pages.MountSales(st, base, time.Now)
}

// mountResources: stock, money, documents and projects.
func mountResources(api *httpapi.Server, pages *web.Pages, st *postgres.Services, log *slog.Logger) {
	h := api.API()
	resources := httpapi.ResourceDeps{Store: st, Logger: log}
	httpapi.RegisterStock(h, resources)
	httpapi.RegisterMoney(h, st, resources)
	httpapi.RegisterDocuments(h, withClients(st), maxDocumentBytes, resources)
	httpapi.RegisterProjects(h, st, resources)
	pages.MountStock(st)
	pages.MountPlans(st)
	pages.MountMoney(st, time.Now)
	pages.MountClientMoney(st, time.Now)
	pages.MountDocuments(st, maxDocumentBytes)
}

// mountSupervision: the supervisor reports and the wallboard.
func mountSupervision(api *httpapi.Server, pages *web.Pages, tel *telephonyParts, st *postgres.Services, log *slog.Logger) {
	httpapi.RegisterReports(api.API(), httpapi.ReportDeps{Store: st, Logger: log, Location: api.Catalogue().Zone()})
	httpapi.RegisterWallboard(api.API(), tel.metrics)
	pages.MountSupervisor(web.SupervisorOptions{Reports: st, Board: tel.metrics})
}

// mountAdmin: users and teams; a user change reloads this replica's agent
// roster at once (the others within rosterRefresh).
func mountAdmin(api *httpapi.Server, pages *web.Pages, tel *telephonyParts, st *postgres.Services, log *slog.Logger) {
	pages.MountAdmin(web.AdminOptions{Store: st, AgentsChanged: tel.refreshAgents, RosterRefresh: rosterRefresh})
}
