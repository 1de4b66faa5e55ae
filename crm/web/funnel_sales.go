package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/funnel"
)

type salesPages struct {
	p     *Pages
	store funnel.SalesService
	base  string
	now   func() time.Time
}

// MountSales adds the sales chart (/funnel/sales, its CSV at
// /funnel/sales.csv): deals won and their amount per week or month against
// the plan, for the company or one salesperson (agents: themselves), the
// amounts converted to the base currency with the rates admins keep on
// /admin/rates (a rate per currency and day).
func (p *Pages) MountSales(deps FunnelPageDeps) {
	deps.defaults()
	sp := &salesPages{p: p, store: deps.Sales, base: deps.Base, now: deps.Now}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Get("/funnel/sales", sp.page)
		r.Get("/funnel/sales.csv", sp.csv)
		r.With(requireAdminRole).Get("/admin/rates", sp.rates)
		r.With(requireAdminRole).Post("/admin/rates", sp.saveRate)
		r.With(requireAdminRole).Post("/admin/rates/delete", sp.deleteRate)
	})
	p.AddNav(NavItem{Label: "res.sales.nav", Path: "/funnel/sales", Group: "web.nav.group.reports", Roles: crm.SupervisorOrAdmin})
	p.AddNav(NavItem{Label: "res.rates.nav", Path: "/admin/rates", Roles: crm.AdminOnly, Group: "web.nav.group.admin"})
}

// requireAdminRole answers 403 to everyone but admins.
func requireAdminRole(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pr := crm.UserFromContext(r.Context()); pr == nil || pr.Role != crm.RoleAdmin {
			http.Error(w, "admins only", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type salesView struct {
	Kind     funnel.PeriodKind
	Periods  int
	OwnerID  int64
	Staff    bool
	People   []crm.User
	Sales    funnel.Sales
	Chart    any
	CSVURL   string
	HasRates bool
}

// query reads the page's selection: week or month (default month), how
// many periods (default 12), the salesperson (agents: themselves).
func (sp *salesPages) query(r *http.Request) (funnel.SalesQuery, error) {
	v := r.URL.Query()
	q := funnel.SalesQuery{Kind: funnel.PeriodKind(v.Get("period")), Periods: 12, Base: sp.base,
		Last: funnel.DateOf(sp.now().In(loc(r).Zone())), TimeZone: loc(r).Zone().String()}
	if q.Kind == "" {
		q.Kind = funnel.Month
	}
	if n, err := strconv.Atoi(v.Get("periods")); err == nil {
		q.Periods = n
	}
	q.OwnerID, _ = strconv.ParseInt(v.Get("salesperson_id"), 10, 64)
	if pr := crm.UserFromContext(r.Context()); pr.Role == crm.RoleAgent {
		q.OwnerID = pr.ID
	}
	if q.Kind != funnel.Week && q.Kind != funnel.Month {
		return q, crm.Invalid("period", "must be week or month")
	}
	return q, nil
}

func (sp *salesPages) page(w http.ResponseWriter, r *http.Request) {
	q, err := sp.query(r)
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	ctx := r.Context()
	sales, err := sp.store.SalesSeries(ctx, q)
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	v := salesView{Kind: q.Kind, Periods: q.Periods, OwnerID: q.OwnerID, Staff: isStaff(r), Sales: sales}
	v.Chart = salesSVG(loc(r), sales)
	sel := url.Values{"period": {string(q.Kind)}, "periods": {strconv.Itoa(q.Periods)}}
	if q.OwnerID != 0 {
		sel.Set("salesperson_id", strconv.FormatInt(q.OwnerID, 10))
	}
	v.CSVURL = "/funnel/sales.csv?" + sel.Encode()
	if v.Staff {
		users, err := sp.p.users.ListUsers(ctx)
		if err != nil {
			sp.p.errorPage(w, r, err)
			return
		}
		for _, u := range users {
			if !u.Disabled {
				v.People = append(v.People, u)
			}
		}
	}
	sp.p.render(w, r, http.StatusOK, "sales", "res.sales.title", view{Data: v})
}

// csv sends the chart's figures: period, won, plan, amount in the base
// currency, deals without a rate.
func (sp *salesPages) csv(w http.ResponseWriter, r *http.Request) {
	q, err := sp.query(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	sales, err := sp.store.SalesSeries(r.Context(), q)
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="sales.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"period", "start", "won", "plan", "amount_" + strings.ToLower(sales.Base), "without_rate"})
	for _, p := range sales.Points {
		plan := ""
		if p.Plan != nil {
			plan = strconv.Itoa(*p.Plan)
		}
		_ = cw.Write([]string{p.Label, p.Start.String(), strconv.Itoa(p.Won), plan, p.Amount.String(), strconv.Itoa(p.Unconverted)})
	}
	cw.Flush()
}

type ratesView struct {
	Base  string
	Rates []funnel.Rate
	Today string
}

func (sp *salesPages) rates(w http.ResponseWriter, r *http.Request) {
	sp.showRates(w, r, http.StatusOK, view{Flash: doneText(r)})
}

func doneText(r *http.Request) string {
	switch r.URL.Query().Get("done") {
	case "saved":
		return loc(r).T("res.rates.saved", nil)
	case "deleted":
		return loc(r).T("res.rates.deleted", nil)
	}
	return ""
}

func (sp *salesPages) showRates(w http.ResponseWriter, r *http.Request, status int, v view) {
	rates, err := sp.store.ListRates(r.Context())
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	v.Data = ratesView{Base: sp.base, Rates: rates, Today: sp.now().In(loc(r).Zone()).Format(time.DateOnly)}
	sp.p.render(w, r, status, "admin_rates", "res.rates.title", v)
}

func (sp *salesPages) saveRate(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	rate := funnel.Rate{Currency: r.PostFormValue("currency")}
	day, err := funnel.ParseDate(r.PostFormValue("day"))
	if err != nil {
		err = crm.Invalid("day", "want a day as YYYY-MM-DD")
	}
	if err == nil {
		rate.Day = day
		rate.Micros, err = funnel.ParseRate(r.PostFormValue("rate"))
	}
	if err == nil {
		err = sp.store.SetRate(r.Context(), rate, sp.base, crm.UserFromContext(r.Context()).ID)
	}
	if err != nil {
		if !crm.IsKind(err, crm.KindInvalid) {
			sp.p.errorPage(w, r, err)
			return
		}
		sp.showRates(w, r, http.StatusUnprocessableEntity, view{Error: resErrorText(loc(r), err)})
		return
	}
	http.Redirect(w, r, "/admin/rates?done=saved", http.StatusSeeOther)
}

func (sp *salesPages) deleteRate(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	day, err := funnel.ParseDate(r.PostFormValue("day"))
	if err == nil {
		err = sp.store.DeleteRate(r.Context(), r.PostFormValue("currency"), day)
	}
	if err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/rates?done=deleted", http.StatusSeeOther)
}

// hasPlan reports whether any period of the chart has a plan.
func (v salesView) HasPlan() bool {
	return slices.ContainsFunc(v.Sales.Points, func(p funnel.SalesPoint) bool { return p.Plan != nil })
}

// Unconverted is how many won deals the chart could not convert.
func (v salesView) Unconverted() int {
	n := 0
	for _, p := range v.Sales.Points {
		n += p.Unconverted
	}
	return n
}
