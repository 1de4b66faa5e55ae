package web

import (
	"testing"
	"time"

	"hotline/crm/service"
	"hotline/internal/i18n"
)

// TestSupportLineInTheReadersLanguage: the support-terms history line is
// stored as a record and worded in each reader's language; a row stored
// before records (English text only) still shows its text.
func TestSupportLineInTheReadersLanguage(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	cat, err := i18n.Load(i18n.Options{Default: i18n.Russian, Zone: msk})
	if err != nil {
		t.Fatal(err)
	}
	ru, en := cat.For(i18n.Russian), cat.For(i18n.English)
	terms := &service.SupportTerms{ProductID: 7, Product: "АТС Офис", Until: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)}
	event := func(o service.TermsOutcome) service.Event {
		return service.Event{Kind: service.EventSupport, Field: service.TermsRecordField, New: o.Record(), Body: o.Note()}
	}
	gave := event(service.TermsOutcome{Terms: terms, Active: true, Priority: service.PriorityCritical, Plan: "Премиум 24/7"})
	ended := event(service.TermsOutcome{Terms: terms})
	kept := event(service.TermsOutcome{Terms: &service.SupportTerms{ProductID: 9}, Active: true})
	for _, c := range []struct {
		l    *i18n.Localizer
		e    service.Event
		want string
	}{
		{ru, gave, "приоритет «критический» и план SLA «Премиум 24/7» по поддержке АТС Офис до 01.03.2027"},
		{en, gave, `priority critical and SLA plan "Премиум 24/7" from support of АТС Офис until 1 Mar 2027`},
		{ru, ended, "поддержка АТС Офис закончилась 01.03.2027: обычная обработка"},
		{ru, kept, "на поддержке товар 9 без срока окончания (у заявки свои приоритет и план SLA)"},
		{ru, service.Event{Kind: service.EventSupport, Body: "support of SIP trunk ended on 2026-01-01: normal handling"},
			"support of SIP trunk ended on 2026-01-01: normal handling"},
	} {
		if got := supportLine(c.l, c.e); got != c.want {
			t.Errorf("%s: %q, want %q", c.l.Lang(), got, c.want)
		}
	}
}
