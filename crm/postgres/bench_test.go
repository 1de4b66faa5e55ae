package postgres_test

import (
	"context"
	"testing"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
)

// benchStore returns a store with 20 000 clients, each with a mobile number
// and an email, and one of the numbers.
func benchStore(b *testing.B) (*postgres.Services, string) {
	b.Helper()
	s := pgtest.NewStore(b)
	return s, fillClients(b, s, 20000)
}

// BenchmarkFindClientsByPhone is the screen-pop lookup by E.164 on 20 000
// clients.
func BenchmarkFindClientsByPhone(b *testing.B) {
	s, sample := benchStore(b)
	ctx := context.Background()
	for b.Loop() {
		found, err := s.Clients.FindClientsByPhone(ctx, sample)
		if err != nil || len(found) != 1 {
			b.Fatalf("%d found, %v", len(found), err)
		}
	}
}

// BenchmarkListClientsByDigits searches a part of a number on 20 000 clients.
func BenchmarkListClientsByDigits(b *testing.B) {
	s, sample := benchStore(b)
	ctx := context.Background()
	part := sample[len(sample)-6:]
	for b.Loop() {
		page, err := s.Clients.ListClients(ctx, crm.ClientFilter{Query: part, Limit: 20})
		if err != nil || len(page.Items) == 0 {
			b.Fatalf("%d found, %v", len(page.Items), err)
		}
	}
}
