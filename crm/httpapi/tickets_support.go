package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/service"
)

var weekdayKeys = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// PlanJSON is an SLA plan: hours per weekday as "09:00-18:00[,HH:MM-HH:MM]"
// ("" or absent: closed), holidays as dates, targets per priority in
// business minutes and escalation levels.
type PlanJSON struct {
	ID       int64                     `json:"id,omitempty" readOnly:"true"`
	Name     string                    `json:"name" minLength:"1" maxLength:"200"`
	TimeZone string                    `json:"time_zone" minLength:"1" maxLength:"64" example:"Europe/Moscow"`
	Hours    map[string]string         `json:"hours" doc:"keys sun..sat"`
	Holidays []string                  `json:"holidays,omitempty" maxItems:"400"`
	Targets  map[string]service.Target `json:"targets" doc:"keys critical, high, normal, low"`
	Levels   []service.Level           `json:"levels,omitempty" maxItems:"20"`
	Default  bool                      `json:"default,omitempty"`
}

func planJSON(p service.SLAPlan) PlanJSON {
	out := PlanJSON{ID: p.ID, Name: p.Name, TimeZone: p.TimeZone, Hours: map[string]string{}, Holidays: p.Holidays,
		Targets: map[string]service.Target{}, Levels: p.Levels, Default: p.Default}
	for d, spans := range p.Hours {
		var parts []string
		for _, s := range spans {
			parts = append(parts, clockText(s.From)+"-"+clockText(s.To))
		}
		out.Hours[weekdayKeys[d]] = strings.Join(parts, ",")
	}
	for k, v := range p.Targets {
		out.Targets[string(k)] = v
	}
	return out
}

func clockText(m int) string {
	return string([]byte{byte('0' + m/600), byte('0' + m/60%10), ':', byte('0' + m%60/10), byte('0' + m%10)})
}

func (b PlanJSON) plan(id int64) (service.SLAPlan, error) {
	p := service.SLAPlan{ID: id, Name: b.Name, TimeZone: b.TimeZone, Holidays: b.Holidays, Levels: b.Levels,
		Default: b.Default, Targets: map[service.Priority]service.Target{}}
	for k, v := range b.Hours {
		i := indexOf(weekdayKeys, k)
		if i < 0 {
			return p, huma.Error422UnprocessableEntity("hours: unknown weekday " + k + " (use sun..sat)")
		}
		spans, err := service.ParseSpans(v)
		if err != nil {
			return p, huma.Error422UnprocessableEntity("hours." + k + ": " + err.Error())
		}
		p.Hours[i] = spans
	}
	for k, v := range b.Targets {
		p.Targets[service.Priority(k)] = v
	}
	return p, nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func (s *ticketsAPI) registerSupport(api huma.API) {
	tags := []string{"service desk"}
	type plansOutput struct {
		Body struct {
			Plans []PlanJSON `json:"plans"`
		}
	}
	Register(api, AnyRole, huma.Operation{OperationID: "list-sla-plans", Method: http.MethodGet, Path: "/api/v1/sla-plans",
		Tags: tags, Summary: "SLA plans (support conditions)"},
		func(ctx context.Context, _ *struct{}) (*plansOutput, error) {
			plans, err := s.store.ListSLAPlans(ctx)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &plansOutput{}
			out.Body.Plans = []PlanJSON{}
			for _, p := range plans {
				out.Body.Plans = append(out.Body.Plans, planJSON(p))
			}
			return out, nil
		})
	save := func(ctx context.Context, id int64, b PlanJSON) (*struct{ Body PlanJSON }, error) {
		p, err := b.plan(id)
		if err != nil {
			return nil, err
		}
		if err := s.store.SaveSLAPlan(ctx, &p); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body PlanJSON }{planJSON(p)}, nil
	}
	Register(api, AdminOnly, huma.Operation{OperationID: "create-sla-plan", Method: http.MethodPost, Path: "/api/v1/sla-plans",
		Tags: tags, Summary: "Add an SLA plan", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct{ Body PlanJSON }) (*struct{ Body PlanJSON }, error) {
			return save(ctx, 0, in.Body)
		})
	Register(api, AdminOnly, huma.Operation{OperationID: "update-sla-plan", Method: http.MethodPut, Path: "/api/v1/sla-plans/{id}",
		Tags: tags, Summary: "Change an SLA plan (applies to tickets' next recomputation)"},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id" minimum:"1"`
			Body PlanJSON
		}) (*struct{ Body PlanJSON }, error) {
			return save(ctx, in.ID, in.Body)
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "set-client-sla-plan", Method: http.MethodPut, Path: "/api/v1/clients/{id}/sla-plan",
		Tags: tags, Summary: "Attach an SLA plan to a client (plan_id 0: back to the default)", DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id" minimum:"1"`
			Body struct {
				PlanID int64 `json:"plan_id" minimum:"0"`
			}
		}) (*struct{}, error) {
			if err := s.store.SetClientSLAPlan(ctx, in.ID, in.Body.PlanID); err != nil {
				return nil, s.problem(ctx, err)
			}
			return &struct{}{}, nil
		})
}
