package web_test

import (
	"hotline/crm/postgres"
	"hotline/crm/web"
)

// withProducts is the store with the catalogue's product methods, which
// the service desk pages use to pick products.
type withProducts struct {
	*postgres.Services
	*postgres.StockService
}

// productsOf is st for the service desk pages that pick products.
func productsOf(st *postgres.Services) withProducts { return withProducts{st, st.Stock} }

// stockPageDeps are the warehouse page's services in st.
func stockPageDeps(st *postgres.Services) web.StockPageDeps {
	return web.StockPageDeps{Catalogue: st.Stock, Stock: st.Stock, Reservations: st.Stock, Access: st, Plans: st}
}

// planPageDeps are the project pages' services in st.
func planPageDeps(st *postgres.Services) web.PlanPageDeps {
	return web.PlanPageDeps{Projects: st.Projects, Deals: st, TicketLinks: st}
}

// moneyPageDeps are the money pages' services in st.
func moneyPageDeps(st *postgres.Services) web.MoneyPageDeps {
	return web.MoneyPageDeps{Money: st.Money, Catalogue: st.Stock}
}

// documentPageDeps are the document library's services in st.
func documentPageDeps(st *postgres.Services, maxSize int) web.DocumentPageDeps {
	return web.DocumentPageDeps{Documents: st.Documents, Teams: st, MaxSize: maxSize}
}
