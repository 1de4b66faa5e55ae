package web

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/service"
	"hotline/internal/i18n"
)

// SLAPlanStore is what the SLA plan pages read and change (*postgres.Services).
type SLAPlanStore interface {
	ListSLAPlans(ctx context.Context) ([]service.SLAPlan, error)
	GetSLAPlan(ctx context.Context, id int64) (service.SLAPlan, error)
	SaveSLAPlan(ctx context.Context, p *service.SLAPlan) error
	SLAPlanUsage(ctx context.Context) (map[int64]service.PlanUsage, error)
}

// AdminPageDeps are what the admin pages need. Users, Sessions, Teams and
// SLAPlans are required.
type AdminPageDeps struct {
	Users    crm.UserService
	Sessions crm.SessionService // a disabled user or a new password signs out everywhere
	Teams    service.TeamService
	SLAPlans SLAPlanStore
	// AgentsChanged is called after a user is added or their role,
	// endpoints or disabled flag change, so that the call tracker's
	// endpoint roster and the metrics' agent list reload at once instead
	// of at their next timed refresh (RosterRefresh). Nil: nothing to tell.
	AgentsChanged func(ctx context.Context) error
	// RosterRefresh is how often the roster reloads by itself (other
	// replicas rely on it); the page's help text says so. Default 30 s.
	RosterRefresh time.Duration
	// NewPassword makes a password for "generate one"; default
	// GeneratePassword.
	NewPassword func() string
}

// adminPages serves /admin/users, /admin/teams and /admin/sla-plans.
type adminPages struct {
	p    *Pages
	deps AdminPageDeps
}

// MountAdmin adds the admin pages: users (add, edit, disable, new
// password) at /admin/users, teams (create, lead, members, delete) at
// /admin/teams and SLA plans (list, add, change) at /admin/sla-plans,
// linked under the nav bar's Admin menu. Only admins may open them, as only
// admins may change these through the API; agents and supervisors get 403
// and see no link.
func (p *Pages) MountAdmin(deps AdminPageDeps) {
	if deps.NewPassword == nil {
		deps.NewPassword = GeneratePassword
	}
	if deps.RosterRefresh <= 0 {
		deps.RosterRefresh = 30 * time.Second
	}
	a := &adminPages{p: p, deps: deps}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser, a.requireAdmin)
		r.Get("/admin", a.home)
		r.Get("/admin/users", a.listUsers)
		r.Get("/admin/users/new", a.newUser)
		r.Post("/admin/users", a.createUser)
		r.Get("/admin/users/{id}", a.editUser)
		r.Post("/admin/users/{id}", a.updateUser)
		r.Post("/admin/users/{id}/disable", a.setDisabled(true))
		r.Post("/admin/users/{id}/enable", a.setDisabled(false))
		r.Post("/admin/users/{id}/password", a.setPassword)
		r.Get("/admin/teams", a.listTeams)
		r.Post("/admin/teams", a.createTeam)
		r.Post("/admin/teams/{id}/members", a.addMember)
		r.Post("/admin/teams/{id}/members/{user}/remove", a.removeMember)
		r.Get("/admin/teams/{id}/delete", a.confirmDeleteTeam)
		r.Post("/admin/teams/{id}/delete", a.deleteTeam)
		r.Post("/admin/teams/{id}/lead", a.setLead)
		r.Get("/admin/sla-plans", a.listPlans)
		r.Get("/admin/sla-plans/new", a.newPlan)
		r.Post("/admin/sla-plans", a.savePlan)
		r.Get("/admin/sla-plans/{id}", a.editPlan)
		r.Post("/admin/sla-plans/{id}", a.savePlan)
	})
	admins := crm.AdminOnly
	p.AddNav(NavItem{Label: "web.nav.users", Path: "/admin/users", Roles: admins, Group: "web.nav.group.admin"})
	p.AddNav(NavItem{Label: "web.nav.teams", Path: "/admin/teams", Roles: admins, Group: "web.nav.group.admin"})
	p.AddNav(NavItem{Label: "web.nav.sla_plans", Path: "/admin/sla-plans", Roles: admins, Group: "web.nav.group.admin"})
}

// home sends /admin to the users list.
func (a *adminPages) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}

// requireAdmin answers 403 with an error page to everyone but admins.
func (a *adminPages) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr := crm.UserFromContext(r.Context())
		if pr == nil || pr.Role != crm.RoleAdmin {
			a.p.render(w, r, http.StatusForbidden, "error", "web.error.title.forbidden",
				view{Error: loc(r).T("web.error.admins_only", nil)})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// me is the signed-in admin.
func me(r *http.Request) crm.User { return *crm.UserFromContext(r.Context()) }

// agentsChanged tells the roster to reload; a failure is logged, as the
// timed refresh catches up.
func (a *adminPages) agentsChanged(ctx context.Context) {
	if a.deps.AgentsChanged == nil {
		return
	}
	if err := a.deps.AgentsChanged(ctx); err != nil {
		a.p.log.WarnContext(ctx, "reload the agent roster after a user change", slog.Any("err", err))
	}
}

// userFacing reports whether err is the user's to fix (bad input or a
// conflict with the stored state), to show on the form, rather than a
// failure for the error page.
func userFacing(err error) bool {
	return crm.IsKind(err, crm.KindInvalid) || crm.IsKind(err, crm.KindConflict)
}

// formMessage words a domain error for a form: "Login: is already taken",
// without the database's own text that err.Error() appends.
func formMessage(err error) string {
	var e *crm.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Field == "" {
		return msg
	}
	return fieldLabel(e.Field) + ": " + msg
}

// fieldLabel is how a form names a field.
func fieldLabel(field string) string {
	switch field {
	case "user_id":
		return "User"
	case "lead_id":
		return "Lead"
	case "disabled":
		return "Status"
	}
	return strings.ToUpper(field[:1]) + field[1:]
}

// GeneratePassword returns a random password of 16 characters from the
// base32 alphabet in groups of four (80 bits), easy to read out.
func GeneratePassword() string {
	s := rand.Text()[:16]
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// wordDuration says a refresh interval in words: "30 seconds", "2 minutes".
func wordDuration(l *i18n.Localizer, d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return l.N("web.admin.minutes", int(d/time.Minute), nil)
	}
	return l.N("web.admin.seconds", int((d+time.Second-1)/time.Second), nil)
}
