package main

import (
	"hotline/crm/demo"
	"hotline/crm/postgres"
)

// deskProducts are the products the service desk's pages pick (the
// catalogue and a client's purchases) with their support terms.
type deskProducts struct {
	*postgres.StockService
	*postgres.SLAService
}

// demoResources are the resource services the demo data fills.
func demoResources(st *postgres.Services) demo.Resources {
	return demo.Resources{Catalogue: st.Stock, Stock: st.Stock, Reservations: st.Stock,
		Money: st.Money, Documents: st.Documents, Projects: st.Projects}
}

// demoResourceStore is what the resource module's demo data reads and
// writes of other features: clients, deals, requests and SLA plans.
type demoResourceStore struct {
	*postgres.ClientService
	*postgres.FunnelService
	*postgres.TicketService
	*postgres.SLAService
}

// demoResourceStoreOf is st's services the resource module's demo data uses.
func demoResourceStoreOf(st *postgres.Services) demoResourceStore {
	return demoResourceStore{st.Clients, st.Funnel, st.Tickets, st.SLA}
}
