package httpapi

import (
	"context"
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

type plansOutput struct {
	Body struct {
		Plans []PlanJSON `json:"plans"`
	}
}

type slaPlanOutput struct{ Body PlanJSON }

type planCreateInput struct{ Body PlanJSON }

type planUpdateInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body PlanJSON
}

// clientPlanInput is an alias of an unnamed struct: the body's OpenAPI schema keeps
// the name of its operation (as "Add-ticket-commentRequest").
type clientPlanInput = struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		PlanID int64 `json:"plan_id" minimum:"0"`
	}
}

// listPlans answers every SLA plan.
func (h ticketHandlers) listPlans(ctx context.Context, _ *struct{}) (*plansOutput, error) {
	plans, err := h.sla.ListSLAPlans(ctx)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &plansOutput{}
	out.Body.Plans = []PlanJSON{}
	for _, p := range plans {
		out.Body.Plans = append(out.Body.Plans, planJSON(p))
	}
	return out, nil
}

// createPlan adds an SLA plan.
func (h ticketHandlers) createPlan(ctx context.Context, in *planCreateInput) (*slaPlanOutput, error) {
	return h.savePlan(ctx, 0, in.Body)
}

// updatePlan changes an SLA plan.
func (h ticketHandlers) updatePlan(ctx context.Context, in *planUpdateInput) (*slaPlanOutput, error) {
	return h.savePlan(ctx, in.ID, in.Body)
}

func (h ticketHandlers) savePlan(ctx context.Context, id int64, b PlanJSON) (*slaPlanOutput, error) {
	p, err := b.plan(id)
	if err != nil {
		return nil, err
	}
	if err := h.sla.SaveSLAPlan(ctx, &p); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &slaPlanOutput{planJSON(p)}, nil
}

// setClientPlan puts a client on an SLA plan.
func (h ticketHandlers) setClientPlan(ctx context.Context, in *clientPlanInput) (*struct{}, error) {
	if err := h.sla.SetClientSLAPlan(ctx, in.ID, in.Body.PlanID); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &struct{}{}, nil
}
