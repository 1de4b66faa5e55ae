package web

import (
	"errors"
	"net/http"
	"strconv"

	"hotline/crm"
	"hotline/crm/auth"
)

type loginData struct {
	Login string
	Next  string
}

func (p *Pages) loginPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if crm.UserFromContext(r.Context()) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	p.render(w, r, http.StatusOK, "login", "web.login.title", view{Data: loginData{Next: next}})
}

func (p *Pages) login(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	login, next := r.PostFormValue("login"), safeNext(r.PostFormValue("next"))
	cookie, err := p.api.SignIn(r.Context(), login, r.PostFormValue("password"), r.RemoteAddr)
	if err != nil {
		status, msg := http.StatusUnauthorized, loc(r).T("web.login.wrong", nil)
		switch {
		case errors.Is(err, auth.ErrTooManyAttempts):
			status, msg = http.StatusTooManyRequests, loc(r).T("web.login.too_many", nil)
			w.Header().Set("Retry-After", strconv.Itoa(auth.RetryAfter(err)))
		case !crm.IsKind(err, crm.KindUnauthorized):
			p.errorPage(w, r, err)
			return
		}
		p.render(w, r, status, "login", "web.login.title", view{Error: msg, Data: loginData{Login: login, Next: next}})
		return
	}
	http.SetCookie(w, cookie)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (p *Pages) logout(w http.ResponseWriter, r *http.Request) {
	c, err := p.api.SignOut(r)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	http.SetCookie(w, c)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
