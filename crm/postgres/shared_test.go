package postgres_test

import (
	"testing"

	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// TestSharedDatabase runs the tests that do not depend on what else is in
// the database against one database, in parallel: each database costs a
// second or two on a busy machine.
func TestSharedDatabase(t *testing.T) {
	t.Parallel()
	s := pgtest.NewStore(t)
	for name, fn := range map[string]func(*testing.T, *postgres.Services){
		"ClientCRUD":                    testClientCRUD,
		"SharedPhone":                   testSharedPhone,
		"ConcurrentCreateClient":        testConcurrentCreateClient,
		"ConcurrentCreateUserSameLogin": testConcurrentCreateUserSameLogin,
		"InjectionStringsVerbatim":      testInjectionStringsVerbatim,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, s)
		})
	}
}
