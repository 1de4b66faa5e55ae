package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redis/go-redis/v9"

	"hotline/crm/httpapi"
	"hotline/internal/testneed"
)

// haRedisURL is the Redis the HA test's replicas share pops through.
const haRedisURL = "redis://127.0.0.1:6379/0"

// haAgent is an agent of the HA test: a user with a login unique to the
// run (pops are keyed by login in the shared Redis) and the endpoint the
// simulated PBX rings.
type haAgent struct {
	login, password, resource string
}

// newHAAgents creates one agent user per resource in the database dsn,
// through `hotline user add` as an administrator would, and removes their
// keys from Redis when the test ends. It skips the test without Redis.
func newHAAgents(t *testing.T, dsn string, resources ...string) []haAgent {
	t.Helper()
	opts, err := redis.ParseURL(haRedisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	ctx := context.Background()
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		testneed.Missing(t, "redis at %s not reachable (scripts/deps.sh starts it): %v", haRedisURL, err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	run0 := hex.EncodeToString(b[:])
	var agents []haAgent
	for _, r := range resources {
		a := haAgent{login: "ha" + run0 + "-" + r, password: "ha-test-password-" + r, resource: r}
		e, _, errOut := testEnv(map[string]string{"HOTLINE_DATABASE_URL": dsn}, a.password+"\n")
		if err := run(ctx, []string{"user", "add", "--login", a.login, "--role", "agent", "--endpoint", "PJSIP/" + r}, e); err != nil {
			t.Fatalf("user add %s: %v %s", a.login, err, errOut)
		}
		agents = append(agents, a)
	}
	t.Cleanup(func() {
		for _, a := range agents {
			rdb.Del(ctx, "hotline:pop:live:"+a.login)
			rdb.HDel(ctx, "hotline:pop:status", a.login)
		}
		_ = rdb.Close()
	})
	return agents
}

// popFrame is one pop as the console receives it, with when and on which
// of the console's connections (0, then 1 after a reconnect) it arrived.
type popFrame struct {
	Type   string `json:"type"`
	CallID string `json:"call_id"`
	State  string `json:"state"`
	Seq    int64  `json:"seq"`
	at     time.Time
	conn   int
}

// haConsole is an agent's console: signed in on a replica with login and
// password (the session cookie, as the browser console is), holding the
// console WebSocket and recording every pop it receives.
type haConsole struct {
	t     *testing.T
	agent haAgent

	mu     sync.Mutex
	frames []popFrame
	conns  int
	down   chan struct{} // closed when the current connection ends
}

// openConsole signs the agent in on the replica at base and opens the
// console socket; the first frame must be the hello naming the agent.
func openConsole(t *testing.T, base string, a haAgent) *haConsole {
	t.Helper()
	c := &haConsole{t: t, agent: a}
	if err := c.connect(base); err != nil {
		t.Fatal(err)
	}
	return c
}

// connect signs in on base and reads pops from its socket until it closes.
func (c *haConsole) connect(base string) error {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 5 * time.Second}
	body, _ := json.Marshal(map[string]string{"login": c.agent.login, "password": c.agent.password})
	res, err := hc.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("login %s on %s: %s", c.agent.login, base, res.Status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+httpapi.ConsoleSocketPath,
		&websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		return err
	}
	_, hello, err := conn.Read(ctx)
	if err != nil {
		return err
	}
	var h struct{ Type, Agent string }
	if err := json.Unmarshal(hello, &h); err != nil || h.Type != "hello" || h.Agent != c.agent.login {
		c.t.Fatalf("first frame on %s's socket: %s (%v)", c.agent.login, hello, err)
	}
	c.mu.Lock()
	n := c.conns
	c.conns++
	down := make(chan struct{})
	c.down = down
	c.mu.Unlock()
	c.t.Cleanup(func() { conn.CloseNow() })
	go func() {
		defer close(down)
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			f := popFrame{at: time.Now(), conn: n}
			if json.Unmarshal(data, &f) == nil && f.Type == "pop" {
				c.mu.Lock()
				c.frames = append(c.frames, f)
				c.mu.Unlock()
			}
		}
	}()
	return nil
}

// reconnect waits for the current socket to close, then signs in on base
// and opens a new one, retrying for up to five seconds as the console
// does; it returns when the new socket is open.
func (c *haConsole) reconnect(base string) time.Time {
	c.t.Helper()
	c.mu.Lock()
	down := c.down
	c.mu.Unlock()
	select {
	case <-down:
	case <-time.After(5 * time.Second):
		c.t.Fatalf("%s's socket stayed open after its replica was killed", c.agent.login)
	}
	end := time.Now().Add(5 * time.Second)
	for {
		err := c.connect(base)
		if err == nil {
			return time.Now()
		}
		if time.Now().After(end) {
			c.t.Fatalf("%s could not reconnect to %s: %v", c.agent.login, base, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// snapshot returns the frames received so far.
func (c *haConsole) snapshot() []popFrame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]popFrame(nil), c.frames...)
}

// latest returns, per call, the newest frame received on connection conn
// (-1: any connection).
func latest(frames []popFrame, conn int) map[string]popFrame {
	out := map[string]popFrame{}
	for _, f := range frames {
		if conn >= 0 && f.conn != conn {
			continue
		}
		if cur, ok := out[f.CallID]; !ok || f.Seq > cur.Seq {
			out[f.CallID] = f
		}
	}
	return out
}

// haCall is one call placed for a watched agent: its linkedid and when the
// customer dialled and hung up.
type haCall struct {
	id         string
	agent      string
	start, end time.Time
}
