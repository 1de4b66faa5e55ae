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
