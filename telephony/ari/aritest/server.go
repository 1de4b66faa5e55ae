package aritest

import (
	"encoding/json"
	"log/slog"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Options configure a Server. The zero value is usable.
type Options struct {
	User, Password string  // basic auth (or api_key=user:pass); default hotline / hotline-secret
	AsteriskID     string  // asterisk_id of every event; default 02:fc:00:00:00:01
	Speed          float64 // virtual clock speed factor; default 1
	Start          time.Time
	// ChannelVarsLinkedID adds channelvars {"CHANNEL(linkedid)": ...} to
	// every channel object, like ari.conf channelvars = CHANNEL(linkedid).
	ChannelVarsLinkedID bool
	Agents              []string // agent endpoint resources; default 1001, 1002, 1003
	// DialContext is the dialplan context whose extensions dial out (an
	// agent's extension, or a number through the pstn trunk); default
	// "agents", the recording's. A channel originated into any other
	// context is hung up at once, as Asterisk does.
	DialContext string
	// Callees, when set, gives the phone of an outside number that has no
	// SetCallee script (the built-in PBX's demo customers answer campaign
	// surveys through it); nil: DefaultPhone.
	Callees func(number string) Phone
	Logger  *slog.Logger
	Seed    int64 // randomness for ids and demo traffic; 0 = time based
	// Addr, if set, makes the server listen on this address (e.g.
	// 127.0.0.1:8088) instead of a random loopback port.
	Addr string
}

// Server is the simulated PBX: an httptest server plus the simulation.
type Server struct {
	opts   Options
	clock  *Clock
	logger *slog.Logger
	http   *httptest.Server

	mu           sync.Mutex
	cond         *sync.Cond
	rnd          *rand.Rand
	epoch        int64
	chanSeq      int
	nameSeq      int
	localSeq     int
	channels     map[string]*channel
	order        []*channel
	bridges      map[string]*bridge
	playback     map[string]*playback
	apps         map[string]*application
	devices      map[string]string
	agents       map[string]*agentEndpoint
	locals       map[string]*localCall // created Local channels awaiting /dial
	pjsipCreated map[string]*pjsipCall
	callees      map[string]Phone // outside numbers' phones (SetCallee)
	stats        struct{ events int }
	faults       faultState
	fetched      []string // HTTP media URLs fetched with a 200 WAV, in order
	closed       bool
	wg           sync.WaitGroup

	outMu     sync.Mutex // guards outbox: events waiting for the dispatcher
	outbox    []pending
	outSignal chan struct{}
	stop      chan struct{}
}

// New starts a simulated Asterisk on a loopback port.
func New(opts Options) *Server {
	if opts.User == "" {
		opts.User, opts.Password = "hotline", "hotline-secret"
	}
	if opts.AsteriskID == "" {
		opts.AsteriskID = "02:fc:00:00:00:01"
	}
	if opts.Start.IsZero() {
		opts.Start = time.Now()
	}
	if opts.DialContext == "" {
		opts.DialContext = "agents"
	}
	if len(opts.Agents) == 0 {
		opts.Agents = []string{"1001", "1002", "1003"}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Seed == 0 {
		opts.Seed = time.Now().UnixNano()
	}
	s := &Server{
		opts: opts, clock: NewClock(opts.Start, opts.Speed), logger: opts.Logger,
		rnd: rand.New(rand.NewSource(opts.Seed)), epoch: opts.Start.Unix(),
		channels: map[string]*channel{}, bridges: map[string]*bridge{},
		playback: map[string]*playback{}, apps: map[string]*application{},
		devices: map[string]string{}, agents: map[string]*agentEndpoint{},
		locals: map[string]*localCall{}, pjsipCreated: map[string]*pjsipCall{}, callees: map[string]Phone{},
	}
	s.cond = sync.NewCond(&s.mu)
	s.outSignal, s.stop = make(chan struct{}, 1), make(chan struct{})
	go s.dispatch()
	for _, a := range opts.Agents {
		s.agents[a] = &agentEndpoint{resource: a}
	}
	s.http = httptest.NewUnstartedServer(s.routes())
	if opts.Addr != "" {
		if l, err := listen(opts.Addr); err == nil {
			s.http.Listener.Close()
			s.http.Listener = l
		} else {
			s.logger.Warn("listen failed, using a random port", "addr", opts.Addr, "err", err)
		}
	}
	s.http.Start()
	return s
}

// URL is the base URL (http://127.0.0.1:port), without /ari.
func (s *Server) URL() string { return s.http.URL }

// Clock is the server's virtual clock.
func (s *Server) Clock() *Clock { return s.clock }

// Close stops the server, closes every WebSocket and ends running scenarios'
// channels.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for _, c := range s.channels {
		c.requestHangup(16)
	}
	for _, a := range s.apps {
		if a.sock != nil {
			a.sock.close()
		}
	}
	s.cond.Broadcast()
	s.mu.Unlock()
	close(s.stop)
	s.http.CloseClientConnections()
	s.http.Close()
}

// EventCount is the number of events the simulation produced so far
// (delivered or not).
func (s *Server) EventCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats.events
}

// ChannelCount is the number of live channels.
func (s *Server) ChannelCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.channels)
}

// WaitIdle blocks until no channel is left or the timeout (real time)
// passes; it reports whether the PBX is idle.
func (s *Server) WaitIdle(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if s.ChannelCount() == 0 {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return s.ChannelCount() == 0
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ari/events", s.handleEvents)
	s.restRoutes(mux)
	mux.HandleFunc("/ari/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, msg("Resource not found"))
	})
	return s.middleware(mux)
}

// middleware checks credentials and applies injected REST faults.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/ari/") {
			writeJSON(w, http.StatusNotFound, msg("Resource not found"))
			return
		}
		if !s.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="Asterisk REST Interface"`)
			writeJSON(w, http.StatusUnauthorized, msg("Authentication required"))
			return
		}
		if r.URL.Path != "/ari/events" && s.applyRESTFault(w, r) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) authorized(r *http.Request) bool {
	if u, p, ok := r.BasicAuth(); ok {
		return u == s.opts.User && p == s.opts.Password
	}
	if k := r.URL.Query().Get("api_key"); k != "" {
		return k == s.opts.User+":"+s.opts.Password
	}
	return false
}

func msg(m string) map[string]string { return map[string]string{"message": m} }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}
