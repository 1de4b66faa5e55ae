package httpapi_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/funnel"
	"hotline/crm/httpapi"
)

// funnelNow is the funnel operations' clock: Wednesday 25 November 2026,
// 12:00 UTC (sessions keep the real clock).
func funnelNow() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }

// newFunnelEnv is a server with the funnel operations.
func newFunnelEnv(t *testing.T) *env {
	e := newEnv(t)
	httpapi.RegisterFunnel(e.srv, httpapi.FunnelDeps{Funnels: e.store.Funnel, Deals: e.store.Funnel, Now: funnelNow})
	return e
}

func (e *env) defaultFunnel() funnel.Funnel {
	e.t.Helper()
	f, err := e.store.Funnel.GetFunnel(context.Background(), 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

// agentDeal opens a deal owned by the agent user, at the first stage.
func (e *env) agentDeal() funnel.Deal {
	e.t.Helper()
	c := e.newClient(fmt.Sprintf("Deal client %d", seq.Add(1)), "")
	d := funnel.Deal{ClientID: c.ID, OwnerID: e.users[crm.RoleAgent].ID, Amount: 1000_00}
	if err := e.store.Funnel.CreateDeal(context.Background(), &d, nil, funnelNow().Add(-time.Hour)); err != nil {
		e.t.Fatal(err)
	}
	return d
}

func funnelSamples() map[string]sample {
	fixed := func(path string, body func(e *env) any) sample {
		return func(_ *testing.T, e *env) (string, any) {
			if body == nil {
				return path, nil
			}
			return path, body(e)
		}
	}
	deal := func(suffix string, body func(e *env) any) sample {
		return func(_ *testing.T, e *env) (string, any) {
			d := e.agentDeal()
			var b any
			if body != nil {
				b = body(e)
			}
			return fmt.Sprintf("/api/v1/deals/%d%s", d.ID, suffix), b
		}
	}
	twoStages := func(e *env) any {
		return map[string]any{"name": fmt.Sprintf("Line %d", seq.Add(1)), "stages": []map[string]any{{"name": "Lead"}, {"name": "Signed"}}}
	}
	return map[string]sample{
		"list-funnels":  fixed("/api/v1/funnels", nil),
		"create-funnel": fixed("/api/v1/funnels", twoStages),
		"update-funnel": func(t *testing.T, e *env) (string, any) {
			f := funnel.Funnel{Name: fmt.Sprintf("Editable %d", seq.Add(1)), Stages: []funnel.Stage{{Name: "A"}, {Name: "B"}}}
			if err := e.store.Funnel.CreateFunnel(context.Background(), &f); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/funnels/%d", f.ID), map[string]any{"name": f.Name + " renamed",
				"stages": []map[string]any{{"id": f.Stages[1].ID, "name": "B"}, {"id": f.Stages[0].ID, "name": "A2"}, {"name": "C"}}}
		},
		"get-funnel-settings": fixed("/api/v1/funnel-settings", nil),
		"save-funnel-settings": fixed("/api/v1/funnel-settings", func(*env) any {
			return map[string]any{"time_zone": "UTC", "auto_open_deals": false}
		}),
		"get-funnel-plan": fixed("/api/v1/funnel-plans?period=week&date=2026-11-25", nil),
		"save-funnel-plan": fixed("/api/v1/funnel-plans", func(e *env) any {
			return map[string]any{"period": "week", "date": "2026-11-25",
				"targets": []map[string]any{{"stage_id": e.defaultFunnel().Stages[0].ID, "target": 15}}}
		}),
		"funnel-report":        fixed("/api/v1/funnel-report?period=week&date=2026-11-25", nil),
		"export-funnel-report": fixed("/api/v1/funnel-report.csv?period=month", nil),
		"list-deals":           fixed("/api/v1/deals", nil),
		"create-deal": fixed("/api/v1/deals", func(e *env) any {
			return map[string]any{"client_id": e.newClient("Buyer", "").ID, "amount": 1500.5, "currency": "rub"}
		}),
		"get-deal":    deal("", nil),
		"update-deal": deal("", func(*env) any { return map[string]any{"title": "Bigger order", "amount": 2500} }),
		"move-deal": deal("/stage", func(e *env) any {
			return map[string]any{"stage_id": e.defaultFunnel().Stages[2].ID}
		}),
		"deal-history":      deal("/history", nil),
		"add-deal-activity": deal("/activities", func(*env) any { return map[string]any{"kind": "meeting", "note": "at their office"} }),
	}
}

// TestFunnelRoleMatrix walks every funnel and deal operation with every
// kind of caller, as TestRoleMatrix does for the core operations.
func TestFunnelRoleMatrix(t *testing.T) {
	e := newFunnelEnv(t)
	callers := []caller{
		{"anonymous", "", func(e *env) *client { return e.anon() }},
		{"agent", crm.RoleAgent, func(e *env) *client { return e.login(crm.RoleAgent) }},
		{"supervisor", crm.RoleSupervisor, func(e *env) *client { return e.login(crm.RoleSupervisor) }},
		{"admin", crm.RoleAdmin, func(e *env) *client { return e.login(crm.RoleAdmin) }},
		{"agent-token", crm.RoleAgent, func(e *env) *client { return e.tokenClient(crm.RoleAgent) }},
	}
	clients := map[string]*client{}
	for _, c := range callers {
		clients[c.name] = c.make(e)
	}
	smp := funnelSamples()
	n := 0
	for _, op := range operations(e.srv.API()) {
		if !slices.Contains(op.Tags, "funnel") && !slices.Contains(op.Tags, "deals") {
			continue
		}
		n++
		access, ok := httpapi.AccessOf(op)
		if !ok {
			t.Errorf("%s declares no roles", op.OperationID)
			continue
		}
		s, ok := smp[op.OperationID]
		if !ok {
			t.Errorf("operation %s has no sample request in funnel_test.go", op.OperationID)
			continue
		}
		for _, c := range callers {
			path, body := s(t, e)
			resp, out := clients[c.name].do(op.Method, path, body)
			want := "2xx"
			switch {
			case c.role == "":
				want = "401"
			case !slices.Contains(access.Roles, c.role):
				want = "403"
			}
			got := resp.StatusCode
			if (want == "2xx" && (got < 200 || got > 299)) || (want == "401" && got != 401) || (want == "403" && got != 403) {
				t.Errorf("%s %s as %s: status %d, want %s: %s", op.Method, path, c.name, got, want, out)
			}
		}
	}
	if n != len(smp) {
		t.Errorf("%d funnel operations registered, %d samples", n, len(smp))
	}
}

// Agents see and work only their own deals and funnel.
func TestFunnelAgentsSeeTheirOwn(t *testing.T) {
	e := newFunnelEnv(t)
	agent, sup := e.login(crm.RoleAgent), e.login(crm.RoleSupervisor)
	mine := e.agentDeal()
	other := funnel.Deal{ClientID: e.newClient("Not yours", "").ID, OwnerID: e.users[crm.RoleSupervisor].ID}
	if err := e.store.Funnel.CreateDeal(context.Background(), &other, nil, funnelNow()); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ method, path string }{
		{"GET", fmt.Sprintf("/api/v1/deals/%d", other.ID)},
		{"GET", fmt.Sprintf("/api/v1/deals/%d/history", other.ID)},
		{"PATCH", fmt.Sprintf("/api/v1/deals/%d", other.ID)},
		{"GET", fmt.Sprintf("/api/v1/deals?salesperson_id=%d", other.OwnerID)},
		{"GET", fmt.Sprintf("/api/v1/funnel-report?salesperson_id=%d", other.OwnerID)},
	} {
		resp, body := agent.do(r.method, r.path, map[string]any{})
		mustProblem(t, resp, body, http.StatusForbidden)
	}
	var list struct{ Deals []funnel.Deal }
	resp, body := agent.do("GET", "/api/v1/deals", nil)
	mustJSON(t, body, &list)
	if resp.StatusCode != 200 || len(list.Deals) != 1 || list.Deals[0].ID != mine.ID {
		t.Errorf("agent's deals: %s", body)
	}
	// An agent's report is their own.
	var rep funnel.Report
	resp, body = agent.do("GET", "/api/v1/funnel-report?period=week", nil)
	mustJSON(t, body, &rep)
	if resp.StatusCode != 200 || rep.Salesperson == nil || rep.Salesperson.ID != e.users[crm.RoleAgent].ID || rep.Stages[0].Actual != 1 {
		t.Errorf("agent report: %s", body)
	}
	// Agents may not hand deals over or backdate changes; supervisors may.
	resp, body = agent.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", mine.ID), map[string]any{"salesperson_id": other.OwnerID})
	mustProblem(t, resp, body, http.StatusForbidden)
	stage3 := e.defaultFunnel().Stages[2].ID
	past := funnelNow().Add(-30 * time.Minute).Format(time.RFC3339)
	resp, body = agent.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", mine.ID), map[string]any{"stage_id": stage3, "at": past})
	mustProblem(t, resp, body, http.StatusForbidden)
	resp, body = sup.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", mine.ID), map[string]any{"stage_id": stage3, "at": past})
	if resp.StatusCode != 200 {
		t.Fatalf("supervisor backdated move: %d %s", resp.StatusCode, body)
	}
}

func TestFunnelBadInput(t *testing.T) {
	e := newFunnelEnv(t)
	sup, admin := e.login(crm.RoleSupervisor), e.login(crm.RoleAdmin)
	d := e.agentDeal()
	other := funnel.Funnel{Name: "Other line", Stages: []funnel.Stage{{Name: "A"}, {Name: "B"}}}
	if err := e.store.Funnel.CreateFunnel(context.Background(), &other); err != nil {
		t.Fatal(err)
	}
	f := e.defaultFunnel()
	for _, c := range []struct {
		name         string
		cl           *client
		method, path string
		body         any
		status       int
		location     string
	}{
		{"unknown period", sup, "GET", "/api/v1/funnel-report?period=year", nil, 422, "query.period"},
		{"bad date", sup, "GET", "/api/v1/funnel-report?date=2026-13-45", nil, 422, "query.date"},
		{"bad zone", sup, "GET", "/api/v1/funnel-report?tz=Mars/Base", nil, 422, "query.tz"},
		{"missing funnel", sup, "GET", "/api/v1/funnel-report?funnel_id=9999", nil, 404, ""},
		{"foreign stage in plan", sup, "PUT", "/api/v1/funnel-plans", map[string]any{"period": "week", "date": "2026-11-25",
			"targets": []map[string]any{{"stage_id": other.Stages[0].ID, "target": 3}}}, 422, "body.targets"},
		{"negative target", sup, "PUT", "/api/v1/funnel-plans", map[string]any{"period": "week", "date": "2026-11-25",
			"targets": []map[string]any{{"stage_id": f.Stages[0].ID, "target": -1}}}, 422, "body.targets[0].target"},
		{"deal for missing client", sup, "POST", "/api/v1/deals", map[string]any{"client_id": 99999}, 422, "body.client_id"},
		{"three decimals", sup, "POST", "/api/v1/deals", map[string]any{"client_id": d.ClientID, "amount": 1.234}, 422, ""},
		{"lost without reason", sup, "PATCH", fmt.Sprintf("/api/v1/deals/%d", d.ID), map[string]any{"status": "lost"}, 422, "body.lost_reason"},
		{"same stage", sup, "POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.ID), map[string]any{"stage_id": f.Stages[0].ID}, 422, "body.stage_id"},
		{"other funnel's stage", sup, "POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.ID), map[string]any{"stage_id": other.Stages[1].ID}, 422, "body.stage_id"},
		{"future change", sup, "POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.ID), map[string]any{"stage_id": f.Stages[1].ID,
			"at": funnelNow().Add(time.Hour).Format(time.RFC3339)}, 422, "body.at"},
		{"missing deal", sup, "GET", "/api/v1/deals/99999", nil, 404, ""},
		{"one stage", admin, "POST", "/api/v1/funnels", map[string]any{"name": "x", "stages": []map[string]any{{"name": "a"}}}, 422, "body.stages"},
		{"duplicate funnel", admin, "POST", "/api/v1/funnels", map[string]any{"name": "Other line",
			"stages": []map[string]any{{"name": "a"}, {"name": "b"}}}, 409, ""},
		{"bad settings zone", admin, "PUT", "/api/v1/funnel-settings", map[string]any{"time_zone": "Nowhere/City"}, 422, "body.time_zone"},
		{"activity kind", sup, "POST", fmt.Sprintf("/api/v1/deals/%d/activities", d.ID), map[string]any{"kind": "call"}, 422, "body.kind"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := c.cl.do(c.method, c.path, c.body)
			p := mustProblem(t, resp, body, c.status)
			if c.location != "" && !slices.ContainsFunc(p.Errors, func(d struct {
				Message  string `json:"message"`
				Location string `json:"location"`
			}) bool {
				return d.Location == c.location
			}) {
				t.Errorf("problem %s does not name %s", body, c.location)
			}
		})
	}
	// Nothing was lost: the deal is still at its first stage, open.
	got, _ := e.store.Funnel.GetDeal(context.Background(), d.ID)
	if got.StageID != f.Stages[0].ID || got.Status != funnel.StatusOpen {
		t.Errorf("deal changed by bad input: %+v", got)
	}
}

// The supervisor sets the seed's week plan and reads it back in JSON and CSV.
func TestFunnelPlanAndReport(t *testing.T) {
	e := newFunnelEnv(t)
	sup := e.login(crm.RoleSupervisor)
	f := e.defaultFunnel()
	var targets []map[string]any
	for i, v := range []int{15, 10, 7, 5, 5} {
		targets = append(targets, map[string]any{"stage_id": f.Stages[i].ID, "target": v})
	}
	resp, body := sup.do("PUT", "/api/v1/funnel-plans", map[string]any{"period": "week", "date": "2026-11-26", "targets": targets})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"start":"2026-11-23"`) {
		t.Fatalf("save plan: %d %s", resp.StatusCode, body)
	}
	for range 12 {
		e.agentDeal()
	}
	d := e.agentDeal()
	if _, err := e.store.Funnel.MoveDeal(context.Background(), d.ID, f.Stages[1].ID, nil, funnelNow()); err != nil {
		t.Fatal(err)
	}
	var rep funnel.Report
	resp, body = sup.do("GET", "/api/v1/funnel-report?period=week", nil)
	mustJSON(t, body, &rep)
	// 13 first contacts of 15 = 86.7% amber; 1 presentation of 10 = 10% red; conversion 1/13 = 7.7%.
	s0, s1 := rep.Stages[0], rep.Stages[1]
	if resp.StatusCode != 200 || s0.Actual != 13 || *s0.Plan != 15 || *s0.Fulfilment != 86.7 || s0.Color != "amber" ||
		s1.Actual != 1 || s1.Color != "red" || *s0.Conversion != 7.7 || rep.Period.Label != "2026-W48" {
		t.Fatalf("report: %s", body)
	}
	if len(rep.People) != 1 || rep.People[0].Stages[0].Actual != 13 || rep.Forecast.Method == "" {
		t.Errorf("people %+v forecast %+v", rep.People, rep.Forecast)
	}
	resp, body = sup.do("GET", "/api/v1/funnel-report.csv?period=week", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || len(rows) != 1+5+5 {
		t.Fatalf("csv rows %d: %v\n%s", len(rows), err, body)
	}
	if got := strings.Join(rows[1][4:11], ","); got != "company,1,First contact,15,13,86.7,amber" {
		t.Errorf("csv first stage: %s", got)
	}
}
