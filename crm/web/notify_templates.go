package web

import (
	"net/http"
	"strings"

	"hotline/crm"
	"hotline/crm/notify"
	"hotline/internal/i18n"
)

// templateForm is one template in one language on the admin page.
type templateForm struct {
	Key, Lang, LangName string
	Subject, Body       string
	SMS, Custom         bool
	Error               string // a refused save, shown on its form
}

// templateGroup is one notification with its forms per language.
type templateGroup struct {
	Key, Name string
	Forms     []templateForm
}

type templatesView struct {
	Groups       []templateGroup
	Placeholders string
	Labels       map[string]string
}

func (np *notifyPages) templates(w http.ResponseWriter, r *http.Request) {
	np.renderTemplates(w, r, http.StatusOK, "", nil)
}

// renderTemplates shows every template in every language; failed is the
// form an admin sent that was refused (kept as typed, with its error).
func (np *notifyPages) renderTemplates(w http.ResponseWriter, r *http.Request, status int, flash string, failed *templateForm) {
	l := i18n.FromContext(r.Context())
	wording := notify.CatalogueWording(np.p.api.Catalogue(), np.notify)
	v := templatesView{Placeholders: strings.Join(notify.Placeholders, " "), Labels: map[string]string{}}
	for _, k := range []string{"intro", "placeholders", "template", "language", "subject", "body", "custom", "default", "reset"} {
		v.Labels[k] = l.T("notify.templates."+k, nil)
	}
	v.Labels["save"] = l.T("common.save", nil)
	for _, key := range notify.Templates {
		g := templateGroup{Key: key, Name: l.T("notify.template."+key+".name", nil)}
		for _, lang := range i18n.Langs {
			t, err := wording.Template(r.Context(), key, string(lang))
			if err != nil {
				np.p.errorPage(w, r, err)
				return
			}
			f := templateForm{Key: key, Lang: string(lang), LangName: l.T("common.language."+string(lang), nil),
				Subject: t.Subject, Body: t.Body, SMS: notify.IsSMS(key), Custom: t.Custom}
			if failed != nil && failed.Key == key && failed.Lang == f.Lang {
				f.Subject, f.Body, f.Error = failed.Subject, failed.Body, failed.Error
			}
			g.Forms = append(g.Forms, f)
		}
		v.Groups = append(v.Groups, g)
	}
	np.p.render(w, r, status, "notify_templates", l.T("notify.templates.title", nil),
		view{Active: "/admin/notification-templates", Flash: flash, Data: v})
}

func (np *notifyPages) saveTemplate(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	l := i18n.FromContext(r.Context())
	t := notify.Template{Key: r.PostFormValue("key"), Lang: r.PostFormValue("lang"),
		Subject: r.PostFormValue("subject"), Body: strings.ReplaceAll(r.PostFormValue("body"), "\r\n", "\n")}
	if _, err := i18n.ParseLang(t.Lang); err != nil {
		np.p.errorPage(w, r, crm.Invalid("lang", "must be ru or en"))
		return
	}
	if r.PostFormValue("action") == "reset" {
		if err := np.notify.ResetNotificationTemplate(r.Context(), t.Key, t.Lang); err != nil {
			np.p.errorPage(w, r, err)
			return
		}
		np.renderTemplates(w, r, http.StatusOK, l.T("notify.templates.was_reset", nil), nil)
		return
	}
	by := me(r).ID
	if err := np.notify.SaveNotificationTemplate(r.Context(), t, &by); err != nil {
		if !crm.IsKind(err, crm.KindInvalid) {
			np.p.errorPage(w, r, err)
			return
		}
		np.renderTemplates(w, r, http.StatusUnprocessableEntity, "", &templateForm{Key: t.Key, Lang: t.Lang,
			Subject: t.Subject, Body: t.Body, Error: err.Error()})
		return
	}
	np.renderTemplates(w, r, http.StatusOK, l.T("notify.templates.saved", nil), nil)
}
