// Package httpapi is Hotline's HTTP transport: the JSON REST API under
// /api/v1 (huma v2 on chi, OpenAPI at /api/openapi.json), authentication by
// session cookie or bearer token, per-operation roles, CSRF protection, the
// health endpoints and the middleware every request passes (request id,
// access log, secure headers, panic recovery).
//
// Other packages add operations with Register (or the Get/Post/... shorthands)
// on Server.API(), always naming the roles allowed, and add pages on
// Server.Router(). Each feature's operations are added by a function of its
// own (RegisterUsers, RegisterTeams, ...) that cmd/hotline calls.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/phone"
	"hotline/internal/i18n"
)

// Check is a named readiness check: /readyz runs every check and fails when any does.
type Check struct {
	Name string
	Func func(ctx context.Context) error
}

// Options configure a Server. Zero values are safe except Users and
// Sessions.
type Options struct {
	// Users are the staff accounts requests sign in as (their API tokens
	// too); Sessions the sign-in sessions and failed sign-ins.
	Users    crm.UserService
	Sessions crm.SessionService
	// Ping checks the database for /readyz (the "postgres" check); nil:
	// no database check.
	Ping         func(ctx context.Context) error
	Logger       *slog.Logger
	Now          func() time.Time
	Version      string
	PhoneRegion  string        // default region for phone numbers without a country code ("RU")
	CookieSecure bool          // mark the session cookie Secure (behind HTTPS)
	SessionTTL   time.Duration // absolute session lifetime (12h)
	IdleTimeout  time.Duration // a session unused this long ends (2h; kept to the minute, in the database)
	// LoginAttempts failed logins per login from one client address, and
	// LoginAttemptsPerIP per client address, are allowed in any LoginWindow
	// (10 and 5×10 per 15 minutes). They are counted in the database,
	// across replicas.
	LoginAttempts      int
	LoginAttemptsPerIP int
	LoginWindow        time.Duration
	Checks             []Check // readiness checks besides PostgreSQL
	// I18n is the message catalogue and the centre's zone (cmd/hotline
	// passes HOTLINE_LANGUAGE and HOTLINE_TIME_ZONE); nil is English in UTC,
	// a neutral default for embedding and tests.
	I18n *i18n.Catalogue

	// TrustedProxies are the reverse proxies whose X-Forwarded-For gives
	// the client's address (for login limits and the access log); none:
	// the peer's address is the client's.
	TrustedProxies []netip.Prefix
}

// Server is the HTTP front of Hotline.
type Server struct {
	users  crm.UserService
	log    *slog.Logger
	now    func() time.Time
	phone  phone.Normalizer
	router chi.Router
	api    huma.API
	auth   *Auth
	checks []Check
	i18n   *i18n.Catalogue
}

// New builds the server with every route of the API registered.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	if opts.I18n == nil {
		cat, err := i18n.Load(i18n.Options{Default: i18n.English, Zone: time.UTC, Logger: opts.Logger})
		if err != nil {
			panic(err) // the embedded catalogue is checked by its tests
		}
		opts.I18n = cat
	}
	s := &Server{
		users:  opts.Users,
		log:    opts.Logger,
		now:    opts.Now,
		phone:  phone.Normalizer{Region: opts.PhoneRegion},
		checks: opts.Checks,
		i18n:   opts.I18n,
	}
	if opts.Ping != nil {
		s.checks = append([]Check{{Name: "postgres", Func: opts.Ping}}, opts.Checks...)
	}
	s.auth = newAuth(opts)
	r := chi.NewRouter()
	r.Use(clientAddress(opts.TrustedProxies), requestIDMiddleware, s.accessLog, recoverer(s.log), secureHeaders, s.auth.middleware, s.localize, s.csvHeaders)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, "no such page or resource")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusMethodNotAllowed, "method not allowed")
	})
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	s.router = r

	s.api = humachi.New(r, apiConfig(opts.Version))
	s.api.UseMiddleware(s.enforceRoles, s.rejectDuplicateKeys)

	registerAuth(s)
	return s
}

// apiConfig is the OpenAPI document's frame: paths, schema names and the
// two ways to authenticate.
func apiConfig(version string) huma.Config {
	cfg := huma.DefaultConfig("Hotline API", version)
	cfg.OpenAPIPath = "/api/openapi"
	cfg.DocsPath = "" // the docs renderer loads scripts from a CDN; the JSON document is enough
	cfg.SchemasPath = "/api/schemas"
	cfg.CreateHooks = nil // no $schema links in bodies
	cfg.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", schemaNamer)
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer":  {Type: "http", Scheme: "bearer", Description: "API token from `hotline token create`"},
		"session": {Type: "apiKey", In: "cookie", Name: SessionCookie, Description: "session from POST /api/v1/auth/login; unsafe methods also need the X-CSRF-Token header"},
	}
	return cfg
}

// Handler is the root handler: API, health endpoints and any pages mounted on Router.
func (s *Server) Handler() http.Handler { return s.router }

// HandleSelfAuthenticated mounts h at path (GET and HEAD) outside session
// and API-token authentication: h checks its own credentials, e.g.
// /metrics with the scrape token, whose Authorization header would
// otherwise be refused as an unknown API token. Request ids, the access log
// (which never records headers), secure headers and panic recovery still
// apply. Call it before serving.
func (s *Server) HandleSelfAuthenticated(path string, h http.Handler) {
	s.auth.selfAuth[path] = true
	s.router.Method(http.MethodGet, path, h)
	s.router.Method(http.MethodHead, path, h)
}

// Router is the chi router; pages are mounted on it.
func (s *Server) Router() chi.Router { return s.router }

// API is the huma API other packages register operations on.
func (s *Server) API() huma.API { return s.api }

// SignIn checks a password and opens a session for the login page: it
// returns the cookie to set. remoteAddr is the client's address, for the
// login limits; too many failures are an auth.ErrTooManyAttempts.
func (s *Server) SignIn(ctx context.Context, login, password, remoteAddr string) (*http.Cookie, error) {
	sess, err := s.auth.Login(ctx, login, password, remoteAddr)
	if err != nil {
		return nil, err
	}
	return sess.Cookie, nil
}

// SignOut ends the session of the request's cookie, if any, and returns
// the cookie that clears it.
func (s *Server) SignOut(r *http.Request) (*http.Cookie, error) {
	token := ""
	if c, err := r.Cookie(SessionCookie); err == nil {
		token = c.Value
	}
	return s.auth.Logout(r.Context(), token)
}

// Phone is the phone normaliser configured for the server's default region.
func (s *Server) Phone() phone.Normalizer { return s.phone }

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"ok"}`))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	// Anyone may ask, so the answer names the failing checks but never
	// their error text (host names, addresses, versions): that is logged.
	type result struct {
		Name string `json:"name"`
		OK   bool   `json:"ok"`
	}
	out := struct {
		Status string   `json:"status"`
		Checks []result `json:"checks"`
	}{Status: "ok"}
	status := http.StatusOK
	for _, c := range s.checks {
		res := result{Name: c.Name, OK: true}
		if err := c.Func(ctx); err != nil {
			res.OK = false
			out.Status, status = "unavailable", http.StatusServiceUnavailable
			s.log.WarnContext(ctx, "readiness check failed", slog.String("check", c.Name), slog.Any("err", err))
		}
		out.Checks = append(out.Checks, res)
	}
	writeJSON(w, status, out)
}
