// Package web is Hotline's server-rendered user interface: the login page,
// client search, the client card with its timeline, and the shell (nav bar,
// layout, embedded CSS and JS) that later pages such as the agent console and
// supervisor reports are added into with AddNav and RenderPage.
package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/funnel"
	"hotline/crm/kb"
	"hotline/crm/notify"
	"hotline/crm/phone"
	"hotline/crm/resource"
	"hotline/crm/service"
	"hotline/internal/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the pages. Users and Teams are required.
type Options struct {
	// Users are the staff: pages name owners, agents and authors, and the
	// profile page changes the signed-in user's language.
	Users crm.UserService
	// Teams are listed where a page offers them (document grants).
	Teams  service.TeamService
	Logger *slog.Logger
}

// Server is what the pages need from the HTTP server they are mounted on
// (*httpapi.Server): its router, message catalogue and phone normaliser,
// and signing in and out through its sessions.
type Server interface {
	Router() chi.Router
	Catalogue() *i18n.Catalogue
	Phone() phone.Normalizer
	// SignIn checks a password and opens a session, returning the cookie
	// to set; too many failures are an auth.ErrTooManyAttempts.
	SignIn(ctx context.Context, login, password, remoteAddr string) (*http.Cookie, error)
	// SignOut ends the request's session and returns the cookie that
	// clears it.
	SignOut(r *http.Request) (*http.Cookie, error)
}

// maxFormBytes is the largest form body accepted: the API's limit for the
// forms whose CSRF token it checks (httpapi.MaxFormBytes).
const maxFormBytes = 1 << 20

// consoleSocketPath is the agent console's WebSocket
// (httpapi.ConsoleSocketPath).
const consoleSocketPath = "/api/v1/console/socket"

// statusPath is the public status page of the request with token, which
// the customer is given (httpapi.StatusPath).
func statusPath(token string) string { return "/status/" + token }

// NavItem is a link in the nav bar, shown to the roles listed (all when
// empty). Items with a Group are listed under that group's drop-down menu,
// so the bar stays one row for a supervisor who sees every page.
type NavItem struct {
	Label string
	Path  string
	Roles []crm.Role
	Group string
}

// navEntry is one place in the nav bar: a link, or a group of links.
type navEntry struct {
	NavItem
	Items  []NavItem
	Active bool // the page shown is this link or one of the group's
}

// Pages serves the user interface.
type Pages struct {
	api   Server
	users crm.UserService
	teams service.TeamService
	log   *slog.Logger
	pages map[i18n.Lang]map[string]*template.Template // by language, then page

	mu       sync.RWMutex
	nav      []NavItem
	stock    bool                  // MountStock ran: client and ticket pages show availability
	deals    funnel.DealService    // MountDeals ran: the client card lists the client's deals
	money    resource.MoneyService // MountClientMoney ran: the card shows the client's year
	moneyNow func() time.Time
	projects resource.ProjectService // MountPlans ran: the client card lists the client's projects
	// ticketLinks is set by MountPlans: requests and projects name each other.
	ticketLinks TicketProjects
	calls       bool                // MountCalls ran: client cards, requests and the console link to the call log
	kb          kb.Service          // MountKB ran: the knowledge base links to articles and their editor
	costs       service.TicketCosts // MountTickets had costs: requests show them, users their rates
	// notify is set by MountNotify: client cards show the notification setting.
	notify notify.Service
	// clients is set by MountClients: the client pages' services.
	clients ClientPageDeps
}

// Mount adds the pages and static assets to the server's router.
func Mount(api Server, opts Options) (*Pages, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Pages{api: api, users: opts.Users, teams: opts.Teams, log: opts.Logger,
		nav: []NavItem{{Label: "web.nav.clients", Path: "/clients"}}}
	if err := p.parse(); err != nil {
		return nil, err
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("static assets: %w", err)
	}
	r := api.Router()
	r.Handle("/static/*", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	r.Get("/login", p.loginPage)
	r.Post("/login", p.login)
	r.Post("/logout", p.logout)
	r.Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Get("/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/clients", http.StatusSeeOther) })
		r.Get("/profile", p.profilePage)
		r.Post("/profile", p.saveProfile)
	})
	return p, nil
}

// AddNav adds a link to the nav bar (e.g. "Console" for agents, "Reports" for supervisors).
func (p *Pages) AddNav(item NavItem) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nav = append(p.nav, item)
}

// hasStock reports whether the stock module is mounted.
func (p *Pages) hasStock() bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.stock
}

// requireUser is middleware for pages: it sends anonymous visitors to the
// login page.
func (p *Pages) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if crm.UserFromContext(r.Context()) == nil {
			http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (p *Pages) parse() error {
	cat := p.api.Catalogue()
	jsKeys := jsKeysOf(cat)
	p.pages = map[i18n.Lang]map[string]*template.Template{}
	for _, lang := range i18n.Langs {
		pages, err := parsePages(textFuncs(cat.For(lang), jsKeys))
		if err != nil {
			return err
		}
		p.pages[lang] = pages
	}
	return nil
}

// parsePages parses every page template with the layout, with the text
// functions of one language.
func parsePages(text template.FuncMap) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"join":     strings.Join,
		"initials": initials,
		"prioClass": func(code string) string {
			return "prio prio-" + strings.ToLower(code)
		},
		"bodyAfter": bodyAfter,
		"major":     resource.Major,
		"dict":      dict,
		"list":      func(v ...any) []any { return v },
		"rouble":    roubleKopecks,
		"qty":       quantityText,
	}
	for k, f := range text {
		funcs[k] = f
	}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	pages := map[string]*template.Template{}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		pages[strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")] = t
	}
	return pages, nil
}

// page is the template of a page in the request's language.
func (p *Pages) page(r *http.Request, name string) (*template.Template, bool) {
	t, ok := p.pages[loc(r).Lang()][name]
	return t, ok
}

// view is what every page template gets.
type view struct {
	Title  string
	User   *crm.User
	CSRF   string
	Nav    []navEntry
	Active string
	Flash  string
	Error  string
	Data   any
}

// render executes a page template inside the layout; title is a catalogue
// key, unless v.Title is already set (a title made of data, e.g. a name).
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, page, title string, v view) {
	t, ok := p.page(r, page)
	if !ok {
		http.Error(w, "no such template", http.StatusInternalServerError)
		return
	}
	if v.Title == "" {
		v.Title = loc(r).T(title, nil)
	}
	if v.Active == "" {
		v.Active = r.URL.Path
	}
	if pr := crm.UserFromContext(r.Context()); pr != nil {
		v.User, v.CSRF = pr, crm.CSRFFromContext(r.Context())
		v.Nav = p.navFor(pr.Role, v.Active)
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		p.log.ErrorContext(r.Context(), "render page", slog.String("page", page), slog.Any("err", err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}

// RenderPage renders content (already safe HTML, e.g. from another
// package's template) inside the shell with the nav bar; title is a
// catalogue key.
func (p *Pages) RenderPage(w http.ResponseWriter, r *http.Request, status int, title string, content template.HTML) {
	p.render(w, r, status, "custom", title, view{Data: content})
}

// navFor is the nav bar a role sees, in the order the links were added; a
// group takes the place of its first link. active is the page shown.
func (p *Pages) navFor(role crm.Role, active string) []navEntry {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []navEntry
	groups := map[string]int{} // group label -> index in out
	for _, n := range p.nav {
		if len(n.Roles) != 0 && !slices.Contains(n.Roles, role) {
			continue
		}
		if n.Group == "" {
			out = append(out, navEntry{NavItem: n, Active: n.Path == active})
			continue
		}
		i, ok := groups[n.Group]
		if !ok {
			i = len(out)
			groups[n.Group] = i
			out = append(out, navEntry{NavItem: NavItem{Label: n.Group}})
		}
		out[i].Items = append(out[i].Items, n)
		out[i].Active = out[i].Active || n.Path == active
	}
	if i, ok := groups[adminGroup]; ok { // administration comes last, whichever feature added to it first
		out = append(append(out[:i:i], out[i+1:]...), out[i])
	}
	return out
}

// adminGroup is the nav group of the admin pages.
const adminGroup = "web.nav.group.admin"

// errorPage shows an error in the shell with the status it maps to.
func (p *Pages) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	status := crm.ErrorStatus(err)
	l := loc(r)
	msg := l.T("web.error.internal", nil)
	title := "web.error.title.internal"
	switch status {
	case http.StatusNotFound:
		msg, title = l.T("web.error.not_found", nil), "web.error.title.not_found"
	case http.StatusForbidden:
		msg, title = l.T("web.error.forbidden", nil), "web.error.title.forbidden"
	case http.StatusUnprocessableEntity, http.StatusConflict:
		msg, title = errorText(l, err), "web.error.title.invalid"
	}
	if status >= 500 {
		p.log.ErrorContext(r.Context(), "page failed", slog.String("path", r.URL.Path), slog.Any("err", err),
			slog.String("request_id", crm.RequestIDFromContext(r.Context())))
	}
	p.render(w, r, status, "error", title, view{Error: msg})
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		next.ServeHTTP(w, r)
	})
}
