package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/telephony"
)

// AgentCalls lists the calls an agent took part in since a moment; the
// CRM store satisfies it.
type AgentCalls interface {
	AgentCallsSince(ctx context.Context, login string, since time.Time, limit int) ([]telephony.Call, error)
}

// AgentCallView is one of today's calls on the console.
type AgentCallView struct {
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
		Calls []AgentCallView `json:"calls"`
	}
}

// registerTodayCalls adds GET /api/v1/console/calls: the agent's calls
// since midnight in the centre's zone.
func (s *Server) registerTodayCalls(o ScreenPopOptions) {
	if o.Calls == nil {
		return
	}
	Register(s.api, AnyRole, huma.Operation{
		OperationID: "list-today-calls", Method: http.MethodGet, Path: "/api/v1/console/calls", Tags: []string{"console"},
		Summary: "My calls today with their durations (supervisors: any agent's)",
	}, func(ctx context.Context, in *todayCallsInput) (*todayCallsOutput, error) {
		agent, _, err := watchTarget(PrincipalFrom(ctx), in.Agent)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		now := o.Now().In(s.i18n.Zone())
		midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
		calls, err := o.Calls.AgentCallsSince(ctx, agent, midnight, 200)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &todayCallsOutput{}
		out.Body.Agent = agent
		out.Body.Calls = make([]AgentCallView, 0, len(calls))
		for _, c := range calls {
			out.Body.Calls = append(out.Body.Calls, AgentCallView{LinkedID: c.LinkedID, Direction: string(c.Direction),
				Outcome: string(c.Outcome), Customer: c.Customer, StartedAt: c.StartedAt, AnsweredAt: c.AnsweredAt,
				EndedAt: c.EndedAt, TalkSeconds: c.TalkSeconds})
		}
		return out, nil
	})
}
