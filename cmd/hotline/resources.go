package main

import (
	"hotline/crm/demo"
	"hotline/crm/postgres"
)

// withProducts is the store with the catalogue's product methods, for the
// service desk pages that pick products (the new request's product, a
// request's materials) until they take the catalogue as a dependency of
// their own.
type withProducts struct {
	*postgres.Services
	*postgres.StockService
}

// demoResources are the resource services the demo data fills.
func demoResources(st *postgres.Services) demo.Resources {
	return demo.Resources{Catalogue: st.Stock, Stock: st.Stock, Reservations: st.Stock,
		Money: st.Money, Documents: st.Documents, Projects: st.Projects}
}
