package web

import (
	"net/http"
	"strconv"
	"strings"

	"hotline/crm/service"
	"hotline/internal/i18n"
)

// SLA plans at /admin/sla-plans: the list with what uses each plan, and a
// form to add or change one. Admins only, like the API's create and update
// operations; a change applies to new tickets and to open tickets at their
// next recomputation.

// planRow is a plan as the list shows it.
type planRow struct {
	service.SLAPlan
	Hours      string
	Targets    []targetRow
	Usage      service.PlanUsage
	LevelLines []string // what each escalation level does, in words
}

// planDoneMessages confirm a change after its redirect (?done=).
var planDoneMessages = map[string]string{
	"created": "web.sla.done.created",
	"saved":   "web.sla.done.saved",
}

func (a *adminPages) listPlans(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	plans, err := a.deps.SLAPlans.ListSLAPlans(ctx)
	if err != nil {
		a.p.errorPage(w, r, err)
		return
	}
	usage, err := a.deps.SLAPlans.SLAPlanUsage(ctx)
	if err != nil {
		a.p.errorPage(w, r, err)
		return
	}
	rows := make([]planRow, 0, len(plans))
	for _, p := range plans {
		f := formOfPlan(p)
		row := planRow{SLAPlan: p, Hours: hoursSummary(loc(r), p.Hours), Targets: f.Targets, Usage: usage[p.ID]}
		for _, l := range p.Levels {
			row.LevelLines = append(row.LevelLines, levelText(loc(r), l))
		}
		rows = append(rows, row)
	}
	a.p.render(w, r, http.StatusOK, "admin_sla_plans", "web.nav.sla_plans",
		view{Active: "/admin/sla-plans", Flash: doneFlash(r, planDoneMessages), Data: rows})
}

func (a *adminPages) newPlan(w http.ResponseWriter, r *http.Request) {
	p := service.StandardPlan()
	p.Name, p.Default = "", false
	a.renderPlan(w, r, http.StatusOK, formOfPlan(p))
}

func (a *adminPages) editPlan(w http.ResponseWriter, r *http.Request) {
	p, err := a.deps.SLAPlans.GetSLAPlan(r.Context(), pathID(r))
	if err != nil {
		a.p.errorPage(w, r, err)
		return
	}
	a.renderPlan(w, r, http.StatusOK, formOfPlan(p))
}

// renderPlan shows the plan form; a form with errors answers status 422.
func (a *adminPages) renderPlan(w http.ResponseWriter, r *http.Request, status int, f planForm) {
	v := view{Active: "/admin/sla-plans", Data: f, Title: loc(r).T("web.sla.new_title", nil)}
	if f.ID != 0 {
		v.Title = loc(r).T("web.sla.plan_title", map[string]any{"Name": f.Name})
	}
	if len(f.Errors) > 0 {
		v.Error = loc(r).T("web.sla.not_saved", nil)
		if msg := f.Errors["form"]; msg != "" {
			v.Error = msg
		}
	}
	a.p.render(w, r, status, "admin_sla_plan", "", v)
}

// savePlan creates a plan (POST /admin/sla-plans) or changes one (POST
// /admin/sla-plans/{id}); a refused form comes back as typed, with a
// message at each field at fault.
func (a *adminPages) savePlan(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	ctx := r.Context()
	id, wasDefault := pathID(r), false
	if id != 0 {
		old, err := a.deps.SLAPlans.GetSLAPlan(ctx, id)
		if err != nil {
			a.p.errorPage(w, r, err)
			return
		}
		wasDefault = old.Default
	}
	f := readPlanForm(r.PostForm, id, wasDefault)
	p := f.plan(loc(r))
	if len(f.Errors) == 0 {
		if err := p.Validate(); err != nil {
			f.setError(err)
		}
	}
	if len(f.Errors) == 0 {
		if err := a.deps.SLAPlans.SaveSLAPlan(ctx, &p); err != nil {
			if !userFacing(err) {
				a.p.errorPage(w, r, err)
				return
			}
			f.setError(err)
		}
	}
	if len(f.Errors) > 0 {
		f.Levels = append(f.Levels, make([]levelRow, blankLevels)...)
		a.renderPlan(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	done := "saved"
	if id == 0 {
		done = "created"
	}
	http.Redirect(w, r, "/admin/sla-plans?done="+done+"#plan-"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

// hoursSummary says a week's hours briefly: "24/7", or runs of weekdays
// with the same hours, "Mon–Fri 09:00-18:00; Sat 10:00-14:00".
func hoursSummary(l *i18n.Localizer, h service.WeekHours) string {
	all := true
	for _, d := range h {
		all = all && len(d) == 1 && d[0].From == 0 && d[0].To == 24*60
	}
	if all {
		return "24/7"
	}
	var parts []string
	for i := 0; i < len(weekdayRows); {
		text := spansText(h[weekdayRows[i].Day])
		j := i
		for j+1 < len(weekdayRows) && spansText(h[weekdayRows[j+1].Day]) == text {
			j++
		}
		if text != "closed" {
			days := l.T("web.sla.dayshort."+weekdayRows[i].Key, nil)
			if j > i {
				days += "–" + l.T("web.sla.dayshort."+weekdayRows[j].Key, nil)
			}
			parts = append(parts, days+" "+text)
		}
		i = j + 1
	}
	return strings.Join(parts, "; ")
}

// levelText says what an escalation level does: "at 80% of response:
// notify the assignee".
func levelText(loc *i18n.Localizer, l service.Level) string {
	var acts []string
	if l.Notify {
		acts = append(acts, loc.T("web.sla.act.notify", nil))
	}
	if l.ReassignToLead {
		acts = append(acts, loc.T("web.sla.act.reassign", nil))
	}
	if l.RaisePriority {
		acts = append(acts, loc.T("web.sla.act.raise", nil))
	}
	if l.Breaches() {
		acts = append(acts, loc.T("web.sla.act.breach", nil))
	}
	if len(acts) == 0 {
		acts = append(acts, loc.T("web.sla.act.nothing", nil))
	}
	return loc.T("web.sla.level", map[string]any{"Level": l.Level, "Percent": l.Percent,
		"Clock": loc.T("web.sla.clock."+string(l.Clock), nil), "Acts": strings.Join(acts, ", ")})
}
