package web

import (
	"errors"
	"net/http"
	"strconv"

	"hotline/crm"
	"hotline/crm/httpapi"
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
	sess, err := p.api.Auth().Login(r.Context(), login, r.PostFormValue("password"), r.RemoteAddr)
	if err != nil {
		status, msg := http.StatusUnauthorized, loc(r).T("web.login.wrong", nil)
		switch {
		case errors.Is(err, httpapi.ErrTooManyAttempts):
			status, msg = http.StatusTooManyRequests, loc(r).T("web.login.too_many", nil)
			w.Header().Set("Retry-After", strconv.Itoa(httpapi.RetryAfter(err)))
		case !crm.IsKind(err, crm.KindUnauthorized):
			p.errorPage(w, r, err)
			return
		}
		p.render(w, r, status, "login", "web.login.title", view{Error: msg, Data: loginData{Login: login, Next: next}})
		return
	}
	http.SetCookie(w, sess.Cookie)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (p *Pages) logout(w http.ResponseWriter, r *http.Request) {
	token := ""
	if c, err := r.Cookie(httpapi.SessionCookie); err == nil {
		token = c.Value
	}
	c, err := p.api.Auth().Logout(r.Context(), token)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	http.SetCookie(w, c)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
