package httpapi

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/internal/i18n"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "hotline_session"

// CSRFHeader and CSRFField carry the session's CSRF token on unsafe
// cookie-authenticated requests (API calls and page forms respectively).
const (
	CSRFHeader = "X-CSRF-Token"
	CSRFField  = "csrf_token"
)

// AuthMethod says how a request proved who it is.
type AuthMethod string

// The authentication methods.
const (
	MethodSession AuthMethod = "session"
	MethodToken   AuthMethod = "token"
)

// Principal is the signed-in user of a request.
type Principal struct {
	User   crm.User
	Method AuthMethod
	CSRF   string // the session's CSRF token (session method only)
	hash   []byte // session token hash
}

// PrincipalFrom returns the request's signed-in user, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey).(*Principal)
	return p
}

// touchEvery is how stale a session's last-seen time may get before a
// request writes it again: the idle timeout is kept to the minute, and a
// busy session costs one UPDATE a minute, not one per request.
const touchEvery = time.Minute

// Auth signs users in and out and resolves the credentials of requests.
// Sessions, their idle time and failed logins live in the store, so that
// replicas sharing the database agree on them.
type Auth struct {
	users    crm.UserService
	sessions crm.SessionService
	log      *slog.Logger
	now      func() time.Time
	secure   bool
	ttl      time.Duration
	idle     time.Duration
	cat      *i18n.Catalogue // for the stale-form page
	limits   auth.Limits

	// selfAuth are paths whose handlers check their own credentials
	// (/metrics); written before serving, read-only after.
	selfAuth map[string]bool

	mu    sync.Mutex
	dummy string // a hash to check against when the login is unknown
}

func newAuth(o Options) *Auth {
	a := &Auth{
		users: o.Users, sessions: o.Sessions, log: o.Logger, now: o.Now, secure: o.CookieSecure,
		ttl: o.SessionTTL, idle: o.IdleTimeout, cat: o.I18n, selfAuth: map[string]bool{},
	}
	if a.ttl <= 0 {
		a.ttl = 12 * time.Hour
	}
	if a.idle <= 0 {
		a.idle = 2 * time.Hour
	}
	a.limits = auth.NewLimits(auth.Limits{Failures: o.Sessions, PerLogin: o.LoginAttempts,
		PerIP: o.LoginAttemptsPerIP, Window: o.LoginWindow})
	return a
}

// Session is a new signed-in session: the cookie to set and the CSRF token
// the page must send back with unsafe requests.
type Session struct {
	User   crm.User
	Cookie *http.Cookie
	CSRF   string
}

// Login checks a password and opens a session. remoteAddr is the client's
// address (host:port or host; behind trusted proxies the forwarded one),
// used with the login for rate limiting: too many recent failures are an
// auth.ErrTooManyAttempts (see auth.RetryAfter).
func (a *Auth) Login(ctx context.Context, login, password, remoteAddr string) (Session, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	host := hostOf(remoteAddr)
	now := a.now()
	if err := a.limits.Check(ctx, login, host, now); errors.Is(err, auth.ErrTooManyAttempts) {
		return Session{}, err
	} else if err != nil {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	user, hash, err := a.users.GetUserByLogin(ctx, login)
	if err != nil && !crm.IsKind(err, crm.KindNotFound) {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	if err != nil {
		hash = a.dummyHash()
	}
	match, cerr := auth.CheckPassword(hash, password)
	if cerr != nil && err == nil {
		return Session{}, fmt.Errorf("login: check password: %w", cerr)
	}
	if err != nil || !match || user.Disabled {
		if err := a.limits.Failed(ctx, login, host, now); err != nil {
			return Session{}, fmt.Errorf("login: %w", err)
		}
		a.log.InfoContext(ctx, "login failed", slog.String("login", login), slog.String("remote", host))
		return Session{}, crm.Errorf(crm.KindUnauthorized, "wrong login or password")
	}
	if err := a.limits.Succeeded(ctx, login, host); err != nil {
		a.log.WarnContext(ctx, "clear failed logins", slog.Any("err", err))
	}
	plain, tokenHash := auth.NewToken()
	csrf, _ := auth.NewToken()
	sess := crm.Session{TokenHash: tokenHash, UserID: user.ID, CSRF: csrf, ExpiresAt: now.Add(a.ttl), CreatedAt: now, LastSeenAt: now}
	if err := a.sessions.CreateSession(ctx, sess); err != nil {
		return Session{}, fmt.Errorf("login: create session: %w", err)
	}
	return Session{User: user, CSRF: csrf, Cookie: a.cookie(plain, sess.ExpiresAt)}, nil
}

// Logout ends the session of the cookie value token, if any, and returns
// the cookie that clears it.
func (a *Auth) Logout(ctx context.Context, token string) (*http.Cookie, error) {
	if token != "" {
		h := auth.HashToken(token)
		if err := a.sessions.DeleteSession(ctx, h); err != nil && !crm.IsKind(err, crm.KindNotFound) {
			return nil, fmt.Errorf("logout: %w", err)
		}
	}
	return a.cookie("", time.Unix(0, 0)), nil
}

func (a *Auth) cookie(value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{
		Name: SessionCookie, Value: value, Path: "/", HttpOnly: true,
		Secure: a.secure, SameSite: http.SameSiteLaxMode, Expires: expires.UTC(),
	}
	if value == "" {
		c.MaxAge = -1
	}
	return c
}

// errBadToken marks a bearer token that is unknown or belongs to a disabled user.
var errBadToken = errors.New("invalid bearer token")

// authenticate resolves the request's principal from a bearer token or the
// session cookie. No credentials give (nil, nil); an expired or unknown
// session cookie is treated as no credentials.
func (a *Auth) authenticate(r *http.Request) (*Principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return nil, errBadToken
		}
		u, err := a.users.UserByAPIToken(ctx, auth.HashToken(strings.TrimSpace(token)))
		if crm.IsKind(err, crm.KindNotFound) || (err == nil && u.Disabled) {
			return nil, errBadToken
		}
		if err != nil {
			return nil, fmt.Errorf("authenticate token: %w", err)
		}
		return &Principal{User: u, Method: MethodToken}, nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	h := auth.HashToken(c.Value)
	sess, u, err := a.sessions.GetSession(ctx, h)
	if crm.IsKind(err, crm.KindNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate session: %w", err)
	}
	now := a.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > a.idle || u.Disabled {
		if err := a.sessions.DeleteSession(ctx, h); err != nil && !crm.IsKind(err, crm.KindNotFound) {
			a.log.WarnContext(ctx, "delete expired session", slog.Any("err", err))
		}
		return nil, nil
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := a.sessions.TouchSession(ctx, h, now); err != nil {
			// the request goes on; the session may end up to a minute early
			a.log.WarnContext(ctx, "record session use", slog.Any("err", err))
		}
	}
	return &Principal{User: u, Method: MethodSession, CSRF: sess.CSRF, hash: h}, nil
}

// middleware puts the principal into the request context and enforces CSRF
// on cookie-authenticated unsafe requests.
func (a *Auth) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.selfAuth[r.URL.Path] {
			next.ServeHTTP(w, r) // no principal: the handler checks its own credentials
			return
		}
		p, err := a.authenticate(r)
		switch {
		case errors.Is(err, errBadToken):
			w.Header().Set("WWW-Authenticate", `Bearer realm="hotline"`)
			writeProblem(w, http.StatusUnauthorized, "invalid bearer token")
			return
		case err != nil:
			a.log.ErrorContext(r.Context(), "authentication failed", slog.Any("err", err), slog.String("request_id", RequestID(r.Context())))
			writeProblem(w, http.StatusServiceUnavailable, "cannot check credentials now, try again")
			return
		}
		if p == nil && !safeMethod(r.Method) && !sameOrigin(r) {
			// Against login CSRF: a sign-in form posted from another site.
			writeProblem(w, http.StatusForbidden, "cross-site request refused")
			return
		}
		if p != nil && p.Method == MethodSession && !safeMethod(r.Method) {
			if ok, tooBig := validCSRF(r, p.CSRF); tooBig {
				writeProblem(w, http.StatusRequestEntityTooLarge, "the form is larger than 1 MiB")
				return
			} else if !ok {
				a.csrfFailed(w, r, p)
				return
			}
		}
		ctx := context.WithValue(r.Context(), principalKey, p)
		if p != nil {
			ctx = crm.NewContextWithUser(ctx, &p.User, p.CSRF)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// csrfFailed answers a cookie request whose CSRF token is missing or wrong.
func (a *Auth) csrfFailed(w http.ResponseWriter, r *http.Request, p *Principal) {
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		// A page form from before the last sign-in: say so in words, in
		// the user's language.
		lang := a.cat.Match(r.Header.Get("Accept-Language"))
		if l, err := i18n.ParseLang(p.User.Language); err == nil {
			lang = l
		}
		l := a.cat.For(lang)
		var page strings.Builder
		_ = staleFormPage.Execute(&page, map[string]string{"Lang": string(lang), "Title": l.T("auth.stale.title", nil),
			"Heading": l.T("auth.stale.heading", nil), "Text": l.T("auth.stale.text", nil), "Back": l.T("auth.stale.back", nil)})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(page.String()))
		return
	}
	writeProblem(w, http.StatusForbidden, "missing or wrong CSRF token: send the "+CSRFHeader+" header (or the "+CSRFField+" form field)")
}

var staleFormPage = template.Must(template.New("stale").Parse(`<!doctype html><html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}} · Hotline</title>
<link rel="stylesheet" href="/static/app.css"></head><body><main class="page"><div class="card narrow">
<h1>{{.Heading}}</h1><p>{{.Text}}</p><p><a href="/clients">{{.Back}}</a></p></div></main></body></html>`))

// sameOrigin reports whether the request's Origin header, when present,
// names this host.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// validCSRF compares the header (or, for form posts, the form field) with
// the session's token. A form over MaxFormBytes is reported as tooBig.
func validCSRF(r *http.Request, want string) (ok, tooBig bool) {
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		ct := r.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data") {
			r.Body = http.MaxBytesReader(nil, r.Body, MaxFormBytes)
			if err := r.ParseForm(); err != nil {
				var mbe *http.MaxBytesError
				return false, errors.As(err, &mbe)
			}
			got = r.PostFormValue(CSRFField)
		}
	}
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1, false
}

// MaxFormBytes is the largest form body accepted.
const MaxFormBytes = 1 << 20

func (a *Auth) dummyHash() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.dummy == "" {
		a.dummy, _ = auth.HashPassword("not-a-real-password-but-same-cost")
	}
	return a.dummy
}

func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}
