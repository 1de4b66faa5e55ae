package web

import (
	"errors"
	"strings"

	"hotline/crm"
	"hotline/internal/i18n"
)

// errorKeys translates the domain's most common messages (crm.Error.Format)
// into catalogue keys; their texts read the format's arguments as .A.
var errorKeys = map[string]string{
	"is required":                                          "web.err.required",
	"must be positive":                                     "web.err.positive",
	"must not be negative":                                 "web.err.not_negative",
	"must be at most %d characters":                        "web.err.max_chars",
	"must be 1-%d characters":                              "web.err.chars_range",
	"is not valid UTF-8 text":                              "web.err.utf8",
	"must not contain NUL characters":                      "web.err.nul",
	"must not contain direction overrides":                 "web.err.bidi",
	"is too large":                                         "web.err.too_large",
	"is not a known user":                                  "web.err.unknown_user",
	"is not a known product":                               "web.err.unknown_product",
	"is not a known client":                                "web.err.unknown_client",
	"want a day as YYYY-MM-DD":                             "web.err.day",
	"%q is not an email address":                           "web.err.email",
	"is already taken":                                     "web.err.taken",
	"choose an owner from the list":                        "web.err.choose_owner",
	"choose a lead from the list":                          "web.err.choose_lead",
	"must be ru, en or empty (the centre's language)":      "web.err.language",
	"must be at least %d characters":                       "web.err.min_chars",
	"the period needs from < to":                           "web.err.period",
	"%q is not an IANA time zone such as Europe/Moscow":    "web.err.zone",
	"must be an ISO 4217 code such as RUB":                 "web.err.currency",
	"each tag must be 1-50 characters":                     "web.err.tag",
	"at most 50 tags":                                      "web.err.tags",
	"write the amount like 1200.50 (at most two decimals)": "web.err.amount",
	"write the amount in roubles, e.g. 1 234,56":           "web.err.amount",
}

// errorText says a domain error in the reader's language: the field's name
// and the rule it breaks. A message the catalogue does not know yet is
// shown as the domain wrote it, after the field's name.
func errorText(l *i18n.Localizer, err error) string {
	var e *crm.Error
	if !errors.As(err, &e) {
		return l.T("web.error.internal", nil)
	}
	msg := e.Message
	if key, ok := errorKeys[e.Format]; ok {
		msg = l.T(key, map[string]any{"A": e.Args})
	}
	if e.Field == "" {
		return msg
	}
	field := e.Field
	if k := "web.field." + e.Field; l.Has(k) {
		field = l.T(k, nil)
	}
	return l.T("web.err.field", map[string]any{"Field": field, "Message": msg})
}

// periodError says what is wrong with a report period typed on a form.
func periodError(l *i18n.Localizer, err error) string {
	if strings.Contains(err.Error(), "must be after from") {
		return l.T("web.report.period_reversed", nil)
	}
	return l.T("web.report.bad_period", nil)
}
