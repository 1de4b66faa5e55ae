package httpapi

import (
	"context"
	"time"

	"hotline/telephony"
)

// AgentCalls lists the calls an agent took part in since a moment; the
// CRM store satisfies it.
type AgentCalls interface {
	AgentCallsSince(ctx context.Context, login string, since time.Time, limit int) ([]telephony.Call, error)
}

// AgentCallJSON is one of today's calls on the console.
type AgentCallJSON struct {
	LinkedID    string     `json:"linkedid"`
	Direction   string     `json:"direction"`
	Outcome     string     `json:"outcome"`
	Customer    string     `json:"customer"`
	StartedAt   time.Time  `json:"started_at"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
	TalkSeconds float64    `json:"talk_seconds"`
}

type todayCallsInput struct {
	Agent string `query:"agent" maxLength:"64" doc:"supervisors and admins: whose calls"`
}

type todayCallsOutput struct {
	Body struct {
		Agent string          `json:"agent"`
		Calls []AgentCallJSON `json:"calls"`
	}
}

// todayCalls answers GET /api/v1/console/calls: the agent's calls since
// midnight in the centre's zone.
func (h *popHandlers) todayCalls(ctx context.Context, in *todayCallsInput) (*todayCallsOutput, error) {
	agent, _, err := watchTarget(PrincipalFrom(ctx), in.Agent)
	if err != nil {
		return nil, h.srv.problem(ctx, err)
	}
	now := h.o.Now().In(h.srv.i18n.Zone())
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	calls, err := h.o.Calls.AgentCallsSince(ctx, agent, midnight, 200)
	if err != nil {
		return nil, h.srv.problem(ctx, err)
	}
	out := &todayCallsOutput{}
	out.Body.Agent = agent
	out.Body.Calls = make([]AgentCallJSON, 0, len(calls))
	for _, c := range calls {
		out.Body.Calls = append(out.Body.Calls, AgentCallJSON{LinkedID: c.LinkedID, Direction: string(c.Direction),
			Outcome: string(c.Outcome), Customer: c.Customer, StartedAt: c.StartedAt, AnsweredAt: c.AnsweredAt,
			EndedAt: c.EndedAt, TalkSeconds: c.TalkSeconds})
	}
	return out, nil
}
