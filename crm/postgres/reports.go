package postgres

import (
	"context"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/telephony"
)

// MaxReportPeriod is the longest period one efficiency report covers.
const MaxReportPeriod = 366 * 24 * time.Hour

// agentRows counts each call once for every agent who rang or talked on it
// (agents[] and agent), over the call log (consultation calls folded into
// other calls are not in it).
const agentRows = `
WITH c AS (
    SELECT * FROM call_log WHERE started_at >= $1 AND started_at < $2
), per AS (
    SELECT a.login, c.direction, c.agent, c.answered_at, c.talk_seconds, c.ring_seconds, c.hold_seconds
    FROM c CROSS JOIN LATERAL (
        SELECT DISTINCT x AS login FROM unnest(c.agents || ARRAY[c.agent]) AS x WHERE x <> '') a
)
SELECT per.login, coalesce(min(u.name), ''), count(*),
    count(*) FILTER (WHERE direction = 'inbound'),
    count(*) FILTER (WHERE direction = 'outbound'),
    count(*) FILTER (WHERE direction = 'internal'),
    count(*) FILTER (WHERE per.agent = per.login AND answered_at IS NOT NULL),
    count(*) FILTER (WHERE direction = 'inbound' AND (per.agent <> per.login OR answered_at IS NULL)),
    coalesce(sum(talk_seconds) FILTER (WHERE per.agent = per.login AND answered_at IS NOT NULL), 0),
    coalesce(sum(ring_seconds), 0),
    coalesce(sum(hold_seconds) FILTER (WHERE per.agent = per.login AND answered_at IS NOT NULL), 0)
FROM per LEFT JOIN users u ON u.login = per.login
GROUP BY per.login
ORDER BY per.login`

const totalRow = `
SELECT count(*),
    count(*) FILTER (WHERE direction = 'inbound'),
    count(*) FILTER (WHERE direction = 'outbound'),
    count(*) FILTER (WHERE direction = 'internal'),
    count(*) FILTER (WHERE answered_at IS NOT NULL),
    count(*) FILTER (WHERE direction = 'inbound' AND answered_at IS NULL),
    coalesce(sum(talk_seconds) FILTER (WHERE answered_at IS NOT NULL), 0),
    coalesce(sum(ring_seconds), 0),
    coalesce(sum(hold_seconds) FILTER (WHERE answered_at IS NOT NULL), 0)
FROM call_log WHERE started_at >= $1 AND started_at < $2`

// surveyRows reads survey scores per agent; it runs only when the survey
// tables exist. CSAT is the share of 4 and 5 on the 1-5 scale, NPS
// promoters (9-10) minus detractors (0-6), both in percent.
const surveyRows = `
SELECT r.agent,
    count(DISTINCT r.id) FILTER (WHERE a.response_id IS NOT NULL),
    100.0 * count(*) FILTER (WHERE a.scale = 'csat' AND a.value >= 4) / nullif(count(*) FILTER (WHERE a.scale = 'csat'), 0),
    avg(a.value) FILTER (WHERE a.scale = 'csat'),
    100.0 * (count(*) FILTER (WHERE a.scale = 'nps' AND a.value >= 9) - count(*) FILTER (WHERE a.scale = 'nps' AND a.value <= 6))
        / nullif(count(*) FILTER (WHERE a.scale = 'nps'), 0)
FROM survey_responses r LEFT JOIN survey_answers a ON a.response_id = r.id
WHERE r.started_at >= $1 AND r.started_at < $2
GROUP BY ROLLUP (r.agent)`

// AgentReport computes the agent efficiency report for [from, to) from the
// call log, with survey scores when the survey tables exist.
func (s *ReportService) AgentReport(ctx context.Context, from, to time.Time) (telephony.AgentReport, error) {
	if !to.After(from) || to.Sub(from) > MaxReportPeriod {
		return telephony.AgentReport{}, &crm.Error{Kind: crm.KindInvalid,
			Message: "the period must end after it starts and be at most 366 days long"}
	}
	rep := telephony.AgentReport{From: from, To: to, Agents: []telephony.AgentEfficiency{}}
	tx, err := s.db.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return rep, translate(err, "agent report")
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if rep.Agents, err = reportAgents(ctx, tx, from, to); err != nil {
		return rep, err
	}
	rep.Total.Agent = "total"
	err = tx.QueryRow(ctx, totalRow, from, to).Scan(&rep.Total.Calls, &rep.Total.Inbound, &rep.Total.Outbound,
		&rep.Total.Internal, &rep.Total.Answered, &rep.Total.Missed, &rep.Total.TotalTalkSeconds,
		&rep.Total.TotalRingSeconds, &rep.Total.TotalHoldSeconds)
	if err != nil {
		return rep, translate(err, "agent report total")
	}
	averages(&rep.Total)
	if err := reportSurveys(ctx, tx, from, to, &rep); err != nil {
		return rep, err
	}
	if err := reportTickets(ctx, tx, from, to, &rep); err != nil {
		return rep, err
	}
	return rep, translate(tx.Commit(ctx), "agent report")
}

func reportAgents(ctx context.Context, tx pgx.Tx, from, to time.Time) ([]telephony.AgentEfficiency, error) {
	rows, err := tx.Query(ctx, agentRows, from, to)
	if err != nil {
		return nil, translate(err, "agent report")
	}
	defer rows.Close()
	out := []telephony.AgentEfficiency{}
	for rows.Next() {
		var a telephony.AgentEfficiency
		if err := rows.Scan(&a.Agent, &a.Name, &a.Calls, &a.Inbound, &a.Outbound, &a.Internal, &a.Answered,
			&a.Missed, &a.TotalTalkSeconds, &a.TotalRingSeconds, &a.TotalHoldSeconds); err != nil {
			return nil, translate(err, "agent report")
		}
		averages(&a)
		out = append(out, a)
	}
	return out, translate(rows.Err(), "agent report")
}

// reportSurveys adds survey scores to the agents' rows and the total;
// agents with answers but no calls get a row too.
func reportSurveys(ctx context.Context, tx pgx.Tx, from, to time.Time, rep *telephony.AgentReport) error {
	rows, err := tx.Query(ctx, surveyRows, from, to)
	if err != nil {
		return translate(err, "agent report surveys")
	}
	defer rows.Close()
	for i := range rep.Agents {
		rep.Agents[i].SurveyResponses = new(int)
	}
	rep.Total.SurveyResponses = new(int)
	for rows.Next() {
		var agent *string
		var n int
		var csat, avg, nps *float64
		if err := rows.Scan(&agent, &n, &csat, &avg, &nps); err != nil {
			return translate(err, "agent report surveys")
		}
		row := &rep.Total
		if agent != nil {
			if *agent == "" {
				continue // responses to calls no agent took count in the total only
			}
			row = agentRow(rep, *agent)
		}
		row.SurveyResponses, row.CSAT, row.AvgCSAT, row.NPS = &n, round3p(csat), round3p(avg), round3p(nps)
	}
	return translate(rows.Err(), "agent report surveys")
}

// ticketRows counts the tickets each agent resolved in the period.
const ticketRows = `
SELECT u.login, count(*)
FROM tickets t JOIN users u ON u.id = t.assignee_id
WHERE t.resolved_at >= $1 AND t.resolved_at < $2
GROUP BY ROLLUP (u.login)`

// reportTickets adds the tickets resolved per agent.
func reportTickets(ctx context.Context, tx pgx.Tx, from, to time.Time, rep *telephony.AgentReport) error {
	rows, err := tx.Query(ctx, ticketRows, from, to)
	if err != nil {
		return translate(err, "agent report tickets")
	}
	defer rows.Close()
	for i := range rep.Agents {
		rep.Agents[i].TicketsHandled = new(int)
	}
	rep.Total.TicketsHandled = new(int)
	for rows.Next() {
		var login *string
		var n int
		if err := rows.Scan(&login, &n); err != nil {
			return translate(err, "agent report tickets")
		}
		row := &rep.Total
		if login != nil {
			row = agentRow(rep, *login)
		}
		row.TicketsHandled = &n
	}
	return translate(rows.Err(), "agent report tickets")
}

func agentRow(rep *telephony.AgentReport, agent string) *telephony.AgentEfficiency {
	for i := range rep.Agents {
		if rep.Agents[i].Agent == agent {
			return &rep.Agents[i]
		}
	}
	rep.Agents = append(rep.Agents, telephony.AgentEfficiency{Agent: agent})
	return &rep.Agents[len(rep.Agents)-1]
}

// averages fills the averages: talk and hold per answered call, ring per call.
func averages(a *telephony.AgentEfficiency) {
	if a.Answered > 0 {
		a.AvgTalkSeconds = round3(a.TotalTalkSeconds / float64(a.Answered))
		a.AvgHoldSeconds = round3(a.TotalHoldSeconds / float64(a.Answered))
	}
	if a.Calls > 0 {
		a.AvgRingSeconds = round3(a.TotalRingSeconds / float64(a.Calls))
	}
	a.TotalTalkSeconds = round3(a.TotalTalkSeconds)
	a.TotalRingSeconds = round3(a.TotalRingSeconds)
	a.TotalHoldSeconds = round3(a.TotalHoldSeconds)
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func round3p(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := round3(*p)
	return &v
}
