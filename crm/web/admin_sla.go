package web

import (
	"net/http"
	"strconv"
	"strings"

	"hotline/crm/service"
)

// SLA plans at /admin/sla-plans: the list with what uses each plan, and a
// form to add or change one. Admins only, like the API's create and update
// operations; a change applies to new tickets and to open tickets at their
// next recomputation.

// planRow is a plan as the list shows it.
type planRow struct {
	service.SLAPlan
	Hours   string
	Targets []targetRow
	Usage   service.PlanUsage
}

// planDoneMessages confirm a change after its redirect (?done=).
var planDoneMessages = map[string]string{
	"created": "SLA plan created.",
	"saved":   "SLA plan saved: new requests get its targets now; open requests at their next change.",
}

func (a *adminPages) listPlans(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	plans, err := a.opts.Store.ListSLAPlans(ctx)
	if err != nil {
		a.p.errorPage(w, r, err)
		return
	}
	usage, err := a.opts.Store.SLAPlanUsage(ctx)
	if err != nil {
		a.p.errorPage(w, r, err)
		return
	}
	rows := make([]planRow, 0, len(plans))
	for _, p := range plans {
		f := formOfPlan(p)
		rows = append(rows, planRow{SLAPlan: p, Hours: hoursSummary(p.Hours), Targets: f.Targets, Usage: usage[p.ID]})
	}
	a.p.render(w, r, http.StatusOK, "admin_sla_plans", "SLA plans",
		view{Active: "/admin/sla-plans", Flash: planDoneMessages[r.URL.Query().Get("done")], Data: rows})
}

func (a *adminPages) newPlan(w http.ResponseWriter, r *http.Request) {
	p := service.StandardPlan()
	p.Name, p.Default = "", false
	a.renderPlan(w, r, http.StatusOK, formOfPlan(p))
}

func (a *adminPages) editPlan(w http.ResponseWriter, r *http.Request) {
	p, err := a.opts.Store.GetSLAPlan(r.Context(), pathID(r))
	if err != nil {
		a.p.errorPage(w, r, err)
		return
	}
	a.renderPlan(w, r, http.StatusOK, formOfPlan(p))
}

// renderPlan shows the plan form; a form with errors answers status 422.
func (a *adminPages) renderPlan(w http.ResponseWriter, r *http.Request, status int, f planForm) {
	title := "New SLA plan"
	if f.ID != 0 {
		title = "SLA plan " + f.Name
	}
	v := view{Active: "/admin/sla-plans", Data: f}
	if len(f.Errors) > 0 {
		v.Error = "The plan was not saved: see the marked fields."
		if msg := f.Errors["form"]; msg != "" {
			v.Error = msg
		}
	}
	a.p.render(w, r, status, "admin_sla_plan", title, v)
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
		old, err := a.opts.Store.GetSLAPlan(ctx, id)
		if err != nil {
			a.p.errorPage(w, r, err)
			return
		}
		wasDefault = old.Default
	}
	f := readPlanForm(r.PostForm, id, wasDefault)
	p := f.plan()
	if len(f.Errors) == 0 {
		if err := p.Validate(); err != nil {
			f.setError(err)
		}
	}
	if len(f.Errors) == 0 {
		if err := a.opts.Store.SaveSLAPlan(ctx, &p); err != nil {
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
func hoursSummary(h service.WeekHours) string {
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
			days := weekdayRows[i].Label[:3]
			if j > i {
				days += "–" + weekdayRows[j].Label[:3]
			}
			parts = append(parts, days+" "+text)
		}
		i = j + 1
	}
	return strings.Join(parts, "; ")
}

// levelText says what an escalation level does: "at 80% of response:
// notify the assignee".
func levelText(l service.Level) string {
	var acts []string
	if l.Notify {
		acts = append(acts, "notify the assignee")
	}
	if l.ReassignToLead {
		acts = append(acts, "reassign to the team lead")
	}
	if l.RaisePriority {
		acts = append(acts, "raise the priority")
	}
	if l.Breaches() {
		acts = append(acts, "record a breach")
	}
	if len(acts) == 0 {
		acts = append(acts, "nothing")
	}
	return "L" + strconv.Itoa(l.Level) + " at " + strconv.Itoa(l.Percent) + "% of " + string(l.Clock) + ": " + strings.Join(acts, ", ")
}

// LevelTexts describe a listed plan's escalation levels.
func (p planRow) LevelTexts() []string {
	out := make([]string, len(p.Levels))
	for i, l := range p.Levels {
		out[i] = levelText(l)
	}
	return out
}
