package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/telephony/screenpop"
)

// popEnv is a server with the console API over a fresh database.
type popEnv struct {
	*env
	hub    *screenpop.LocalHub
	popper *screenpop.Popper
	reg    *prometheus.Registry
	agent2 crm.User
}

func newPopEnv(t *testing.T) *popEnv {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	agent := e.users[crm.RoleAgent]
	agent.Endpoints = []string{"PJSIP/1001", "PJSIP/1011"}
	if err := e.store.Users.UpdateUser(ctx, &agent); err != nil {
		t.Fatal(err)
	}
	e.users[crm.RoleAgent] = agent
	a2, err := auth.CreateUser(ctx, e.store.Users, crm.User{Login: "agent2", Name: "Second Agent", Role: crm.RoleAgent,
		Endpoints: []string{"PJSIP/1002"}}, password(crm.RoleAgent))
	if err != nil {
		t.Fatal(err)
	}
	hub := screenpop.NewLocalHub(0)
	t.Cleanup(func() { _ = hub.Close() })
	cards := screenpop.NewCardBuilder(screenpop.CardSources{Clients: e.store.Clients, Recent: e.store.ScreenPop, Directory: e.store.ScreenPop, Routes: e.store.ScreenPop})
	board := screenpop.NewLocalStatusBoard()
	popper := screenpop.NewPopper(screenpop.Options{Cards: cards, Hub: hub, Agents: e.store.ScreenPop, Status: board})
	reg := prometheus.NewRegistry()
	httpapi.RegisterScreenPop(e.srv, httpapi.ScreenPopDeps{Hub: hub, Popper: popper, Cards: cards, Timeline: e.store.Clients,
		Metrics: screenpop.NewMetrics(reg), PingEvery: time.Second, Status: board, Calls: e.store.ScreenPop})
	return &popEnv{env: e, hub: hub, popper: popper, reg: reg, agent2: a2}
}

// loginAs signs in any user by login.
func (e *popEnv) loginAs(login string) *client {
	e.t.Helper()
	c := e.anon()
	resp, body := c.do("POST", "/api/v1/auth/login", map[string]string{"login": login, "password": password(crm.RoleAgent)})
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", login, resp.StatusCode, body)
	}
	var out struct {
		CSRFToken string `json:"csrf_token"`
	}
	mustJSON(e.t, body, &out)
	c.csrf = out.CSRFToken
	return c
}

// socket opens the console socket as c; it returns the response status
// when the upgrade is refused.
// sock is an open console socket whose frames a goroutine reads (a
// websocket Read with a deadline would close the connection).
type sock struct{ frames chan []byte }

func (c *client) socket(query string, header http.Header) (*sock, int) {
	c.e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c.bearer != "" {
		header = header.Clone()
		if header == nil {
			header = http.Header{}
		}
		header.Set("Authorization", "Bearer "+c.bearer)
	}
	u := "ws" + strings.TrimPrefix(c.e.ts.URL, "http") + httpapi.ConsoleSocketPath + query
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: c.hc, HTTPHeader: header})
	if err != nil {
		if resp == nil {
			c.e.t.Fatalf("dial socket: %v", err)
		}
		return nil, resp.StatusCode
	}
	c.e.t.Cleanup(func() { conn.CloseNow() })
	s := &sock{frames: make(chan []byte, 64)}
	go func() {
		defer close(s.frames)
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			s.frames <- data
		}
	}()
	return s, http.StatusSwitchingProtocols
}

type frame struct {
	Type     string          `json:"type"`
	Agent    string          `json:"agent"`
	ReadOnly bool            `json:"read_only"`
	CallID   string          `json:"call_id"`
	State    string          `json:"state"`
	Card     *screenpop.Card `json:"card"`
}

func readFrame(t *testing.T, s *sock, within time.Duration) (frame, bool) {
	t.Helper()
	var data []byte
	select {
	case d, ok := <-s.frames:
		if !ok {
			return frame{}, false
		}
		data = d
	case <-time.After(within):
		return frame{}, false
	}
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("decode frame %s: %v", data, err)
	}
	return f, true
}

func mustFrame(t *testing.T, conn *sock) frame {
	t.Helper()
	f, ok := readFrame(t, conn, 3*time.Second)
	if !ok {
		t.Fatal("no frame on the socket")
	}
	return f
}

func TestConsoleSocketCarriesOnlyOwnPops(t *testing.T) {
	e := newPopEnv(t)
	ctx := context.Background()
	owner := e.users[crm.RoleSupervisor].ID
	cl := crm.Client{Kind: crm.ClientPerson, Name: "Ivan Petrov", Company: "Acme", Priority: "VIP", OwnerID: &owner,
		Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+79161234567", Raw: "+79161234567"}}}
	if err := e.store.Clients.CreateClient(ctx, &cl); err != nil {
		t.Fatal(err)
	}

	agent, agent2, sup := e.login(crm.RoleAgent), e.loginAs("agent2"), e.login(crm.RoleSupervisor)
	if _, st := e.anon().socket("", nil); st != http.StatusUnauthorized {
		t.Errorf("socket without a session: %d, want 401", st)
	}
	for _, q := range []string{"?agent=agent2", "?agent=supervisor1", "?agent=agent1&agent=agent2"} {
		if _, st := agent.socket(q, nil); st != http.StatusForbidden && st != http.StatusBadRequest {
			t.Errorf("agent asking for %s: %d, want refused", q, st)
		}
	}
	if _, st := agent.socket("", http.Header{"Origin": {"https://evil.example"}}); st != http.StatusForbidden {
		t.Errorf("socket from a foreign origin: %d, want 403", st)
	}

	mine, _ := agent.socket("", http.Header{"Origin": {e.ts.URL}})
	other, _ := agent2.socket("?agent=", nil)
	watch, _ := sup.socket("?agent=agent1", nil)
	if h := mustFrame(t, mine); h.Type != "hello" || h.Agent != "agent1" || h.ReadOnly {
		t.Errorf("hello = %+v", h)
	}
	if h := mustFrame(t, other); h.Agent != "agent2" {
		t.Errorf("agent2 hello = %+v", h)
	}
	if h := mustFrame(t, watch); h.Agent != "agent1" || !h.ReadOnly {
		t.Errorf("supervisor hello = %+v", h)
	}

	popMust(t, e.popper.Ringing(ctx, screenpop.Ringing{CallID: "call-1", Endpoint: "PJSIP/1001", Caller: "8 916 123-45-67"}))
	popMust(t, e.popper.Ringing(ctx, screenpop.Ringing{CallID: "call-1", Endpoint: "PJSIP/1011", Caller: "8 916 123-45-67"}))
	f := mustFrame(t, mine)
	if f.Type != "pop" || f.CallID != "call-1" || f.State != "ringing" || len(f.Card.Clients) != 1 {
		t.Fatalf("pop = %+v", f)
	}
	c := f.Card.Clients[0]
	if c.Name != "Ivan Petrov" || c.Priority.Code != "VIP" || c.Priority.Name != "VIP" || c.OwnerName != "Test supervisor" ||
		c.URL != fmt.Sprintf("/clients/%d", cl.ID) {
		t.Errorf("card client = %+v", c)
	}
	if f, ok := readFrame(t, mine, 200*time.Millisecond); ok {
		t.Errorf("second device made a second pop: %+v", f)
	}
	if w := mustFrame(t, watch); w.CallID != "call-1" {
		t.Errorf("supervisor watching sees %+v", w)
	}
	if f, ok := readFrame(t, other, 200*time.Millisecond); ok {
		t.Errorf("agent2 received agent1's pop: %+v", f)
	}
	if n := testutil.CollectAndCount(e.reg, "hotline_screenpop_latency_seconds"); n != 1 {
		t.Errorf("latency histogram series = %d", n)
	}
	if got := histogramCount(t, e.reg); got < 1 {
		t.Errorf("latency observations = %d, want the pop's", got)
	}

	// A console that reconnects gets the live pop again; agent2 cannot list it.
	again, _ := agent.socket("", nil)
	mustFrame(t, again)
	if f := mustFrame(t, again); f.CallID != "call-1" {
		t.Errorf("replay = %+v", f)
	}
	resp, body := agent2.do("GET", "/api/v1/console/pops?agent=agent1", nil)
	mustProblem(t, resp, body, http.StatusForbidden)
	resp, body = agent2.do("GET", "/api/v1/console/pops", nil)
	if resp.StatusCode != http.StatusOK || strings.Contains(string(body), "call-1") {
		t.Errorf("agent2's own pops: %d %s", resp.StatusCode, body)
	}
	resp, body = agent2.do("POST", "/api/v1/console/pops/call-1/close", nil)
	mustProblem(t, resp, body, http.StatusNotFound)
}

func histogramCount(t *testing.T, reg *prometheus.Registry) uint64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "hotline_screenpop_latency_seconds" {
			return mf.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	return 0
}

func TestWrapUpNoteLandsOnTimeline(t *testing.T) {
	e := newPopEnv(t)
	ctx := context.Background()
	cl := e.newClient("Olga Smirnova", "+74951234567")
	agent := e.login(crm.RoleAgent)
	popMust(t, e.popper.Ringing(ctx, screenpop.Ringing{CallID: "w-1", Endpoint: "PJSIP/1001", Caller: "+74951234567"}))
	popMust(t, e.popper.Answered(ctx, screenpop.Answered{CallID: "w-1", Endpoint: "PJSIP/1001"}))
	path := "/api/v1/console/pops/w-1/wrap-up"
	resp, body := agent.do("POST", path, map[string]any{"client_id": cl.ID, "note": "too early"})
	mustProblem(t, resp, body, http.StatusConflict)
	popMust(t, e.popper.Ended(ctx, screenpop.Ended{CallID: "w-1"}))
	resp, body = agent.do("POST", path, map[string]any{"client_id": cl.ID, "note": ""})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = agent.do("POST", path, map[string]any{"client_id": cl.ID + 1000, "note": "x"})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = e.loginAs("agent2").do("POST", path, map[string]any{"client_id": cl.ID, "note": "x"})
	mustProblem(t, resp, body, http.StatusNotFound)
	agent.noCSRF = true
	resp, body = agent.do("POST", path, map[string]any{"client_id": cl.ID, "note": "x"})
	mustProblem(t, resp, body, http.StatusForbidden)
	agent.noCSRF = false

	// An unknown caller's card finds the client once it is created.
	popMust(t, e.popper.Ringing(ctx, screenpop.Ringing{CallID: "w-2", Endpoint: "PJSIP/1001", Caller: "+74951230000"}))
	e.newClient("Created During Call", "+74951230000")
	resp, body = agent.do("POST", "/api/v1/console/pops/w-2/refresh", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Created During Call") {
		t.Errorf("refresh: %d %s", resp.StatusCode, body)
	}

	resp, body = agent.do("POST", path, map[string]any{"client_id": cl.ID, "note": "Promised a callback on Monday"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("wrap-up: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("GET", fmt.Sprintf("/api/v1/clients/%d/timeline", cl.ID), nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Promised a callback on Monday") ||
		!strings.Contains(string(body), `"ref_id":"w-1"`) {
		t.Errorf("timeline: %d %s", resp.StatusCode, body)
	}
	resp, _ = agent.do("POST", "/api/v1/console/pops/w-1/close", nil)
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("close: %d", resp.StatusCode)
	}
	if live, _ := e.hub.Live(ctx, "agent1"); len(live) != 1 || live[0].Key != "w-2" {
		t.Errorf("after closing w-1 the live cards are %+v, want only w-2", live)
	}
}

func TestRoutingLookupForTheDialplan(t *testing.T) {
	e := newPopEnv(t)
	ctx := context.Background()
	owner := e.users[crm.RoleAgent].ID
	for _, c := range []crm.Client{
		{Kind: crm.ClientCompany, Name: "Big Co", Priority: "VIP", OwnerID: &owner,
			Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74997000001"}}},
		{Kind: crm.ClientPerson, Name: "Small", Priority: "C",
			Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+74997000002"}}},
	} {
		if err := e.store.Clients.CreateClient(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	tok := e.tokenClient(crm.RoleAgent)
	for _, tc := range []struct{ number, want string }{
		{"84997000001", "4,PJSIP/1001"},
		{"+7 499 700-00-02", "1,"},
		{"+74997000009", "0,"},
		{"not a number", "0,"},
		{"", "0,"},
	} {
		resp, body := tok.do("GET", "/api/v1/lookup?number="+urlEscape(tc.number), nil)
		if resp.StatusCode != http.StatusOK || string(body) != tc.want || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("lookup %q = %d %q (%s), want %q", tc.number, resp.StatusCode, body, resp.Header.Get("Content-Type"), tc.want)
		}
	}
	resp, body := tok.do("GET", "/api/v1/lookup?number=+74997000001", nil) // '+' not encoded by the dialplan
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if string(body) != "4,PJSIP/1001" {
		t.Errorf("lookup with an unencoded plus = %q", body)
	}
	resp, body = e.anon().do("GET", "/api/v1/lookup?number=84997000001", nil)
	mustProblem(t, resp, body, http.StatusUnauthorized)
}

func popMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestAgentStatusVisibleToSupervisors(t *testing.T) {
	e := newPopEnv(t)
	agent, sup := e.login(crm.RoleAgent), e.login(crm.RoleSupervisor)
	resp, body := agent.do("GET", "/api/v1/console/status", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"status":"available"`) {
		t.Errorf("initial status: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("PUT", "/api/v1/console/status", map[string]string{"status": "lunch"})
	mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = agent.do("PUT", "/api/v1/console/status", map[string]string{"status": "paused"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("set paused: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("GET", "/api/v1/console/agents", nil)
	mustProblem(t, resp, body, http.StatusForbidden)
	resp, body = sup.do("GET", "/api/v1/console/agents", nil)
	var out struct {
		Agents []screenpop.StatusEntry `json:"agents"`
	}
	mustJSON(t, body, &out)
	if resp.StatusCode != http.StatusOK || len(out.Agents) != 1 || out.Agents[0].Agent != "agent1" || out.Agents[0].Status != screenpop.StatusPaused {
		t.Errorf("supervisor sees %d %+v", resp.StatusCode, out)
	}
}

func TestTodayCallsOnTheConsole(t *testing.T) {
	e := newPopEnv(t)
	ctx := context.Background()
	for i, agents := range [][]string{{"agent1"}, {"agent2"}, {"agent2", "agent1"}} {
		_, err := e.store.DB.Pool().Exec(ctx, `INSERT INTO calls (node, linkedid, version, direction, outcome, customer, agent, agents,
			started_at, answered_at, ended_at, talk_seconds) VALUES ('pbx1', $1, 1, 'inbound', 'answered', '+79160000000', $2, $3,
			now(), now(), now(), 42.5)`, fmt.Sprintf("today-%d", i), agents[len(agents)-1], agents)
		popMust(t, err)
	}
	var out struct {
		Agent string `json:"agent"`
		Calls []struct {
			LinkedID    string  `json:"linkedid"`
			TalkSeconds float64 `json:"talk_seconds"`
		} `json:"calls"`
	}
	resp, body := e.login(crm.RoleAgent).do("GET", "/api/v1/console/calls", nil)
	mustJSON(t, body, &out)
	if resp.StatusCode != http.StatusOK || len(out.Calls) != 2 || out.Calls[0].TalkSeconds != 42.5 {
		t.Errorf("agent1's calls: %d %s", resp.StatusCode, body)
	}
	resp, body = e.login(crm.RoleAgent).do("GET", "/api/v1/console/calls?agent=agent2", nil)
	mustProblem(t, resp, body, http.StatusForbidden)
	resp, body = e.login(crm.RoleSupervisor).do("GET", "/api/v1/console/calls?agent=agent2", nil)
	mustJSON(t, body, &out)
	if resp.StatusCode != http.StatusOK || out.Agent != "agent2" || len(out.Calls) != 2 {
		t.Errorf("supervisor watching agent2: %d %s", resp.StatusCode, body)
	}
}

// The HTTP server's read and write timeouts must not cut console sockets.
func TestConsoleSocketOutlivesServerTimeouts(t *testing.T) {
	e := newPopEnv(t)
	ts := httptest.NewUnstartedServer(e.srv.Handler())
	ts.Config.ReadTimeout, ts.Config.WriteTimeout = 500*time.Millisecond, 500*time.Millisecond
	ts.Start()
	t.Cleanup(ts.Close)
	short := *e.env
	short.ts = ts
	conn, _ := short.login(crm.RoleAgent).socket("", nil)
	mustFrame(t, conn)
	time.Sleep(1500 * time.Millisecond)
	popMust(t, e.popper.Ringing(context.Background(), screenpop.Ringing{CallID: "long", AgentLogin: "agent1", Caller: "+79160000000"}))
	if f := mustFrame(t, conn); f.CallID != "long" {
		t.Errorf("after the server timeouts the socket got %+v", f)
	}
}
