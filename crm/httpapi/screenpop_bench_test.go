package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/telephony/screenpop"
)

// Pop benchmark sizes (issue 5): 1,000,000 clients, 500 connected
// consoles, ringing events at 200/s. HOTLINE_BENCH_CLIENTS overrides the
// client count for a quicker run.
const (
	benchConsoles = 500
	benchRate     = 200 // ringing events per second
)

func benchClients() int {
	if n, err := strconv.Atoi(os.Getenv("HOTLINE_BENCH_CLIENTS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

func benchPhone(i int) string { return fmt.Sprintf("+7999%07d", i) }

// seedBench fills the database with n clients (one phone each, +7999NNNNNNN
// where NNNNNNN is the client id) and the agents with one endpoint each.
func seedBench(b *testing.B, st *postgres.Services, n int) {
	b.Helper()
	ctx := context.Background()
	conn, err := st.DB.Pool().Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release()
	pool := conn.Conn()
	start := time.Now()
	// Bulk loads build GIN (trigram) indexes far faster afterwards than
	// row by row: drop them for the load and recreate them.
	rows, err := pool.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes
		WHERE tablename IN ('clients', 'contacts') AND indexdef LIKE '%USING gin%'`)
	if err != nil {
		b.Fatal(err)
	}
	var defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			b.Fatal(err)
		}
		defs = append(defs, def)
		if _, err := st.DB.Pool().Exec(ctx, "DROP INDEX "+name); err != nil {
			b.Fatal(err)
		}
	}
	rows.Close()
	if _, err := pool.Exec(ctx, "SET maintenance_work_mem = '256MB'"); err != nil {
		b.Fatal(err)
	}
	_, err = pool.Exec(ctx, `INSERT INTO clients (kind, name, company, priority)
		SELECT 'person', 'Client ' || g, 'Company ' || (g % 5000), (ARRAY['VIP','A','B','C'])[1 + g % 4]
		FROM generate_series(1, $1::int) g`, n)
	if err == nil {
		_, err = pool.Exec(ctx, `INSERT INTO contacts (client_id, kind, value, raw)
			SELECT id, 'phone', '+7999' || lpad(id::text, 7, '0'), '' FROM clients`)
	}
	if err == nil {
		_, err = pool.Exec(ctx, `INSERT INTO users (login, name, role, password_hash)
			SELECT 'bench' || g, 'Bench Agent ' || g, 'agent', 'x' FROM generate_series(1, $1::int) g`, benchConsoles)
	}
	if err == nil {
		_, err = pool.Exec(ctx, `INSERT INTO user_endpoints (endpoint, user_id)
			SELECT 'PJSIP/' || (1000 + substr(login, 6)::int), id FROM users WHERE login LIKE 'bench%'`)
	}
	for _, def := range defs {
		if err == nil {
			_, err = pool.Exec(ctx, def)
		}
	}
	if err == nil {
		_, err = pool.Exec(ctx, `ANALYZE`)
	}
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
	b.Logf("seeded %d clients and %d agents in %v", n, benchConsoles, time.Since(start).Round(time.Millisecond))
}

type latencies struct {
	mu      sync.Mutex
	started sync.Map // call id -> time.Time
	got     []time.Duration
	done    chan struct{}
	want    int
}

func (l *latencies) record(callID string, at time.Time) {
	v, ok := l.started.LoadAndDelete(callID)
	if !ok {
		return
	}
	l.mu.Lock()
	l.got = append(l.got, at.Sub(v.(time.Time)))
	if len(l.got) == l.want {
		close(l.done)
	}
	l.mu.Unlock()
}

func (l *latencies) reset(want int) {
	l.mu.Lock()
	l.got, l.want, l.done = l.got[:0], want, make(chan struct{})
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B) {
	b.Helper()
	select {
	case <-l.done:
	case <-time.After(30 * time.Second):
		b.Fatalf("only %d of %d pops arrived", len(l.got), l.want)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	s := slices.Clone(l.got)
	slices.Sort(s)
	pct := func(p float64) float64 {
		return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkScreenPop measures pop latency, from the ringing event handed
// to the popper to the card read from the agent's console socket, with
// every console connected and ringing at 200/s; beside it the floor: one
// indexed FindClientsByPhone plus one socket write of a ready message.
func BenchmarkScreenPop(b *testing.B) {
	st := pgtest.NewStore(b)
	n := benchClients()
	seedBench(b, st, n)
	hub := screenpop.NewLocalHub(256)
	b.Cleanup(func() { _ = hub.Close() })
	cards := screenpop.NewCardBuilder(screenpop.CardSources{Clients: st.Clients, Recent: st.ScreenPop, Directory: st.ScreenPop})
	popper := screenpop.NewPopper(screenpop.Options{Cards: cards, Hub: hub, Agents: st.ScreenPop})
	srv := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	httpapi.RegisterScreenPop(srv, httpapi.ScreenPopDeps{Hub: hub, Popper: popper, Timeline: st.Clients})
	// The floor's socket: writes one ready message per request.
	floorMsgs := make(chan []byte, 1)
	srv.Router().Get("/bench/floor", func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for m := range floorMsgs {
			if err := c.Write(r.Context(), websocket.MessageText, m); err != nil {
				return
			}
		}
	})
	ts := httptest.NewServer(srv.Handler())
	b.Cleanup(ts.Close)

	lat := &latencies{}
	ctx := context.Background()
	users, err := st.Users.ListUsers(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var agents []crm.User
	for _, u := range users {
		if strings.HasPrefix(u.Login, "bench") {
			agents = append(agents, u)
		}
	}
	for _, u := range agents {
		openBenchConsole(b, st, ts.URL, u, "", lat)
	}
	floor := openBenchConsole(b, st, ts.URL, agents[0], "/bench/floor", lat)
	_ = floor
	rng := rand.New(rand.NewPCG(1, 2))

	b.Run("pop", func(b *testing.B) {
		lat.reset(b.N)
		tick := time.NewTicker(time.Second / benchRate)
		defer tick.Stop()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			<-tick.C
			a := agents[rng.IntN(len(agents))]
			id := fmt.Sprintf("bench-%d-%d", b.N, i)
			lat.started.Store(id, time.Now())
			err := popper.Ringing(ctx, screenpop.Ringing{CallID: id, AgentLogin: a.Login, Endpoint: a.Endpoints[0], Caller: benchPhone(1 + rng.IntN(n))})
			if err != nil {
				b.Fatal(err)
			}
		}
		lat.report(b)
		b.StopTimer()
		for i := 0; i < b.N; i++ { // end the calls so live sets stay small
			_ = popper.Ended(ctx, screenpop.Ended{CallID: fmt.Sprintf("bench-%d-%d", b.N, i)})
		}
	})

	b.Run("floor", func(b *testing.B) {
		lat.reset(b.N)
		tick := time.NewTicker(time.Second / benchRate)
		defer tick.Stop()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			<-tick.C
			id := fmt.Sprintf("floor-%d-%d", b.N, i)
			lat.started.Store(id, time.Now())
			clients, err := st.Clients.FindClientsByPhone(ctx, benchPhone(1+rng.IntN(n)))
			if err != nil || len(clients) != 1 {
				b.Fatalf("lookup: %v %d", err, len(clients))
			}
			msg, _ := json.Marshal(map[string]any{"type": "pop", "call_id": id, "name": clients[0].Name})
			floorMsgs <- msg
		}
		lat.report(b)
	})
}

// openBenchConsole signs the agent in with a session made in the store and
// opens a console socket (or the floor's socket at path) whose pops are
// timestamped into lat.
func openBenchConsole(b *testing.B, st *postgres.Services, base string, u crm.User, path string, lat *latencies) *websocket.Conn {
	b.Helper()
	plain, hash := auth.NewToken()
	csrf, _ := auth.NewToken()
	now := time.Now()
	if err := st.Sessions.CreateSession(context.Background(), crm.Session{TokenHash: hash, UserID: u.ID, CSRF: csrf,
		ExpiresAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
		b.Fatal(err)
	}
	if path == "" {
		path = httpapi.ConsoleSocketPath
	}
	h := http.Header{"Cookie": {httpapi.SessionCookie + "=" + plain}}
	conn, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(base, "http")+path,
		&websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		b.Fatalf("console of %s: %v", u.Login, err)
	}
	b.Cleanup(func() { conn.CloseNow() })
	go func() {
		var f struct {
			Type   string `json:"type"`
			CallID string `json:"call_id"`
			State  string `json:"state"`
		}
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			at := time.Now()
			f.State = ""
			if json.Unmarshal(data, &f) == nil && f.Type == "pop" && (f.State == "" || f.State == "ringing") {
				lat.record(f.CallID, at)
			}
		}
	}()
	return conn
}
