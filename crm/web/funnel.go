package web

import (
	"context"
	_ "embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/funnel"
	"hotline/internal/i18n"
)

//go:embed funnelstatic/funnel.css
var funnelCSS []byte

// FunnelPageDeps are what the funnel, deal and sales pages need (one
// struct for MountFunnel, MountDeals and MountSales).
type FunnelPageDeps struct {
	Funnels funnel.FunnelService
	Deals   funnel.DealService
	Sales   funnel.SalesService
	// Base is the currency sales amounts are shown in; RUB when empty.
	Base string
	// Now is the pages' clock; time.Now when nil.
	Now func() time.Time
}

func (d *FunnelPageDeps) defaults() {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Base == "" {
		d.Base = "RUB"
	}
}

type funnelPages struct {
	p       *Pages
	funnels funnel.FunnelService
	deals   funnel.DealService
	now     func() time.Time
}

// MountFunnel adds the sales funnel page (/funnel): supervisors and admins
// see the company or any salesperson, set plans and compare salespeople;
// agents see their own funnel and deals. It adds "Funnel" to everyone's nav.
func (p *Pages) MountFunnel(deps FunnelPageDeps) {
	deps.defaults()
	fp := &funnelPages{p: p, funnels: deps.Funnels, deals: deps.Deals, now: deps.Now}
	r := p.api.Router()
	r.Get("/funnel/funnel.css", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(funnelCSS)
	})
	r.Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Get("/funnel", fp.page)
		r.Post("/funnel/plan", fp.savePlan)
		r.Post("/funnel/settings", fp.saveSettings)
		r.Post("/funnel/deals/{id}/stage", fp.moveDeal)
	})
	p.AddNav(NavItem{Label: "web.nav.funnel", Path: "/funnel"})
}

// selection is what the page shows, from its query string.
type selection struct {
	FunnelID int64
	Kind     funnel.PeriodKind
	Date     funnel.Date
	OwnerID  int64
	Target   int // contracts wanted, typed on the page; 0: the plan's
}

// Query is the selection as a query string.
func (s selection) Query() string {
	v := url.Values{"period": {string(s.Kind)}, "date": {s.Date.String()}}
	if s.FunnelID != 0 {
		v.Set("funnel_id", strconv.FormatInt(s.FunnelID, 10))
	}
	if s.OwnerID != 0 {
		v.Set("salesperson_id", strconv.FormatInt(s.OwnerID, 10))
	}
	if s.Target != 0 {
		v.Set("target", strconv.Itoa(s.Target))
	}
	return v.Encode()
}

// selectionOf reads the selection; agents always see themselves.
func (fp *funnelPages) selectionOf(r *http.Request, v url.Values, tz string) (selection, error) {
	s := selection{Kind: funnel.PeriodKind(v.Get("period"))}
	if s.Kind == "" {
		s.Kind = funnel.Week
	}
	if !s.Kind.Valid() {
		return s, crm.Invalid("period", "must be week, month or quarter")
	}
	s.FunnelID, _ = strconv.ParseInt(v.Get("funnel_id"), 10, 64)
	s.OwnerID, _ = strconv.ParseInt(v.Get("salesperson_id"), 10, 64)
	if t := v.Get("target"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 || n > 1_000_000 {
			return s, crm.Invalid("target", "must be a whole number of contracts from 0 to 1000000")
		}
		s.Target = n
	}
	if d := v.Get("date"); d != "" {
		var err error
		if s.Date, err = funnel.ParseDate(d); err != nil {
			return s, err
		}
	} else {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			loc = time.UTC
		}
		s.Date = funnel.DateOf(fp.now().In(loc))
	}
	if pr := crm.UserFromContext(r.Context()); pr != nil && pr.Role == crm.RoleAgent {
		s.OwnerID = pr.ID
	}
	return s, nil
}

type planCell struct {
	Stage  funnel.Stage
	Target string
}

type funnelPageData struct {
	Sel        selection
	Supervisor bool
	Report     funnel.Report
	Chart      template.HTML
	Funnels    []funnel.Funnel
	People     []crm.User
	Plan       []planCell
	PlanOwner  string
	Deals      []funnel.Deal
	Prev, Next string
	CSVURL     string
	Flash      string
	Kinds      []funnel.PeriodKind
	LastStage  string
	Admin      bool
	Settings   funnel.Settings
}

func (fp *funnelPages) page(w http.ResponseWriter, r *http.Request) {
	fp.show(w, r, http.StatusOK, r.URL.Query(), "")
}

func (fp *funnelPages) show(w http.ResponseWriter, r *http.Request, status int, v url.Values, problem string) {
	ctx := r.Context()
	set, err := fp.funnels.FunnelSettings(ctx)
	if err != nil {
		fp.p.errorPage(w, r, err)
		return
	}
	sel, err := fp.selectionOf(r, v, set.TimeZone)
	if err != nil {
		fp.p.errorPage(w, r, err)
		return
	}
	rep, err := fp.funnels.FunnelReport(ctx, funnel.ReportQuery{FunnelID: sel.FunnelID, Kind: sel.Kind, Date: sel.Date,
		OwnerID: sel.OwnerID, Target: sel.Target, Now: fp.now()})
	if err != nil {
		fp.p.errorPage(w, r, err)
		return
	}
	sel.FunnelID = rep.Funnel.ID
	seededReport(loc(r), &rep)
	pr := crm.UserFromContext(ctx)
	d := funnelPageData{Sel: sel, Report: rep, Chart: funnelSVG(loc(r), rep), Supervisor: pr.Role != crm.RoleAgent,
		Kinds: []funnel.PeriodKind{funnel.Week, funnel.Month, funnel.Quarter}, Flash: savedFlash(r, v.Get("saved")),
		LastStage: rep.Funnel.Last().Name, Admin: pr.Role == crm.RoleAdmin, Settings: set}
	start, _ := funnel.ParseDate(rep.Period.Start)
	prev, next := sel, sel
	prev.Date, next.Date = dayBefore(start), funnel.Date{}
	next.Date, _ = funnel.ParseDate(rep.Period.End)
	d.Prev, d.Next = "/funnel?"+prev.Query(), "/funnel?"+next.Query()
	d.CSVURL = "/api/v1/funnel-report.csv?" + sel.Query()
	if d.Funnels, err = fp.funnels.ListFunnels(ctx); err != nil {
		fp.p.errorPage(w, r, err)
		return
	}
	for i := range d.Funnels {
		seededFunnel(loc(r), &d.Funnels[i])
	}
	if d.Supervisor {
		if err := fp.supervisorData(ctx, &d); err != nil {
			fp.p.errorPage(w, r, err)
			return
		}
	}
	if d.Deals, err = fp.deals.ListDeals(ctx, funnel.DealFilter{OwnerID: sel.OwnerID, FunnelID: sel.FunnelID, Limit: 25}); err != nil {
		fp.p.errorPage(w, r, err)
		return
	}
	for i := range d.Deals {
		d.Deals[i].StageName = seeded(loc(r), d.Deals[i].StageName)
	}
	fp.p.render(w, r, status, "funnel", "web.funnel.title", view{Data: d, Error: problem})
}

func dayBefore(d funnel.Date) funnel.Date {
	return funnel.DateOf(d.In(time.UTC).AddDate(0, 0, -1))
}

// supervisorData adds the salespeople and the plan form's current targets.
func (fp *funnelPages) supervisorData(ctx context.Context, d *funnelPageData) error {
	users, err := fp.p.users.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if !u.Disabled {
			d.People = append(d.People, u)
		}
	}
	d.PlanOwner = i18n.FromContext(ctx).T("web.funnel.the_company", nil)
	if d.Report.Salesperson != nil {
		d.PlanOwner = d.Report.Salesperson.Name
	}
	start, _ := funnel.ParseDate(d.Report.Period.Start)
	targets, err := fp.funnels.GetPlan(ctx, funnel.PlanKey{FunnelID: d.Sel.FunnelID, Kind: d.Sel.Kind, Start: start, OwnerID: d.Sel.OwnerID})
	if err != nil {
		return err
	}
	for _, s := range d.Report.Funnel.Stages {
		c := planCell{Stage: s}
		if v, ok := targets[s.ID]; ok {
			c.Target = strconv.Itoa(v)
		}
		d.Plan = append(d.Plan, c)
	}
	return nil
}

// savePlan stores the targets typed into the plan form (supervisors, admins).
func (fp *funnelPages) savePlan(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	if pr := crm.UserFromContext(r.Context()); pr.Role == crm.RoleAgent {
		fp.p.errorPage(w, r, crm.Errorf(crm.KindForbidden, "plans are set by supervisors and admins"))
		return
	}
	set, err := fp.funnels.FunnelSettings(r.Context())
	if err != nil {
		fp.p.errorPage(w, r, err)
		return
	}
	sel, err := fp.selectionOf(r, r.PostForm, set.TimeZone)
	if err != nil {
		fp.p.errorPage(w, r, err)
		return
	}
	targets := map[int64]int{}
	for key, vals := range r.PostForm {
		id, ok := stageField(key)
		if !ok || len(vals) == 0 || vals[0] == "" {
			continue
		}
		n, err := strconv.Atoi(vals[0])
		if err != nil || n < 0 || n > 1_000_000 {
			fp.show(w, r, http.StatusUnprocessableEntity, r.PostForm, loc(r).T("web.funnel.err.targets", nil))
			return
		}
		targets[id] = n
	}
	k := funnel.PlanKey{FunnelID: sel.FunnelID, Kind: sel.Kind, Start: sel.Date, OwnerID: sel.OwnerID}
	if k.FunnelID == 0 {
		if list, err := fp.funnels.ListFunnels(r.Context()); err == nil && len(list) > 0 {
			k.FunnelID = list[0].ID
		}
	}
	if err := fp.funnels.SavePlan(r.Context(), k, targets); err != nil {
		if crm.IsKind(err, crm.KindInvalid) {
			fp.show(w, r, http.StatusUnprocessableEntity, r.PostForm, loc(r).T("web.funnel.err.plan", map[string]any{"Error": errorText(loc(r), err)}))
			return
		}
		fp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/funnel?"+sel.Query()+"&saved=plan", http.StatusSeeOther)
}

// stageField reads "target_<stage id>".
func stageField(key string) (int64, bool) {
	const prefix = "target_"
	if len(key) <= len(prefix) || key[:len(prefix)] != prefix {
		return 0, false
	}
	id, err := strconv.ParseInt(key[len(prefix):], 10, 64)
	return id, err == nil && id > 0
}

// moveDeal moves a deal to the chosen stage now (agents: their own deals).
func (fp *funnelPages) moveDeal(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	ctx := r.Context()
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	stage, _ := strconv.ParseInt(r.PostFormValue("stage_id"), 10, 64)
	d, err := fp.deals.GetDeal(ctx, id)
	if err != nil {
		fp.p.errorPage(w, r, err)
		return
	}
	pr := crm.UserFromContext(ctx)
	if pr.Role == crm.RoleAgent && d.OwnerID != pr.ID {
		fp.p.errorPage(w, r, crm.Errorf(crm.KindForbidden, "agents move only their own deals"))
		return
	}
	me := pr.ID
	if _, err := fp.deals.MoveDeal(ctx, id, stage, &me, fp.now()); err != nil {
		if crm.IsKind(err, crm.KindInvalid) || crm.IsKind(err, crm.KindConflict) {
			fp.show(w, r, http.StatusUnprocessableEntity, r.PostForm, loc(r).T("web.funnel.err.deal", map[string]any{"ID": id, "Error": errorText(loc(r), err)}))
			return
		}
		fp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/funnel?"+r.PostForm.Get("back"), http.StatusSeeOther)
}

// saveSettings changes the funnel's time zone and whether first calls open
// deals (admins).
func (fp *funnelPages) saveSettings(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	if pr := crm.UserFromContext(r.Context()); pr.Role != crm.RoleAdmin {
		fp.p.errorPage(w, r, crm.Errorf(crm.KindForbidden, "funnel settings are for admins"))
		return
	}
	set := funnel.Settings{TimeZone: r.PostFormValue("time_zone"), AutoOpenDeals: r.PostFormValue("auto_open_deals") == "on"}
	if err := fp.funnels.SaveFunnelSettings(r.Context(), &set); err != nil {
		if crm.IsKind(err, crm.KindInvalid) {
			fp.show(w, r, http.StatusUnprocessableEntity, url.Values{}, loc(r).T("web.funnel.err.settings", map[string]any{"Error": errorText(loc(r), err)}))
			return
		}
		fp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/funnel?saved=settings", http.StatusSeeOther)
}

// savedFlash confirms a saved plan or settings (?saved=plan|settings).
func savedFlash(r *http.Request, what string) string {
	switch what {
	case "plan", "settings":
		return loc(r).T("web.funnel.saved."+what, nil)
	}
	return ""
}
