package crm_test

import (
	"testing"

	"hotline/crm"
)

func TestRequisitesChecks(t *testing.T) {
	// Sberbank's published details: INN 7707083893, KPP 773601001,
	// OGRN 1027700132195, BIK 044525225, corr. account 30101810400000000225;
	// the account 40702810438000060473 has its check digit for that BIK.
	good := crm.Requisites{INN: "7707083893", KPP: "773601001", OGRN: "1027700132195", BIK: "044525225",
		Account: "40702810438000060473", CorrAccount: "30101 810 4000 0000 0225", LegalAddress: " 117312, г. Москва, ул. Вавилова, д. 19 "}
	for _, tc := range []struct {
		name  string
		edit  func(r *crm.Requisites)
		field string
	}{
		{"all good", func(*crm.Requisites) {}, ""},
		{"empty", func(r *crm.Requisites) { *r = crm.Requisites{} }, ""},
		{"individual's INN", func(r *crm.Requisites) { r.INN, r.KPP = "500100732259", "" }, ""},
		{"OGRNIP", func(r *crm.Requisites) { r.OGRN = "304500116000157" }, ""},
		{"INN check digit", func(r *crm.Requisites) { r.INN = "7707083894" }, "inn"},
		{"INN length", func(r *crm.Requisites) { r.INN = "77070838" }, "inn"},
		{"INN letters", func(r *crm.Requisites) { r.INN = "77070838AB" }, "inn"},
		{"individual's INN check digit", func(r *crm.Requisites) { r.INN, r.KPP = "500100732258", "" }, "inn"},
		{"KPP of an individual", func(r *crm.Requisites) { r.INN = "500100732259" }, "kpp"},
		{"KPP shape", func(r *crm.Requisites) { r.KPP = "77360100" }, "kpp"},
		{"OGRN check digit", func(r *crm.Requisites) { r.OGRN = "1027700132196" }, "ogrn"},
		{"OGRNIP check digit", func(r *crm.Requisites) { r.OGRN = "304500116000158" }, "ogrn"},
		{"BIK", func(r *crm.Requisites) { r.BIK = "144525225" }, "bik"},
		{"account without BIK", func(r *crm.Requisites) { r.BIK = "" }, "bik"},
		{"account's check digit", func(r *crm.Requisites) { r.Account = "40702810438000060474" }, "account"},
		{"account at another bank", func(r *crm.Requisites) { r.BIK, r.CorrAccount = "044525593", "" }, "account"},
		{"corr. account", func(r *crm.Requisites) { r.CorrAccount = "30101810400000000226" }, "corr_account"},
		{"address too long", func(r *crm.Requisites) { r.PostalAddress = string(make([]rune, 501)) }, "postal_address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := good
			tc.edit(&r)
			err := r.Validate()
			if got := fieldOf(err); got != tc.field {
				t.Fatalf("field %q (%v), want %q", got, err, tc.field)
			}
		})
	}
	r := good
	if err := r.Validate(); err != nil || r.CorrAccount != "30101810400000000225" || r.LegalAddress != "117312, г. Москва, ул. Вавилова, д. 19" {
		t.Fatalf("tidied %+v: %v", r, err)
	}
}

func fieldOf(err error) string {
	if e, ok := err.(*crm.Error); ok {
		return e.Field
	}
	if err != nil {
		return "?"
	}
	return ""
}
