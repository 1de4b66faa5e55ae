package web_test

import (
	"hotline/crm/postgres"
	"hotline/crm/web"
)

// deskProducts are the products the service desk pages pick, with their
// support terms.
type deskProducts struct {
	*postgres.StockService
	*postgres.SLAService
}

// productsOf are st's products for the service desk pages that pick them.
func productsOf(st *postgres.Services) deskProducts { return deskProducts{st.Stock, st.SLA} }

// stockPageDeps are the warehouse page's services in st.
func stockPageDeps(st *postgres.Services) web.StockPageDeps {
	return web.StockPageDeps{Catalogue: st.Stock, Stock: st.Stock, Reservations: st.Stock, Access: st.DB, Plans: st.SLA}
}

// planPageDeps are the project pages' services in st.
func planPageDeps(st *postgres.Services) web.PlanPageDeps {
	return web.PlanPageDeps{Projects: st.Projects, Deals: st.Funnel, TicketLinks: st.Tickets}
}

// moneyPageDeps are the money pages' services in st.
func moneyPageDeps(st *postgres.Services) web.MoneyPageDeps {
	return web.MoneyPageDeps{Money: st.Money, Catalogue: st.Stock}
}

// documentPageDeps are the document library's services in st.
func documentPageDeps(st *postgres.Services, maxSize int) web.DocumentPageDeps {
	return web.DocumentPageDeps{Documents: st.Documents, Teams: st.Teams, MaxSize: maxSize}
}
