package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/telephony"
)

var reportDay = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// reportCall is a finished call of the report day, started at hour h.
func reportCall(id string, h int, dir telephony.Direction, agent string, agents []string, answered bool, ring, talk, hold float64) telephony.Call {
	start := reportDay.Add(time.Duration(h) * time.Hour)
	end := start.Add(5 * time.Minute)
	c := telephony.Call{LinkedID: id, Node: "pbx1", Direction: dir, Agent: agent, Agents: agents,
		StartedAt: start, EndedAt: &end, RingSeconds: ring, TalkSeconds: talk, HoldSeconds: hold,
		Outcome: telephony.OutcomeAbandoned, Caller: "+74951234567", Callee: "100"}
	if answered {
		at := start.Add(10 * time.Second)
		c.AnsweredAt, c.Outcome = &at, telephony.OutcomeAnswered
	}
	return c
}

// saveReportDay writes a hand-checked day through the tracker's store interface:
//
//	c1 inbound, alice answers: ring 3, talk 100, hold 20
//	c2 inbound, rings bob, abandoned: ring 10
//	c3 outbound by alice: ring 8, talk 40
//	c4 inbound, rings bob, then alice answers: ring 6, talk 60
//	c5 inbound, abandoned in the IVR (no agent)
//	c6 consultation alice -> bob merged into c1: not in the call log
//	c7 alice, the day before: outside the period
//	c8 internal alice -> bob, bob answers: ring 2, talk 30
func saveReportDay(t *testing.T, s *postgres.Services) {
	t.Helper()
	c6 := reportCall("c6", 9, telephony.Internal, "bob", []string{"alice", "bob"}, true, 1, 15, 0)
	c6.MergedInto = "c1"
	c7 := reportCall("c7", -3, telephony.Inbound, "alice", []string{"alice"}, true, 1, 500, 0)
	calls := []telephony.Call{
		reportCall("c1", 9, telephony.Inbound, "alice", []string{"alice"}, true, 3, 100, 20),
		reportCall("c2", 10, telephony.Inbound, "", []string{"bob"}, false, 10, 0, 0),
		reportCall("c3", 11, telephony.Outbound, "alice", []string{"alice"}, true, 8, 40, 0),
		reportCall("c4", 12, telephony.Inbound, "alice", []string{"bob", "alice"}, true, 6, 60, 0),
		reportCall("c5", 13, telephony.Inbound, "", nil, false, 0, 0, 0),
		c6, c7,
		reportCall("c8", 14, telephony.Internal, "bob", []string{"alice", "bob"}, true, 2, 30, 0),
	}
	var ups []telephony.CallUpdate
	for _, c := range calls {
		ups = append(ups, telephony.CallUpdate{Version: 3, Call: c})
	}
	if err := s.Calls.SaveCalls(context.Background(), pgtest.CallRecords(t, ups...)); err != nil {
		t.Fatal(err)
	}
}

func TestAgentReportMatchesHandCheckedDay(t *testing.T) {
	s := pgtest.NewStore(t)
	ctx := context.Background()
	if err := s.Users.CreateUser(ctx, &crm.User{Login: "alice", Name: "Alice Archer", Role: crm.RoleAgent}, "x"); err != nil {
		t.Fatal(err)
	}
	saveReportDay(t, s)
	rep, err := s.Reports.AgentReport(ctx, reportDay, reportDay.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []telephony.AgentEfficiency{
		{Agent: "alice", Name: "Alice Archer", Calls: 4, Inbound: 2, Outbound: 1, Internal: 1, Answered: 3, Missed: 0,
			TotalTalkSeconds: 200, AvgTalkSeconds: 66.667, TotalRingSeconds: 19, AvgRingSeconds: 4.75,
			TotalHoldSeconds: 20, AvgHoldSeconds: 6.667},
		{Agent: "bob", Calls: 3, Inbound: 2, Internal: 1, Answered: 1, Missed: 2,
			TotalTalkSeconds: 30, AvgTalkSeconds: 30, TotalRingSeconds: 18, AvgRingSeconds: 6},
	}
	if len(rep.Agents) != len(want) {
		t.Fatalf("agents = %+v", rep.Agents)
	}
	for i := range want {
		// the survey tables exist (migration 00020) and hold no responses
		if r := rep.Agents[i].SurveyResponses; r == nil || *r != 0 {
			t.Errorf("row %d: survey responses %v, want 0", i, deref(r))
		}
		rep.Agents[i].SurveyResponses = nil
		// likewise the service desk's tickets: none resolved (nil without the table)
		if r := rep.Agents[i].TicketsHandled; r != nil && *r != 0 {
			t.Errorf("row %d: tickets %v, want 0", i, *r)
		}
		rep.Agents[i].TicketsHandled = nil
		if rep.Agents[i] != want[i] {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, rep.Agents[i], want[i])
		}
	}
	wantTotal := telephony.AgentEfficiency{Agent: "total", Calls: 6, Inbound: 4, Outbound: 1, Internal: 1, Answered: 4,
		Missed: 2, TotalTalkSeconds: 230, AvgTalkSeconds: 57.5, TotalRingSeconds: 29, AvgRingSeconds: 4.833,
		TotalHoldSeconds: 20, AvgHoldSeconds: 5}
	if r := rep.Total.SurveyResponses; r == nil || *r != 0 {
		t.Errorf("total survey responses %v, want 0", deref(r))
	}
	rep.Total.SurveyResponses = nil
	if r := rep.Total.TicketsHandled; r != nil && *r != 0 {
		t.Errorf("total tickets %v, want 0", *r)
	}
	rep.Total.TicketsHandled = nil
	if rep.Total != wantTotal {
		t.Errorf("total:\n got %+v\nwant %+v", rep.Total, wantTotal)
	}
}

func TestAgentReportSurveyScores(t *testing.T) {
	s := pgtest.NewStore(t)
	ctx := context.Background()
	saveReportDay(t, s)
	// responses to the default survey of migration 00020, written as the survey runner does
	answers := []struct {
		agent string
		csat  int
		nps   int // -1: not answered
	}{{"alice", 5, 10}, {"alice", 3, 6}, {"bob", 4, -1}, {"", 1, -1}}
	for i, a := range answers {
		var id int64
		err := s.DB.Pool().QueryRow(ctx, `INSERT INTO survey_responses (survey_id, node, channel_id, agent, state, started_at)
			VALUES ((SELECT min(id) FROM survey_definitions), 'pbx1', $1, $2, 'completed', $3) RETURNING id`,
			"ch"+string(rune('a'+i)), a.agent, reportDay.Add(15*time.Hour)).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		ins := `INSERT INTO survey_answers (response_id, idx, key, value, scale, at) VALUES ($1, $2, $3, $4, $5, now())`
		if _, err := s.DB.Pool().Exec(ctx, ins, id, 0, "agent", a.csat, "csat"); err != nil {
			t.Fatal(err)
		}
		if a.nps >= 0 {
			if _, err := s.DB.Pool().Exec(ctx, ins, id, 1, "nps", a.nps, "nps"); err != nil {
				t.Fatal(err)
			}
		}
	}
	rep, err := s.Reports.AgentReport(ctx, reportDay, reportDay.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	check := func(row telephony.AgentEfficiency, n int, csat, avg float64, nps *float64) {
		t.Helper()
		if row.SurveyResponses == nil || *row.SurveyResponses != n || *row.CSAT != csat || *row.AvgCSAT != avg ||
			(nps == nil) != (row.NPS == nil) || (nps != nil && *nps != *row.NPS) {
			t.Errorf("%s: responses %v csat %v avg %v nps %v, want %d %v %v %v", row.Agent, deref(row.SurveyResponses),
				deref(row.CSAT), deref(row.AvgCSAT), deref(row.NPS), n, csat, avg, nps)
		}
	}
	zero := 0.0
	check(rep.Agents[0], 2, 50, 4, &zero)
	check(rep.Agents[1], 1, 100, 4, nil)
	check(rep.Total, 4, 50, 3.25, &zero)
}

func TestAgentReportTicketsHandled(t *testing.T) {
	s := pgtest.NewStore(t)
	ctx := context.Background()
	saveReportDay(t, s)
	alice := crm.User{Login: "alice", Role: crm.RoleAgent}
	if err := s.Users.CreateUser(ctx, &alice, "x"); err != nil {
		t.Fatal(err)
	}
	cl := crm.Client{Name: "Vector Ltd"}
	if err := s.Clients.CreateClient(ctx, &cl); err != nil {
		t.Fatal(err)
	}
	// The service desk's migration creates tickets; create the columns the
	// report reads when it is not in this build.
	_, err := s.DB.Pool().Exec(ctx, `CREATE TABLE IF NOT EXISTS tickets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		client_id bigint, subject text, priority text, status text, assignee_id bigint, public_token text,
		created_at timestamptz, updated_at timestamptz, resolved_at timestamptz)`)
	if err != nil {
		t.Fatal(err)
	}
	for i, resolved := range []time.Time{reportDay.Add(10 * time.Hour), reportDay.Add(11 * time.Hour), reportDay.Add(-time.Hour)} {
		_, err := s.DB.Pool().Exec(ctx, `INSERT INTO tickets (client_id, subject, priority, status, assignee_id, public_token,
			created_at, updated_at, resolved_at) VALUES ($1, 'Router', 'normal', 'resolved', $2, $3, $4, $4, $4)`,
			cl.ID, alice.ID, "tok"+string(rune('a'+i)), resolved)
		if err != nil {
			t.Fatal(err)
		}
	}
	rep, err := s.Reports.AgentReport(ctx, reportDay, reportDay.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := deref(rep.Agents[0].TicketsHandled); rep.Agents[0].Agent != "alice" || got != 2 {
		t.Errorf("alice resolved %v tickets, want 2", got)
	}
	if got := deref(rep.Agents[1].TicketsHandled); got != 0 {
		t.Errorf("bob resolved %v tickets, want 0", got)
	}
	if got := deref(rep.Total.TicketsHandled); got != 2 {
		t.Errorf("total tickets %v, want 2", got)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestAgentReportRejectsBadPeriods(t *testing.T) {
	s := pgtest.NewStore(t)
	for name, p := range map[string][2]time.Time{
		"empty":    {reportDay, reportDay},
		"reversed": {reportDay, reportDay.Add(-time.Hour)},
		"too long": {reportDay, reportDay.Add(400 * 24 * time.Hour)},
	} {
		_, err := s.Reports.AgentReport(context.Background(), p[0], p[1])
		var ce *crm.Error
		if !errors.As(err, &ce) || ce.Kind != crm.KindInvalid {
			t.Errorf("%s: err = %v, want KindInvalid", name, err)
		}
	}
}
