package web_test

import (
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/web"
)

// mountPages mounts the pages over st with the client pages and the
// client API operations their pickers search, as serve does: the shell,
// then the clients feature.
func mountPages(api *httpapi.Server, st *postgres.Services) (*web.Pages, error) {
	httpapi.RegisterClients(api, httpapi.ClientDeps{Clients: st.Clients, Tickets: st.DB.VisibleTickets})
	pages, err := web.Mount(api, web.Options{Users: st.Users, Teams: st.Teams})
	if err != nil {
		return nil, err
	}
	pages.MountClients(clientPageDeps(st))
	return pages, nil
}

// clientPageDeps are the client pages' services over st.
func clientPageDeps(st *postgres.Services) web.ClientPageDeps {
	return web.ClientPageDeps{Clients: st.Clients, Priority: st.Priority, Tickets: st.DB.VisibleTickets}
}
