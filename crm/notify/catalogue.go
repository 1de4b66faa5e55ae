package notify

import (
	"hotline/internal/i18n"
)

// CatalogueWording is the wording of notifications: admins' templates from
// store, else the message catalogue's (keys notify.template.<key>.subject
// and .body), in the message's language or the centre's.
func CatalogueWording(cat *i18n.Catalogue, store TemplateStore) Wording {
	return Wording{
		Store: store,
		Lang:  func(lang string) string { return string(cat.For(i18n.Lang(lang)).Lang()) },
		Default: func(key, lang string) Template {
			l := cat.For(i18n.Lang(lang))
			t := Template{Body: l.T("notify.template."+key+".body", nil)}
			if !IsSMS(key) {
				t.Subject = l.T("notify.template."+key+".subject", nil)
			}
			return t
		},
	}
}

// StatusText names a ticket status for customers in lang, from the catalogue.
func StatusText(cat *i18n.Catalogue) func(lang, status string) string {
	return func(lang, status string) string {
		return cat.For(i18n.Lang(lang)).T("notify.status."+status, nil)
	}
}

// NoticeText is an in-app notice in the reader's language (older notices
// kept their English text in Body).
func NoticeText(l *i18n.Localizer, n Notification) string {
	if n.Kind == "" || (n.Body != "" && len(n.Args) == 0) {
		return n.Body
	}
	args := map[string]any{"Number": n.TicketID, "Subject": n.Subject, "Level": n.Args["level"], "Clock": ""}
	if c := n.Args["clock"]; c == "response" || c == "resolution" {
		args["Clock"] = l.T("notify.clock."+c, nil)
	}
	return l.T("notify.notice."+n.Kind, args)
}
