package httpapi_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/postgres/pgtest"
	"hotline/metrics"
	"hotline/telephony"
)

// reportEnv is the API with the reports registered and one day of calls.
func reportEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	httpapi.RegisterReports(e.srv, httpapi.ReportDeps{Reports: e.store.Reports, Now: e.clock.Now, Location: time.UTC})
	day := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	var ups []telephony.CallUpdate
	for i, talk := range []float64{60, 120, 0} {
		start := day.Add(time.Duration(i) * time.Hour)
		end := start.Add(3 * time.Minute)
		c := telephony.Call{LinkedID: "r" + string(rune('1'+i)), Node: "pbx1", Direction: telephony.Inbound,
			Agents: []string{"=cmd|' /C calc'!A0"}, StartedAt: start, EndedAt: &end, RingSeconds: 4,
			TalkSeconds: talk, Outcome: telephony.OutcomeAbandoned}
		if talk > 0 {
			c.Agent, c.AnsweredAt, c.Outcome = "agent1", &start, telephony.OutcomeAnswered
			c.Agents = []string{"agent1"}
		}
		ups = append(ups, telephony.CallUpdate{Version: 1, Call: c})
	}
	if err := e.store.Calls.SaveCalls(context.Background(), pgtest.CallRecords(t, ups...)); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestAgentReportAPI(t *testing.T) {
	t.Parallel()
	e := reportEnv(t)
	sup := e.login(crm.RoleSupervisor)
	resp, body := sup.do("GET", "/api/v1/reports/agents?from=2026-11-27", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("report: %d %s", resp.StatusCode, body)
	}
	var rep telephony.AgentReport
	mustJSON(t, body, &rep)
	if len(rep.Agents) != 2 || rep.Agents[1].Agent != "agent1" || rep.Agents[1].Name != "Test agent" ||
		rep.Agents[1].Answered != 2 || rep.Agents[1].AvgTalkSeconds != 90 || rep.Total.Calls != 3 || rep.Total.Missed != 1 {
		t.Fatalf("report = %s", body)
	}
	// another day has no calls
	_, body = sup.do("GET", "/api/v1/reports/agents?from=2026-11-28&to=2026-11-28", nil)
	mustJSON(t, body, &rep)
	if len(rep.Agents) != 0 || rep.Total.Calls != 0 {
		t.Fatalf("empty day = %s", body)
	}

	resp, body = e.tokenClient(crm.RoleAdmin).do("GET", "/api/v1/reports/agents.csv?from=2026-11-27", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "agents-2026-11-27.csv") {
		t.Fatalf("csv: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "agent" || rows[2][0] != "agent1" || rows[2][9] != "90" || rows[3][0] != "total" {
		t.Fatalf("csv rows = %q", rows)
	}
	if !strings.HasPrefix(rows[1][0], "'=") {
		t.Errorf("a login that looks like a formula is not defused: %q", rows[1][0])
	}
}

func TestAgentReportRolesAndBadInput(t *testing.T) {
	t.Parallel()
	e := reportEnv(t)
	for _, path := range []string{"/api/v1/reports/agents", "/api/v1/reports/agents.csv"} {
		for _, c := range []struct {
			name   string
			cl     *client
			status int
		}{
			{"anonymous", e.anon(), 401},
			{"agent", e.login(crm.RoleAgent), 403},
			{"agent token", e.tokenClient(crm.RoleAgent), 403},
			{"supervisor", e.login(crm.RoleSupervisor), 200},
			{"admin", e.login(crm.RoleAdmin), 200},
		} {
			resp, body := c.cl.do("GET", path, nil)
			if resp.StatusCode != c.status {
				t.Errorf("%s as %s: %d %s", path, c.name, resp.StatusCode, body)
			}
		}
	}
	sup := e.login(crm.RoleSupervisor)
	for _, q := range []string{"from=yesterday", "from=2026-11-27&to=2026-11-01", "from=2020-01-01&to=2026-01-01",
		"to=" + strings.Repeat("9", 50)} {
		resp, body := sup.do("GET", "/api/v1/reports/agents?"+q, nil)
		mustProblem(t, resp, body, http.StatusUnprocessableEntity)
	}
}

func TestWallboardAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	board := metrics.New(nil, metrics.AgentList{"agent1"}, metrics.Options{Location: time.UTC})
	httpapi.RegisterWallboard(e.srv, httpapi.WallboardDeps{Board: board})
	start := time.Now().Add(-10 * time.Second)
	board.Observe(telephony.Event{Kind: telephony.EventCallStarted, At: start, Call: telephony.Call{
		LinkedID: "w1", Node: "pbx1", Direction: telephony.Inbound, StartedAt: start}})
	for role, status := range map[crm.Role]int{crm.RoleAgent: 403, crm.RoleSupervisor: 200, crm.RoleAdmin: 200} {
		resp, body := e.login(role).do("GET", "/api/v1/wallboard", nil)
		if resp.StatusCode != status {
			t.Fatalf("%s: %d %s", role, resp.StatusCode, body)
		}
		if status != 200 {
			continue
		}
		var s metrics.Snapshot
		mustJSON(t, body, &s)
		if len(s.Agents) != 1 || s.Agents[0].State != metrics.StateIdle || len(s.Waiting) != 1 ||
			s.LongestWaitSeconds < 9 || s.Active[telephony.Inbound] != 1 {
			t.Fatalf("wallboard = %s", body)
		}
	}
	if resp, _ := e.anon().do("GET", "/api/v1/wallboard", nil); resp.StatusCode != 401 {
		t.Fatalf("anonymous: %d", resp.StatusCode)
	}
}
