package httpapi_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/telephony"
	"hotline/telephony/ari"
	"hotline/telephony/ari/aritest"
	"hotline/telephony/ari/aritest/transcripts"
)

type callJournal struct {
	mu   sync.Mutex
	recs [][]byte
}

func (j *callJournal) Append(r ...[]byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.recs = append(j.recs, r...)
	return nil
}
func (j *callJournal) Next(int) ([][]byte, uint64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.recs, uint64(len(j.recs)), nil
}
func (j *callJournal) Commit(uint64) error { j.mu.Lock(); j.recs = nil; j.mu.Unlock(); return nil }

type callRoster map[string]string

func (r callRoster) AgentByEndpoint(ep string) (string, bool) { l, ok := r[ep]; return l, ok }

// loadCalls runs recorded calls through a tracker into the store; PJSIP/1001
// is the test's agent user.
func loadCalls(t *testing.T, e *env, names ...string) {
	t.Helper()
	dir := transcripts.Dir(t)
	tr := telephony.NewTracker(telephony.TrackerOptions{Store: e.store.Calls, Journal: &callJournal{},
		Roster: callRoster{"PJSIP/1001": e.users[crm.RoleAgent].Login, "PJSIP/1002": "bob", "PJSIP/1003": "carol"},
		Rules:  telephony.DirectionRules{InboundContexts: []string{"from-trunk"}}})
	for _, n := range names {
		f, err := os.Open(filepath.Join(dir, "with-linkedid", n+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			tr.HandleFrame("pbx1", "", sc.Bytes())
		}
		f.Close()
	}
	if err := tr.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestCallLogAPI(t *testing.T) {
	e := newEnv(t)
	httpapi.RegisterCalls(e.srv, httpapi.CallDeps{Calls: e.store.Calls})
	loadCalls(t, e, "sip-inbound-direct", "sip-internal", "sip-blind-transfer", "sip-inbound-queue")
	sup := e.login(crm.RoleSupervisor)

	var list struct {
		Items      []telephony.Call `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
	resp, body := sup.do("GET", "/api/v1/calls?limit=3", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	mustJSON(t, body, &list)
	if len(list.Items) != 3 || list.NextCursor == "" {
		t.Fatalf("first page: %d calls, cursor %q", len(list.Items), list.NextCursor)
	}
	resp, body = sup.do("GET", "/api/v1/calls?limit=3&cursor="+urlEscape(list.NextCursor), nil)
	mustJSON(t, body, &list)
	if resp.StatusCode != http.StatusOK || len(list.Items) != 1 || list.NextCursor != "" {
		t.Fatalf("second page: %d, %d calls, cursor %q", resp.StatusCode, len(list.Items), list.NextCursor)
	}

	resp, body = sup.do("GET", "/api/v1/calls?direction=internal", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	mustJSON(t, body, &list)
	if len(list.Items) != 1 || list.Items[0].Callee != "1003" {
		t.Errorf("internal calls: %+v", list.Items)
	}
	resp, body = sup.do("GET", "/api/v1/calls?number="+urlEscape("8 (495) 123-45-67")+"&agent=bob", nil)
	mustJSON(t, body, &list)
	if resp.StatusCode != http.StatusOK || len(list.Items) != 2 {
		t.Errorf("calls of +74951234567 with bob: %d %s", resp.StatusCode, body)
	}

	// one call with legs and timeline
	id := list.Items[0].ID
	var one struct {
		telephony.Call
		Timeline []telephony.TimelineEntry `json:"timeline"`
	}
	resp, body = sup.do("GET", "/api/v1/calls/"+itoa(id), nil)
	mustJSON(t, body, &one)
	if resp.StatusCode != http.StatusOK || one.ID != id || len(one.Legs) < 2 || len(one.Timeline) < 5 {
		t.Errorf("get call: %d, %d legs, %d timeline entries", resp.StatusCode, len(one.Legs), len(one.Timeline))
	}

	// CSV export with the same filters
	resp, body = sup.do("GET", "/api/v1/calls.csv?direction=inbound", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || len(rows) != 4 || rows[0][0] != "ID" || rows[1][5] != "+74951234567" {
		t.Errorf("csv rows %v: %v", rows, err)
	}

	// problems
	for path, status := range map[string]int{
		"/api/v1/calls/999999":                                            http.StatusNotFound,
		"/api/v1/calls?outcome=great":                                     http.StatusUnprocessableEntity,
		"/api/v1/calls?cursor=nonsense":                                   http.StatusUnprocessableEntity,
		"/api/v1/calls?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z": http.StatusUnprocessableEntity,
	} {
		resp, body := sup.do("GET", path, nil)
		mustProblem(t, resp, body, status)
	}
	if resp, _ := e.anon().do("GET", "/api/v1/calls", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", resp.StatusCode)
	}

	// an agent sees only the calls they rang or talked in
	agent := e.login(crm.RoleAgent)
	resp, body = agent.do("GET", "/api/v1/calls", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	mustJSON(t, body, &list)
	if len(list.Items) != 4 {
		t.Errorf("agent 1001 rang in every call: got %d", len(list.Items))
	}
	resp, body = agent.do("GET", "/api/v1/calls?agent=bob", nil)
	mustProblem(t, resp, body, http.StatusForbidden)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestClickToCall(t *testing.T) {
	e := newEnv(t)
	srv := aritest.New(aritest.Options{Speed: 10})
	t.Cleanup(srv.Close)
	ariClient, err := ari.NewClient(ari.Config{Node: "pbx1", URL: srv.URL(), User: "hotline", Password: "hotline-secret", App: "hotline"})
	if err != nil {
		t.Fatal(err)
	}
	httpapi.RegisterClickToCall(e.srv, httpapi.ClickToCallDeps{Users: e.store.Users, Clients: e.store.Clients,
		Calls: telephony.NewClickToCall(telephony.ClickToCallOptions{Originator: telephony.ARIChannels{Nodes: nodeOf{ariClient}}, Node: "pbx1"})})
	u := e.users[crm.RoleAgent]
	u.Endpoints = []string{"PJSIP/1001"}
	if err := e.store.Users.UpdateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	agent, sup := e.login(crm.RoleAgent), e.login(crm.RoleSupervisor)

	resp, body := agent.do("POST", "/api/v1/calls", map[string]any{"number": "8 (495) 765-43-21"})
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("click-to-call: %d %s", resp.StatusCode, body)
	}
	var out struct {
		ChannelID string `json:"channel_id"`
		Agent     string `json:"agent"`
		Endpoint  string `json:"endpoint"`
		Number    string `json:"number"`
	}
	mustJSON(t, body, &out)
	if out.ChannelID == "" || out.Endpoint != "PJSIP/1001" || out.Number != "+74957654321" || out.Agent != u.Login {
		t.Errorf("click-to-call answer: %+v", out)
	}
	if srv.ChannelCount() == 0 {
		t.Error("the agent's phone is not ringing")
	}

	cl := e.newClient("Ivan Petrov", "+74951234567")
	resp, body = sup.do("POST", "/api/v1/calls", map[string]any{"agent": u.Login, "client_id": cl.ID})
	mustJSON(t, body, &out)
	if resp.StatusCode != http.StatusAccepted || out.Number != "+74951234567" {
		t.Errorf("call a client: %d %s", resp.StatusCode, body)
	}

	problems := []struct {
		c      *client
		body   map[string]any
		status int
	}{
		{agent, map[string]any{"number": "12"}, http.StatusUnprocessableEntity},
		{agent, map[string]any{}, http.StatusUnprocessableEntity},
		{sup, map[string]any{"agent": "nobody", "number": "+74957654321"}, http.StatusUnprocessableEntity},
		{sup, map[string]any{"number": "+74957654321"}, http.StatusUnprocessableEntity}, // no endpoint
		{sup, map[string]any{"agent": u.Login, "client_id": 999999}, http.StatusUnprocessableEntity},
		{agent, map[string]any{"agent": e.users[crm.RoleSupervisor].Login, "number": "+74957654321"}, http.StatusForbidden},
	}
	for _, p := range problems {
		resp, body := p.c.do("POST", "/api/v1/calls", p.body)
		mustProblem(t, resp, body, p.status)
	}
	srv.InjectREST(aritest.RESTFault{Method: "POST", PathPrefix: "/ari/channels", Status: 500})
	resp, body = agent.do("POST", "/api/v1/calls", map[string]any{"number": "+74957654321"})
	mustProblem(t, resp, body, http.StatusBadGateway)
}

type nodeOf struct{ c *ari.Client }

func (n nodeOf) Get(node string) (*ari.Client, bool) { return n.c, node == n.c.Node() }
