package service

import (
	"testing"
	"time"
)

func TestTermsOutcomeNote(t *testing.T) {
	until := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	pbx := &SupportTerms{ProductID: 7, Product: "PBX appliance", Priority: PriorityCritical, Until: until}
	for _, tc := range []struct {
		name string
		o    TermsOutcome
		want string
	}{
		{"priority and plan", TermsOutcome{Terms: pbx, Active: true, Priority: PriorityCritical, Plan: "Premium 24/7"},
			`priority critical and SLA plan "Premium 24/7" from support of PBX appliance until 2027-03-01`},
		{"priority only", TermsOutcome{Terms: pbx, Active: true, Priority: PriorityCritical},
			"priority critical from support of PBX appliance until 2027-03-01"},
		{"plan only", TermsOutcome{Terms: pbx, Active: true, Plan: "Next business day"},
			`SLA plan "Next business day" from support of PBX appliance until 2027-03-01`},
		{"nothing decided", TermsOutcome{Terms: pbx, Active: true},
			"under support of PBX appliance until 2027-03-01 (the request keeps its own priority and SLA plan)"},
		{"expired", TermsOutcome{Terms: pbx}, "support of PBX appliance ended on 2027-03-01: normal handling"},
		{"no end, no name", TermsOutcome{Terms: &SupportTerms{ProductID: 3}, Active: true, Priority: PriorityHigh},
			"priority high from support of product 3 with no end date"},
		{"no terms", TermsOutcome{}, ""},
	} {
		if got := tc.o.Note(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
