package pgtest

import (
	"context"

	"hotline/crm"
	"hotline/crm/postgres"
)

// Directory names users and priority classes on screen-pop cards in tests
// (screenpop.Directory): users from the store, classes from its priority
// service.
type Directory struct{ St *postgres.Services }

// CardDirectory is the screen-pop directory over st.
func CardDirectory(st *postgres.Services) Directory { return Directory{St: st} }

// UserNames returns the display names of the users.
func (d Directory) UserNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	return d.St.UserNames(ctx, ids)
}

// ListPriorityClasses returns the priority classes, most important first.
func (d Directory) ListPriorityClasses(ctx context.Context) ([]crm.PriorityClass, error) {
	return d.St.Priority.List(ctx)
}

// StoreWithClients is the store with the client methods of its client
// service, for test code that hands one value to an interface mixing
// clients with other features.
type StoreWithClients struct {
	*postgres.Services
	*postgres.ClientService
}

// WithClients is st as a StoreWithClients.
func WithClients(st *postgres.Services) StoreWithClients {
	return StoreWithClients{Services: st, ClientService: st.Clients}
}
