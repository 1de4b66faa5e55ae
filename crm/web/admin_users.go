package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/auth"
)

// userRow is a line of the users list.
type userRow struct {
	crm.User
	Teams []string
	Me    bool
}

type usersData struct {
	Users   []userRow
	Role    string // the role filter, "" for all
	Roles   []crm.Role
	Total   int // users of every role
	Refresh string
}

// userForm is the add/edit form as posted (strings, to show back). The
// password is never shown back.
type userForm struct {
	Login, Name, Role, Endpoints string
	Email                        string
	Field                        string // the field an error is about
}

// userPageData is what admin_user.html shows: the add form (ID 0) or a
// user's edit, status and password forms.
type userPageData struct {
	ID          int64
	User        crm.User // the stored user (edit only)
	Self        bool     // the user is the signed-in admin
	Form        userForm
	Section     string // the form an error belongs to: details, status or password
	Roles       []crm.Role
	MinPassword int
	Refresh     string
	// EmailLabel and EmailHelp title the e-mail field, from the catalogue.
	EmailLabel, EmailHelp string
	// Rate is the user's own hourly rate in kopecks, RateShown whether the
	// service costs are mounted (the rate form is shown).
	Rate      *int64
	RateShown bool
	RateError bool
}

// passwordData is admin_password.html: a generated password, shown once.
type passwordData struct {
	User     crm.User
	Password string
	Created  bool // the user was just added (else: password replaced)
}

// doneMessages are the confirmations a redirect after a change asks for
// with ?done=, so that no posted text is reflected into the page.
var doneMessages = map[string]string{
	"created":  "web.admin.done.created",
	"saved":    "web.admin.done.saved",
	"disabled": "web.admin.done.disabled",
	"enabled":  "web.admin.done.enabled",
	"password": "web.admin.done.password",
}

// doneFlash is the confirmation ?done= asks for, in the reader's language.
func doneFlash(r *http.Request, keys map[string]string) string {
	if key, ok := keys[r.URL.Query().Get("done")]; ok {
		return loc(r).T(key, nil)
	}
	return ""
}

func (a *adminPages) listUsers(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	users, err := a.deps.Users.ListUsers(ctx)
	if err != nil {
		a.p.errorPage(w, r, err)
		return
	}
	teams, err := a.deps.Teams.ListTeams(ctx)
	if err != nil {
		a.p.errorPage(w, r, err)
		return
	}
	inTeams := map[int64][]string{}
	for _, t := range teams {
		for _, m := range t.Members {
			inTeams[m] = append(inTeams[m], t.Name)
		}
	}
	d := usersData{Role: r.URL.Query().Get("role"), Roles: crm.Roles, Total: len(users), Refresh: wordDuration(loc(r), a.deps.RosterRefresh)}
	if !crm.Role(d.Role).Valid() {
		d.Role = ""
	}
	self := me(r).ID
	for _, u := range users {
		if d.Role == "" || string(u.Role) == d.Role {
			d.Users = append(d.Users, userRow{User: u, Teams: inTeams[u.ID], Me: u.ID == self})
		}
	}
	a.p.render(w, r, http.StatusOK, "admin_users", "web.nav.users", view{Data: d, Flash: doneFlash(r, doneMessages)})
}

func (a *adminPages) newUser(w http.ResponseWriter, r *http.Request) {
	a.renderUser(w, r, http.StatusOK, userPageData{Form: userForm{Role: string(crm.RoleAgent)}}, nil)
}

// renderUser shows the add form or a user's page, with err (a failed
// change, shown at the top and on its field) when not nil.
func (a *adminPages) renderUser(w http.ResponseWriter, r *http.Request, status int, d userPageData, err error) {
	d.Roles, d.MinPassword, d.Refresh = crm.Roles, crm.MinPasswordLength, wordDuration(loc(r), a.deps.RosterRefresh)
	d.EmailLabel, d.EmailHelp = loc(r).T("notify.user.email", nil), loc(r).T("notify.user.email_help", nil)
	v := view{Active: "/admin/users", Flash: doneFlash(r, doneMessages), Title: loc(r).T("web.admin.add_user_title", nil)}
	if d.ID != 0 {
		v.Title = loc(r).T("web.admin.user_title", map[string]any{"Login": d.User.Login})
		d.Self = d.ID == me(r).ID
		if costs := a.p.serviceCosts(); costs != nil {
			rate, rerr := costs.UserRate(r.Context(), d.ID)
			if rerr != nil {
				a.p.errorPage(w, r, rerr)
				return
			}
			d.Rate, d.RateShown, d.RateError = rate, true, r.URL.Query().Get("rate_error") == "1"
		}
	}
	if err != nil {
		v.Error, v.Flash, d.Form.Field = errorText(loc(r), err), "", fieldOf(err)
	}
	v.Data = d
	a.p.render(w, r, status, "admin_user", "", v)
}

func userFormFrom(r *http.Request) userForm {
	v := r.PostFormValue
	return userForm{Login: v("login"), Name: v("name"), Role: v("role"), Endpoints: v("endpoints"), Email: v("email")}
}

func formOfUser(u crm.User) userForm {
	return userForm{Login: u.Login, Name: u.Name, Role: string(u.Role), Endpoints: strings.Join(u.Endpoints, ", "), Email: u.Email}
}

// splitEndpoints reads endpoints separated by commas, spaces or new lines,
// each once, in the order typed.
func splitEndpoints(s string) []string {
	var out []string
	for _, e := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) }) {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

func (a *adminPages) createUser(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := userFormFrom(r)
	u := crm.User{Login: f.Login, Name: f.Name, Role: crm.Role(f.Role), Endpoints: splitEndpoints(f.Endpoints), Email: f.Email}
	password := r.PostFormValue("password")
	generated := password == ""
	if generated {
		password = a.deps.NewPassword()
	}
	created, err := auth.CreateUser(r.Context(), a.deps.Users, u, password)
	if err != nil {
		if !userFacing(err) {
			a.p.errorPage(w, r, err)
			return
		}
		a.renderUser(w, r, crm.ErrorStatus(err), userPageData{Form: f, Section: "details"}, err)
		return
	}
	a.agentsChanged(r.Context())
	a.p.log.InfoContext(r.Context(), "user added", "login", created.Login, "role", string(created.Role), "by", me(r).Login)
	if generated {
		a.p.render(w, r, http.StatusCreated, "admin_password", "",
			view{Title: loc(r).T("web.admin.password_for", map[string]any{"Login": created.Login}), Active: "/admin/users", Data: passwordData{User: created, Password: password, Created: true}})
		return
	}
	http.Redirect(w, r, userPath(created.ID)+"?done=created", http.StatusSeeOther)
}

func userPath(id int64) string { return "/admin/users/" + strconv.FormatInt(id, 10) }

// storedUser reads the user the path names, answering the error page
// (404 for an unknown id) when it cannot.
func (a *adminPages) storedUser(w http.ResponseWriter, r *http.Request) (crm.User, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		a.p.errorPage(w, r, crm.Errorf(crm.KindNotFound, "no user %q", chi.URLParam(r, "id")))
		return crm.User{}, false
	}
	u, err := a.deps.Users.GetUser(r.Context(), id)
	if err != nil {
		a.p.errorPage(w, r, err)
		return crm.User{}, false
	}
	return u, true
}

func (a *adminPages) editUser(w http.ResponseWriter, r *http.Request) {
	u, ok := a.storedUser(w, r)
	if !ok {
		return
	}
	a.renderUser(w, r, http.StatusOK, userPageData{ID: u.ID, User: u, Form: formOfUser(u)}, nil)
}

func (a *adminPages) updateUser(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	stored, ok := a.storedUser(w, r)
	if !ok {
		return
	}
	f := userFormFrom(r)
	f.Login = stored.Login // the login is not edited here
	u := stored
	u.Name, u.Role, u.Endpoints, u.Email = f.Name, crm.Role(f.Role), splitEndpoints(f.Endpoints), f.Email
	if err := a.deps.Users.UpdateUser(r.Context(), &u); err != nil {
		if !userFacing(err) {
			a.p.errorPage(w, r, err)
			return
		}
		a.renderUser(w, r, crm.ErrorStatus(err), userPageData{ID: stored.ID, User: stored, Form: f, Section: "details"}, err)
		return
	}
	a.agentsChanged(r.Context())
	if u.ID == me(r).ID && u.Role != crm.RoleAdmin {
		// Demoted themselves (another admin remains): the admin pages are
		// no longer theirs.
		http.Redirect(w, r, "/clients", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, userPath(u.ID)+"?done=saved", http.StatusSeeOther)
}

// setDisabled disables (and signs out) or enables the user. Like the API,
// an admin cannot disable themselves; the store keeps the last enabled
// admin.
func (a *adminPages) setDisabled(disabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !parseForm(w, r) {
			return
		}
		stored, ok := a.storedUser(w, r)
		if !ok {
			return
		}
		u := stored
		u.Disabled = disabled
		var err error
		if disabled && u.ID == me(r).ID {
			err = crm.Invalid("disabled", "you cannot disable yourself")
		} else {
			err = a.deps.Users.UpdateUser(r.Context(), &u)
		}
		if err == nil && disabled {
			// Signed out for good: enabling them later revives no session.
			err = a.deps.Sessions.DeleteUserSessions(r.Context(), u.ID)
		}
		if err != nil {
			if !userFacing(err) {
				a.p.errorPage(w, r, err)
				return
			}
			a.renderUser(w, r, crm.ErrorStatus(err), userPageData{ID: stored.ID, User: stored, Form: formOfUser(stored), Section: "status"}, err)
			return
		}
		a.agentsChanged(r.Context())
		done := "enabled"
		if disabled {
			done = "disabled"
		}
		http.Redirect(w, r, userPath(u.ID)+"?done="+done, http.StatusSeeOther)
	}
}

// setPassword sets the typed password or, with action=generate, a new
// random one shown once; either way the user is signed out everywhere.
func (a *adminPages) setPassword(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	stored, ok := a.storedUser(w, r)
	if !ok {
		return
	}
	password := r.PostFormValue("password")
	generated := r.PostFormValue("action") == "generate"
	if generated {
		password = a.deps.NewPassword()
	}
	if err := auth.SetUserPassword(r.Context(), a.deps.Users, a.deps.Sessions, stored.ID, password); err != nil {
		if !userFacing(err) {
			a.p.errorPage(w, r, err)
			return
		}
		a.renderUser(w, r, crm.ErrorStatus(err), userPageData{ID: stored.ID, User: stored, Form: formOfUser(stored), Section: "password"}, err)
		return
	}
	a.p.log.InfoContext(r.Context(), "password set", "login", stored.Login, "by", me(r).Login)
	if generated {
		a.p.render(w, r, http.StatusOK, "admin_password", "",
			view{Title: loc(r).T("web.admin.password_for", map[string]any{"Login": stored.Login}), Active: "/admin/users", Data: passwordData{User: stored, Password: password}})
		return
	}
	http.Redirect(w, r, userPath(stored.ID)+"?done=password", http.StatusSeeOther)
}
