package web

import (
	"hotline/crm"
	"hotline/crm/funnel"
	"hotline/internal/i18n"
)

// Names the migrations seed (priority classes, the default funnel and its
// stages, the default survey) are shown in the reader's language while they are unchanged:
// the stored English seed maps to a catalogue key. A name an admin has
// changed is data and shows as typed. The database keeps the seed, so the
// API, CSV for integrators and Grafana read stable names, and a centre in
// either language sees its own words without a migration guessing one.
var seededNames = map[string]string{
	"VIP": "i18n2.seed.class.vip", "Class A": "i18n2.seed.class.a", "Class B": "i18n2.seed.class.b", "Class C": "i18n2.seed.class.c",
	"Key accounts: yearly revenue from 10 000 000 RUB or a personal manager agreement; answered first, callback within 15 minutes.": "i18n2.seed.class.vip_rule",
	"Regular customers with yearly revenue from 1 000 000 RUB; answered before B and C.":                                            "i18n2.seed.class.a_rule",
	"Customers with yearly revenue from 100 000 RUB.":                                                                               "i18n2.seed.class.b_rule",
	"New and occasional customers; the default class.":                                                                              "i18n2.seed.class.c_rule",
	"Sales": "i18n2.seed.funnel.sales", "First contact": "i18n2.seed.stage.first_contact", "Presentation": "i18n2.seed.stage.presentation",
	"After-call satisfaction": "i18n2.seed.survey.default",
	"Needs analysis":          "i18n2.seed.stage.needs_analysis", "Commercial offer": "i18n2.seed.stage.offer", "Project start": "i18n2.seed.stage.project_start",
}

// seeded is name in l's words when it is an unchanged seed, else name.
func seeded(l *i18n.Localizer, name string) string {
	if key, ok := seededNames[name]; ok && l != nil {
		return l.T(key, nil)
	}
	return name
}

// seededClasses words the seeded priority classes for the reader.
func seededClasses(l *i18n.Localizer, classes []crm.PriorityClass) {
	for i := range classes {
		classes[i].Name, classes[i].Description = seeded(l, classes[i].Name), seeded(l, classes[i].Description)
	}
}

// seededFunnel words a funnel's seeded name and stage names for the reader.
func seededFunnel(l *i18n.Localizer, f *funnel.Funnel) {
	f.Name = seeded(l, f.Name)
	for i := range f.Stages {
		f.Stages[i].Name = seeded(l, f.Stages[i].Name)
	}
}

// seededReport words a funnel report's seeded names for the reader.
func seededReport(l *i18n.Localizer, r *funnel.Report) {
	seededFunnel(l, &r.Funnel)
	for i := range r.Stages {
		r.Stages[i].Name = seeded(l, r.Stages[i].Name)
	}
}
