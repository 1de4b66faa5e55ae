package ari

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures the client of one Asterisk node.
type Config struct {
	// Node names the Asterisk node in logs and in every Message; default: host:port of URL.
	Node string
	// URL is the ARI base, e.g. "http://127.0.0.1:8088" or "https://pbx:8089/ari";
	// "/ari" is added when missing. Credentials in it are moved to User/Password.
	URL string
	// User and Password are the ari.conf user for HTTP basic auth.
	User, Password string
	// App is the Stasis application name to register, e.g. "hotline".
	App string
	// HTTPClient makes the WebSocket handshake, and REST calls when set;
	// default: a new client for the handshake, and REST calls over the
	// client's own pool of kept-alive connections (see restconn.go), unless
	// a proxy from the environment applies to URL.
	HTTPClient *http.Client
	// Logger receives connection state changes; default: discard.
	Logger *slog.Logger
	// EventFilter lists the event types Asterisk should send (set with
	// PUT /applications/{app}/eventFilter after each connect); empty = all.
	EventFilter []string
	// OnConnect runs after each (re)connect and event-filter setup, before the
	// first event of the connection is handled; the tracker reconciles here.
	OnConnect func(ctx context.Context)
	// OnIdle, when set, is called on Run's goroutine, between two frames,
	// whenever the event socket has nothing more to read right now: the
	// frames that arrived together have all been handled and the reader is
	// about to wait for the network (see idleconn.go), and when a
	// connection ends. The tracker flushes its journal here. It may also
	// be called with nothing handled since the last call, and must not
	// block for long.
	OnIdle func()

	// RequestTimeout bounds each REST call and the WebSocket handshake; default 10s.
	RequestTimeout time.Duration
	// ReconnectMin and ReconnectMax bound the reconnect backoff; default 500ms and 30s.
	ReconnectMin, ReconnectMax time.Duration
	// PingInterval is how often the event socket is pinged to detect a dead
	// peer; default 30s, negative disables.
	PingInterval time.Duration
	// Rand returns a number in [0,1) for backoff jitter; default math/rand/v2.
	Rand func() float64
	// Now is the clock for Stats; default time.Now.
	Now func() time.Time
}

// String describes the node without its password.
func (c Config) String() string {
	return fmt.Sprintf("ari.Config{Node:%q URL:%q User:%q App:%q}", c.Node, redactURL(c.URL), c.User, c.App)
}

// GoString is String, so that %#v cannot print the password either.
func (c Config) GoString() string { return c.String() }

// LogValue logs the node without its password.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("node", c.Node), slog.String("url", redactURL(c.URL)),
		slog.String("user", c.User), slog.String("app", c.App))
}

// Client talks to one Asterisk node: typed REST calls, and Run for the event
// WebSocket. Its methods are safe for concurrent use.
type Client struct {
	cfg  Config
	base string // ARI base URL without credentials or trailing slash, e.g. http://h:8088/ari
	ws   string // event WebSocket URL, without query
	http *http.Client
	rest *restPool // REST calls, or nil: through http
	log  *slog.Logger

	connected atomic.Bool
	running   atomic.Bool
	mu        sync.Mutex // guards stats
	stats     Stats
}

// NewClient checks cfg and returns a client; it does not connect.
func NewClient(cfg Config) (*Client, error) {
	if cfg.App == "" {
		return nil, errors.New("ari: config: App is required")
	}
	u, err := parseBaseURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("ari: config: %w", err)
	}
	if u.User != nil {
		if cfg.User == "" {
			cfg.User = u.User.Username()
			cfg.Password, _ = u.User.Password()
		}
		u.User = nil
	}
	if cfg.Node == "" {
		cfg.Node = u.Host
	}
	ownHTTP := cfg.HTTPClient == nil
	setDefaults(&cfg)
	c := &Client{cfg: cfg, base: u.String(), http: cfg.HTTPClient}
	if ownHTTP && !proxied(u) {
		// The same TLS settings as net/http's default: the system's roots
		// (SSL_CERT_DIR) and the URL's host name.
		c.rest = newRESTPool(u, nil)
	}
	wsu := *u
	wsu.Scheme = map[string]string{"http": "ws", "https": "wss"}[u.Scheme]
	c.ws = wsu.String() + "/events"
	c.log = cfg.Logger.With("ari_node", cfg.Node, "ari_url", c.base)
	c.stats.Events = map[string]uint64{}
	return c, nil
}

func setDefaults(cfg *Config) {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	if cfg.ReconnectMin <= 0 {
		cfg.ReconnectMin = 500 * time.Millisecond
	}
	if cfg.ReconnectMax <= 0 {
		cfg.ReconnectMax = 30 * time.Second
	}
	if cfg.ReconnectMax < cfg.ReconnectMin {
		cfg.ReconnectMax = cfg.ReconnectMin
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PingInterval == 0 {
		cfg.PingInterval = 30 * time.Second
	}
}

// parseBaseURL accepts http(s) or ws(s) URLs and returns the http(s) ARI base.
func parseBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("URL is required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the input, which may hold a password.
		return nil, fmt.Errorf("URL %q does not parse", redactURL(raw))
	}
	switch u.Scheme {
	case "http", "https":
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	default:
		return nil, fmt.Errorf("URL %q: scheme must be http, https, ws or wss", redactURL(raw))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("URL %q has no host", redactURL(raw))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("URL %q: query and fragment are not allowed", redactURL(raw))
	}
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, "/events")
	if !strings.HasSuffix(p, "/ari") {
		p += "/ari"
	}
	u.Path, u.RawPath = p, ""
	return u, nil
}

// redactURL hides the userinfo of a URL-like string, even one that does not parse.
func redactURL(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return s[:i+3] + "xxxxx@" + rest[at+1:]
	}
	return s
}

// proxied reports whether net/http's default would reach u through a proxy
// (HTTP_PROXY, HTTPS_PROXY, NO_PROXY); the REST pool dials directly only.
func proxied(u *url.URL) bool {
	p, err := http.ProxyFromEnvironment(&http.Request{URL: u})
	return err != nil || p != nil
}

// Node returns the configured node name.
func (c *Client) Node() string { return c.cfg.Node }

// Error is a REST call that Asterisk answered with a non-2xx status. It never
// holds credentials.
type Error struct {
	// Op names the call, e.g. "channels.answer".
	Op string
	// Path is the request path below the ARI base, e.g. "/channels/123/answer".
	Path string
	// Status is the HTTP status code.
	Status int
	// Message is Asterisk's explanation (its "message" or "error" key).
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("ari %s %s: %d %s", e.Op, e.Path, e.Status, e.Message)
}

// StatusOf returns the HTTP status of an *Error in err's chain, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// IsNotFound reports whether err is a 404 from Asterisk (unknown channel,
// bridge, playback, variable, or an unregistered application).
func IsNotFound(err error) bool { return StatusOf(err) == http.StatusNotFound }

// call is one REST request.
type call struct {
	op, method string
	path       []string // path segments below the base; escaped by do
	query      url.Values
	body       any // JSON body, or nil
}

// do runs a REST call and decodes a 2xx JSON answer into out (if not nil).
func (c *Client) do(ctx context.Context, r call, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	path := escapePath(r.path)
	target := c.base + path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return fmt.Errorf("ari %s: encode body: %w", r.op, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return fmt.Errorf("ari %s: %w", r.op, c.scrub(err))
	}
	req.SetBasicAuth(c.cfg.User, c.cfg.Password)
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	var status int
	var data []byte
	if c.rest != nil {
		status, data, err = c.rest.roundTrip(ctx, req)
	} else {
		status, data, err = c.roundTripHTTP(req)
	}
	if err != nil {
		return fmt.Errorf("ari %s %s: %w", r.op, path, c.scrub(err))
	}
	if status < 200 || status > 299 {
		return &Error{Op: r.op, Path: path, Status: status, Message: c.errorMessage(status, data)}
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("ari %s %s: decode answer: %w", r.op, path, err)
	}
	return nil
}

// roundTripHTTP is roundTrip through net/http, for a Config.HTTPClient or a proxy.
func (c *Client) roundTripHTTP(req *http.Request) (int, []byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := readAnswer(resp.Body, resp.ContentLength)
	if err != nil {
		return 0, nil, fmt.Errorf("read answer: %w", err)
	}
	return resp.StatusCode, data, nil
}

// errorMessage reads Asterisk's error body: {"message":…} mostly, {"error":…}
// for some 500s (originate "Allocation failed").
func (c *Client) errorMessage(status int, body []byte) string {
	var e struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil {
		if e.Message != "" {
			return c.scrubString(e.Message)
		}
		if e.Error != "" {
			return c.scrubString(e.Error)
		}
	}
	if s := strings.TrimSpace(string(body)); s != "" && len(s) <= 200 && !bytes.ContainsAny(body, "<{") {
		return c.scrubString(s)
	}
	return http.StatusText(status)
}

// escapePath joins path segments, escaping each; ';' stays as is (Local
// channel ids end in ";1" / ";2").
func escapePath(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(url.PathEscape(s), "%3B", ";"))
	}
	return b.String()
}

// scrubbedError hides the password in an error's text while keeping it for errors.Is/As.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

func (c *Client) scrub(err error) error {
	msg := c.scrubString(err.Error())
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}

func (c *Client) scrubString(s string) string {
	if c.cfg.Password != "" && strings.Contains(s, c.cfg.Password) {
		s = strings.ReplaceAll(s, c.cfg.Password, "xxxxx")
	}
	return redactURL(s)
}
