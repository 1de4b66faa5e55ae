package service

import (
	"fmt"
	"strings"
	"time"
)

// TermsOutcome is what a product's support terms decided for a new
// ticket, recorded in its history (EventSupport).
type TermsOutcome struct {
	Terms *SupportTerms
	// Active: the support period had not ended when the ticket was opened.
	Active bool
	// Priority is the priority the terms gave the ticket; empty when they
	// did not decide it (set by hand, the client's class as urgent, none).
	Priority Priority
	// Plan is the name of the SLA plan the terms gave; empty when they did not.
	Plan string
}

// Note is the history line, e.g. "priority critical and SLA plan
// "Premium 24/7" from support of PBX appliance until 2027-03-01".
func (o TermsOutcome) Note() string {
	if o.Terms == nil {
		return ""
	}
	name := o.Terms.Product
	if name == "" {
		name = fmt.Sprintf("product %d", o.Terms.ProductID)
	}
	if !o.Active {
		return fmt.Sprintf("support of %s ended on %s: normal handling", name, day(o.Terms.Until))
	}
	period := "with no end date"
	if !o.Terms.Until.IsZero() {
		period = "until " + day(o.Terms.Until)
	}
	var got []string
	if o.Priority != "" {
		got = append(got, "priority "+string(o.Priority))
	}
	if o.Plan != "" {
		got = append(got, fmt.Sprintf("SLA plan %q", o.Plan))
	}
	if len(got) == 0 {
		return fmt.Sprintf("under support of %s %s (the request keeps its own priority and SLA plan)", name, period)
	}
	return fmt.Sprintf("%s from support of %s %s", strings.Join(got, " and "), name, period)
}

// day formats a date for history lines.
func day(t time.Time) string { return t.Format(time.DateOnly) }
