package web

import (
	"net/http"

	"hotline/crm"
	"hotline/internal/i18n"
)

// profileData is what profile.html shows.
type profileData struct {
	Language string // the user's choice: "ru", "en" or "" (the browser's, else the centre's)
	Langs    []i18n.Lang
}

// profilePage shows the signed-in user's own settings: the language pages
// are shown in.
func (p *Pages) profilePage(w http.ResponseWriter, r *http.Request) {
	u := crm.UserFromContext(r.Context())
	v := view{Data: profileData{Language: u.Language, Langs: i18n.Langs}}
	if r.URL.Query().Get("done") == "1" {
		v.Flash = loc(r).T("web.profile.saved", nil)
	}
	p.render(w, r, http.StatusOK, "profile", "web.nav.profile", v)
}

// saveProfile stores the user's language; the next page is in it.
func (p *Pages) saveProfile(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	u, err := p.users.GetUser(r.Context(), crm.UserFromContext(r.Context()).ID)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	u.Language = r.PostFormValue("language")
	if err := p.users.UpdateUser(r.Context(), &u); err != nil {
		if crm.ErrorStatus(err) == http.StatusUnprocessableEntity {
			p.render(w, r, http.StatusUnprocessableEntity, "profile", "web.nav.profile",
				view{Error: errorText(loc(r), err), Data: profileData{Language: u.Language, Langs: i18n.Langs}})
			return
		}
		p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/profile?done=1", http.StatusSeeOther)
}
