package web

import (
	"strconv"
	"strings"
	"time"

	"hotline/crm/service"
	"hotline/internal/i18n"
)

// supportLine words a request's support-terms history line in l's
// language from its stored record; rows from before records were stored
// show their English Body.
func supportLine(l *i18n.Localizer, e service.Event) string {
	r, ok := service.SupportRecord(e)
	if !ok {
		return e.Body
	}
	name := r.Product
	if name == "" {
		name = l.T("i18n2.support.product_n", map[string]any{"ID": strconv.FormatInt(r.ProductID, 10)})
	}
	until := ""
	if d, err := time.ParseInLocation(time.DateOnly, r.Until, l.Zone()); err == nil {
		until = l.Date(d)
	}
	if !r.Active {
		return l.T("i18n2.support.ended", map[string]any{"Product": name, "Until": until})
	}
	period := l.T("i18n2.support.no_end", nil)
	if until != "" {
		period = l.T("i18n2.support.until", map[string]any{"Until": until})
	}
	var got []string
	if r.Priority != "" {
		got = append(got, l.T("i18n2.support.priority", map[string]any{"Priority": l.T("js.priority."+string(r.Priority), nil)}))
	}
	if r.Plan != "" {
		got = append(got, l.T("i18n2.support.plan", map[string]any{"Plan": r.Plan}))
	}
	if len(got) == 0 {
		return l.T("i18n2.support.kept", map[string]any{"Product": name, "Period": period})
	}
	return l.T("i18n2.support.gave", map[string]any{"Given": strings.Join(got, l.T("i18n2.support.and", nil)),
		"Product": name, "Period": period})
}
