package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/web"
	"hotline/metrics"
	"hotline/telephony"
)

// supSite is a site with the supervisor pages and a live board fed by hand.
type supSite struct {
	*site
	board *metrics.Metrics
}

func newSupervisorSite(t *testing.T) *supSite {
	t.Helper()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	board := metrics.New(nil, metrics.AgentList{"alice", "bob"}, metrics.Options{Location: time.UTC})
	pages.MountSupervisor(web.SupervisorPageDeps{Reports: st.Reports, Board: board, Location: time.UTC, Tick: time.Hour})
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	for _, u := range []crm.User{{Login: "admin", Name: "Anna Admin", Role: crm.RoleAdmin},
		{Login: "agent", Name: "Alex Agent", Role: crm.RoleAgent},
		{Login: "sup", Name: "Sofia Supervisor", Role: crm.RoleSupervisor},
		{Login: "alice", Name: "Alice Archer", Role: crm.RoleAgent}} {
		if _, err := auth.CreateUser(context.Background(), st.Users, u, adminPassword); err != nil {
			t.Fatal(err)
		}
	}
	return &supSite{site: &site{t: t, store: st, ts: ts}, board: board}
}

// ringAlice is a call that starts and rings alice's phone, as the tracker publishes it.
func ringAlice(start time.Time) []telephony.Event {
	c := telephony.Call{LinkedID: "c1", Node: "pbx1", Direction: telephony.Inbound, StartedAt: start,
		Customer: "+74951234567", Legs: []telephony.Leg{{ChannelID: "c1", CreatedAt: start}}}
	started := telephony.Event{Kind: telephony.EventCallStarted, At: start, Node: "pbx1", LinkedID: "c1", Call: c}
	ring := start.Add(time.Second)
	c.Agents = []string{"alice"}
	c.Legs = append(c.Legs, telephony.Leg{ChannelID: "c1-a", Agent: "alice", CreatedAt: ring, RingingAt: &ring})
	ringing := telephony.Event{Kind: telephony.EventAgentRinging, At: ring, Node: "pbx1", LinkedID: "c1", Agent: "alice", Call: c}
	return []telephony.Event{started, ringing}
}

func TestSupervisorPagesRoles(t *testing.T) {
	t.Parallel()
	s := newSupervisorSite(t)
	for _, path := range []string{"/wallboard", "/reports/agents"} {
		resp, _ := s.browser().get(path)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
			t.Errorf("anonymous %s: %d %s", path, resp.StatusCode, resp.Header.Get("Location"))
		}
		agent := s.browser()
		agent.login("agent")
		if resp, body := agent.get(path); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "supervisors and admins") {
			t.Errorf("agent %s: %d", path, resp.StatusCode)
		}
		for _, who := range []string{"sup", "admin"} {
			b := s.browser()
			b.login(who)
			if resp, body := b.get(path); resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/wallboard"`) {
				t.Errorf("%s %s: %d", who, path, resp.StatusCode)
			}
		}
	}
	agent := s.browser()
	agent.login("agent")
	if _, body := agent.get("/clients"); strings.Contains(body, "/wallboard") || strings.Contains(body, "/reports/agents") {
		t.Error("an agent's nav bar links supervisor pages")
	}
	// the socket: 401 without a session, 403 for an agent
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(s.ts.URL, "http") + "/api/v1/wallboard/socket"
	if _, resp, err := websocket.Dial(ctx, wsURL, nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous socket: %v %v", resp, err)
	}
	if _, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: agent.hc}); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent socket: %v %v", resp, err)
	}
	// another site's page may not open it with the supervisor's cookie
	sup := s.browser()
	sup.login("sup")
	h := http.Header{"Origin": {"https://evil.example"}}
	if _, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: sup.hc, HTTPHeader: h}); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin socket: %v %v", resp, err)
	}
}

func TestWallboardSocketFollowsCalls(t *testing.T) {
	t.Parallel()
	s := newSupervisorSite(t)
	sup := s.browser()
	sup.login("sup")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	u, _ := url.Parse(s.ts.URL)
	conn, _, err := websocket.Dial(ctx, "ws://"+u.Host+"/api/v1/wallboard/socket", &websocket.DialOptions{HTTPClient: sup.hc})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	read := func() map[string]any {
		t.Helper()
		_, b, err := conn.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	agentState := func(v map[string]any, login string) string {
		for _, a := range v["agents"].([]any) {
			if m := a.(map[string]any); m["login"] == login {
				return m["state"].(string)
			}
		}
		return ""
	}
	v := read()
	if agentState(v, "alice") != "idle" || len(v["waiting"].([]any)) != 0 {
		t.Fatalf("first frame: %v", v)
	}
	// the Agent column shows users' names: alice has one, bob no user at all
	if names, _ := v["names"].(map[string]any); names["alice"] != "Alice Archer" || names["bob"] != nil {
		t.Errorf("names in the frame: %v", v["names"])
	}
	for _, e := range ringAlice(time.Now().Add(-5 * time.Second)) {
		s.board.Observe(e)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		v := read()
		if agentState(v, "alice") == "ringing" {
			if len(v["waiting"].([]any)) != 1 || v["longest_wait_seconds"].(float64) < 4 {
				t.Fatalf("ringing frame: %v", v)
			}
			return
		}
	}
	t.Fatal("the socket never showed alice ringing")
}

// TestWallboardPageShowsNames: the first render's Agent column shows the
// user's display name with the login as tooltip and secondary text, and
// the login alone for an agent without a name.
func TestWallboardPageShowsNames(t *testing.T) {
	t.Parallel()
	s := newSupervisorSite(t)
	sup := s.browser()
	sup.login("sup")
	resp, body := sup.get("/wallboard")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("wallboard: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`<tr data-agent="alice"><td class="wb-agent" title="alice">Alice Archer <span class="wb-login">alice</span></td>`,
		`<tr data-agent="bob"><td class="wb-agent" title="bob">bob</td>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("wallboard page lacks %s", want)
		}
	}
}

func TestAgentReportPage(t *testing.T) {
	t.Parallel()
	s := newSupervisorSite(t)
	day := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	end := day.Add(2 * time.Minute)
	ans := day.Add(5 * time.Second)
	err := s.store.Calls.SaveCalls(context.Background(), pgtest.CallRecords(t, []telephony.CallUpdate{{Version: 1, Call: telephony.Call{
		LinkedID: "c1", Node: "pbx1", Direction: telephony.Inbound, Outcome: telephony.OutcomeAnswered,
		Agent: "alice", Agents: []string{"alice"}, StartedAt: day, AnsweredAt: &ans, EndedAt: &end,
		RingSeconds: 4, TalkSeconds: 95, HoldSeconds: 10}}}...))
	if err != nil {
		t.Fatal(err)
	}
	sup := s.browser()
	sup.login("sup")
	resp, body := sup.get("/reports/agents?from=2026-11-27&to=2026-11-27")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("report: %d", resp.StatusCode)
	}
	for _, want := range []string{`data-agent="alice"`, "Alice Archer", `<td class="num avg-talk">1:35</td>`,
		`href="/api/v1/reports/agents.csv?from=2026-11-27&amp;to=2026-11-27"`} {
		if !strings.Contains(body, want) {
			t.Errorf("report page lacks %s", want)
		}
	}
	if _, body := sup.get("/reports/agents?from=2026-11-28"); !strings.Contains(body, "No calls in this period") {
		t.Error("an empty day does not say so")
	}
	resp, body = sup.get("/reports/agents?from=2026-11-27&to=2026-11-01")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "must be after from") ||
		!strings.Contains(body, `value="2026-11-01"`) {
		t.Errorf("reversed period: %d", resp.StatusCode)
	}
}
