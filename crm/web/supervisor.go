package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/telephony"
	"hotline/telephony/wallboard"
)

// Board is the live state of agents and calls (*metrics.Metrics).
type Board interface {
	Snapshot() wallboard.Snapshot
	// Changes returns a channel that receives a value after the state changes.
	Changes() (<-chan struct{}, func())
}

// SupervisorPageDeps are what the supervisor pages need. Reports is
// required; without Board the wallboard is not mounted.
type SupervisorPageDeps struct {
	Reports  telephony.ReportService
	Board    Board
	Now      func() time.Time // default time.Now
	Location *time.Location   // where report days and "today" start; default the centre's zone (the catalogue's)
	// Tick is how often the wallboard socket re-sends the state so that
	// waiting times advance (default 1 s); CSATEvery how often today's CSAT
	// is re-read from PostgreSQL (default 30 s).
	Tick      time.Duration
	CSATEvery time.Duration
}

// supervisor serves the pages for supervisors and admins.
type supervisor struct {
	p     *Pages
	opts  SupervisorPageDeps
	csat  csatCache
	names namesCache
}

// MountSupervisor adds the supervisor pages: the agent efficiency report at
// /reports/agents and, with a Board, the live wallboard at /wallboard with
// its WebSocket /api/v1/wallboard/socket. Only supervisors and admins may
// open them; the nav bar links them for those roles.
func (p *Pages) MountSupervisor(opts SupervisorPageDeps) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = p.api.Catalogue().Zone()
	}
	if opts.Tick <= 0 {
		opts.Tick = time.Second
	}
	if opts.CSATEvery <= 0 {
		opts.CSATEvery = 30 * time.Second
	}
	s := &supervisor{p: p, opts: opts}
	roles := crm.SupervisorOrAdmin
	r := p.api.Router()
	r.Group(func(r chi.Router) {
		r.Use(p.requireUser, s.requireSupervisor)
		r.Get("/reports/agents", s.agentReportPage)
		if opts.Board != nil {
			r.Get("/wallboard", s.wallboardPage)
		}
	})
	if opts.Board != nil {
		r.Get("/api/v1/wallboard/socket", s.wallboardSocket)
		p.AddNav(NavItem{Label: "web.nav.wallboard", Path: "/wallboard", Roles: roles})
	}
	p.AddNav(NavItem{Label: "web.nav.agent_report", Path: "/reports/agents", Roles: roles, Group: "web.nav.group.reports"})
}

// requireSupervisor answers 403 with an error page to agents.
func (s *supervisor) requireSupervisor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr := crm.UserFromContext(r.Context())
		if pr == nil || !slices.Contains(crm.SupervisorOrAdmin, pr.Role) {
			s.p.render(w, r, http.StatusForbidden, "error", "web.error.title.forbidden",
				view{Error: loc(r).T("web.error.forbidden", nil)})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// agentReportView is what supervisor_agents.html shows.
type agentReportView struct {
	From, To   string // the form's values
	Rows       []reportRow
	Total      *reportRow
	CSVURL     string
	Start, End time.Time // the period shown (End exclusive)
}

func (s *supervisor) agentReportPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := agentReportView{From: q.Get("from"), To: q.Get("to")}
	from, to, err := telephony.ParsePeriod(v.From, v.To, s.opts.Now(), s.opts.Location)
	if err != nil {
		s.p.render(w, r, http.StatusUnprocessableEntity, "supervisor_agents", "web.nav.agent_report",
			view{Error: periodError(loc(r), err), Data: v})
		return
	}
	rep, err := s.opts.Reports.AgentReport(r.Context(), from, to)
	if err != nil {
		s.p.errorPage(w, r, err)
		return
	}
	if v.From == "" {
		v.From = from.In(s.opts.Location).Format(time.DateOnly)
	}
	if v.To == "" {
		v.To = to.Add(-time.Nanosecond).In(s.opts.Location).Format(time.DateOnly)
	}
	for _, a := range rep.Agents {
		v.Rows = append(v.Rows, reportRowOf(a))
	}
	total := reportRowOf(rep.Total)
	v.Total = &total
	v.Start, v.End = from, to
	v.CSVURL = "/api/v1/reports/agents.csv?" + url.Values{"from": {v.From}, "to": {v.To}}.Encode()
	s.p.render(w, r, http.StatusOK, "supervisor_agents", "web.nav.agent_report", view{Data: v})
}

// csatCache keeps today's CSAT for the wallboard, read at most every CSATEvery.
type csatCache struct {
	mu    sync.Mutex
	at    time.Time
	value *float64
}

// todayCSAT returns today's CSAT percent, nil when there are no surveys or answers.
func (s *supervisor) todayCSAT(ctx context.Context) *float64 {
	c := &s.csat
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.opts.Now()
	if !c.at.IsZero() && now.Sub(c.at) < s.opts.CSATEvery {
		return c.value
	}
	from, to, err := telephony.ParsePeriod("", "", now, s.opts.Location)
	if err == nil {
		var rep telephony.AgentReport
		if rep, err = s.opts.Reports.AgentReport(ctx, from, to); err == nil {
			c.value = rep.Total.CSAT
		}
	}
	if err != nil {
		s.p.log.WarnContext(ctx, "wallboard: today's CSAT", slog.Any("err", err))
	}
	c.at = now
	return c.value
}

// namesCache keeps the users' display names for the wallboard, read at
// most every CSATEvery (the socket sends a frame every Tick).
type namesCache struct {
	mu    sync.Mutex
	at    time.Time
	names map[string]string
}

// agentNames returns login -> display name of every user with a name; on a
// read error the last names known (the page falls back to logins).
func (s *supervisor) agentNames(ctx context.Context) map[string]string {
	c := &s.names
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.opts.Now()
	if !c.at.IsZero() && now.Sub(c.at) < s.opts.CSATEvery {
		return c.names
	}
	c.at = now
	users, err := s.p.users.ListUsers(ctx)
	if err != nil {
		s.p.log.WarnContext(ctx, "wallboard: user names", slog.Any("err", err))
		return c.names
	}
	names := make(map[string]string, len(users))
	for _, u := range users {
		if u.Name != "" {
			names[u.Login] = u.Name
		}
	}
	c.names = names
	return names
}
