package postgres_test

import (
	"context"
	"testing"

	"hotline/crm"
	"hotline/crm/postgres/pgtest"
)

// TestClientRequisites: a company's INN, KPP, OGRN, addresses and bank
// details are stored, read back, changed and cleared; bad ones change nothing.
func TestClientRequisites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	legal := crm.Requisites{INN: "7707083893", KPP: "773601001", OGRN: "1027700132195",
		LegalAddress: "117312, г. Москва, ул. Вавилова, д. 19", PostalAddress: "117997, г. Москва, а/я 1",
		BankName: "ПАО Сбербанк", BIK: "044525225", Account: "40702810438000060473", CorrAccount: "30101810400000000225"}
	c := mustClient(t, s, crm.Client{Kind: crm.ClientCompany, Name: "ООО «Ромашка»", Legal: legal})
	got, err := s.Clients.GetClient(ctx, c.ID)
	if err != nil || got.Legal != legal {
		t.Fatalf("read back %+v: %v", got.Legal, err)
	}
	bad := got
	bad.Legal.INN = "7707083894"
	if err := s.Clients.UpdateClient(ctx, &bad); err == nil {
		t.Fatal("a wrong INN was accepted")
	}
	if again, _ := s.Clients.GetClient(ctx, c.ID); again.Legal != legal {
		t.Fatalf("a refused update changed %+v", again.Legal)
	}
	got.Legal = crm.Requisites{INN: "500100732259", OGRN: "304500116000157"}
	if err := s.Clients.UpdateClient(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Clients.GetClient(ctx, c.ID); again.Legal != got.Legal {
		t.Fatalf("updated %+v", again.Legal)
	}
	// The database keeps the shapes whatever writes to it.
	if _, err := s.DB.Pool().Exec(ctx, `UPDATE clients SET bik = '12345' WHERE id = $1`, c.ID); err == nil {
		t.Fatal("the table took a malformed BIK")
	}
}
