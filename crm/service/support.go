package service

import (
	"encoding/json"
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

// TermsRecordField is the Field of an EventSupport event whose New holds
// the outcome as JSON (TermsRecord), so pages word it in the reader's
// language; Body keeps the English Note for the API and older readers.
const TermsRecordField = "terms"

// TermsRecord is the stored form of a TermsOutcome.
type TermsRecord struct {
	Product   string   `json:"product,omitempty"`
	ProductID int64    `json:"product_id"`
	Until     string   `json:"until,omitempty"` // "2006-01-02"; "" for no end date
	Active    bool     `json:"active"`
	Priority  Priority `json:"priority,omitempty"`
	Plan      string   `json:"plan,omitempty"`
}

// Record is the outcome as stored JSON; "" without terms.
func (o TermsOutcome) Record() string {
	if o.Terms == nil {
		return ""
	}
	r := TermsRecord{Product: o.Terms.Product, ProductID: o.Terms.ProductID, Active: o.Active, Priority: o.Priority, Plan: o.Plan}
	if !o.Terms.Until.IsZero() {
		r.Until = day(o.Terms.Until)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return ""
	}
	return string(b)
}

// SupportRecord reads an EventSupport event's stored outcome; false for
// rows written before it was stored (their Body is the only text).
func SupportRecord(e Event) (TermsRecord, bool) {
	var r TermsRecord
	if e.Kind != EventSupport || e.Field != TermsRecordField || e.New == "" {
		return r, false
	}
	if err := json.Unmarshal([]byte(e.New), &r); err != nil {
		return r, false
	}
	return r, true
}

// day formats a date for history lines.
func day(t time.Time) string { return t.Format(time.DateOnly) }
