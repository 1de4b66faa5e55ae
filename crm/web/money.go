package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/internal/i18n"
)

// MoneyPageDeps are what the money pages need: transactions and the
// reports, and the catalogue the transaction form picks a product from.
type MoneyPageDeps struct {
	Money     resource.MoneyService
	Catalogue resource.CatalogueService
	// Now is the clock of the default period and of the client card's
	// year (time.Now when nil).
	Now func() time.Time
}

// moneyPages serves /reports/money.
type moneyPages struct {
	p    *Pages
	deps MoneyPageDeps
}

// MountMoney adds the money report page (/reports/money) for supervisors
// and admins: profitability per client and per product, marketing and
// service spending over a period, CSV downloads (the API's), and a form to
// record an income or an expense. Agents get 403.
func (p *Pages) MountMoney(deps MoneyPageDeps) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	mp := &moneyPages{p: p, deps: deps}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser, p.requireStaffPage)
		r.Get("/reports/money", mp.page)
		r.Post("/reports/money/transactions", mp.record)
	})
	p.AddNav(NavItem{Label: "web.nav.money", Path: "/reports/money", Roles: crm.SupervisorOrAdmin, Group: "web.nav.group.reports"})
}

// requireStaffPage answers agents 403 with an error page.
func (p *Pages) requireStaffPage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pr := crm.UserFromContext(r.Context()); pr == nil || !slices.Contains(crm.SupervisorOrAdmin, pr.Role) {
			p.render(w, r, http.StatusForbidden, "error", "web.error.title.forbidden", view{Error: loc(r).T("web.error.forbidden", nil)})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// txForm is the transaction form's values, kept when it is refused.
type txForm struct {
	Direction, Amount, Currency, Category, At, Note   string
	ClientID, ProductID, DealID, TicketID, CampaignID string
	ClientName                                        string // the picker's text for ClientID
}

// moneyView is what money.html shows.
type moneyView struct {
	From, To, Currency string
	Clients, Products  []resource.Profit
	Campaigns          []resource.CampaignEfficiency
	Service            resource.ServiceCost
	CatalogProducts    []resource.Product
	CampaignList       []resource.MarketingCampaign
	Form               txForm
}

// period reads the period from the query: from and to (days, to included)
// default to the first of this month and today in the centre's zone;
// currency to RUB.
func (mp *moneyPages) period(q url.Values, zone *time.Location) (moneyView, resource.Period, error) {
	today := mp.deps.Now().In(zone)
	v := moneyView{From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")),
		Currency: strings.ToUpper(strings.TrimSpace(q.Get("currency")))}
	if v.From == "" {
		v.From = today.AddDate(0, 0, 1-today.Day()).Format(time.DateOnly)
	}
	if v.To == "" {
		v.To = today.Format(time.DateOnly)
	}
	if v.Currency == "" {
		v.Currency = "RUB"
	}
	from, err := time.Parse(time.DateOnly, v.From)
	if err != nil {
		return v, resource.Period{}, crm.Invalid("from", "want a day as YYYY-MM-DD")
	}
	to, err := time.Parse(time.DateOnly, v.To)
	if err != nil {
		return v, resource.Period{}, crm.Invalid("to", "want a day as YYYY-MM-DD")
	}
	p := resource.Period{From: from, To: to.AddDate(0, 0, 1), Currency: v.Currency}
	return v, p, p.Validate()
}

func (mp *moneyPages) page(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := txForm{Direction: "expense", Currency: "RUB", At: mp.deps.Now().In(loc(r).Zone()).Format(time.DateOnly)}
	mp.prefillClient(r, &f)
	mp.show(w, r, http.StatusOK, q, view{Flash: q.Get("done")}, f)
}

// show renders the page for the period in q with the form's values.
func (mp *moneyPages) show(w http.ResponseWriter, r *http.Request, status int, q url.Values, v view, form txForm) {
	ctx := r.Context()
	d, period, err := mp.period(q, loc(r).Zone())
	d.Form = form
	if err == nil {
		err = mp.load(ctx, &d, period)
	}
	if err != nil && !crm.IsKind(err, crm.KindInvalid) {
		mp.p.errorPage(w, r, err)
		return
	}
	if err != nil {
		status, v.Error = http.StatusUnprocessableEntity, errorText(loc(r), err)
	}
	v.Data, v.Active = d, "/reports/money"
	mp.p.render(w, r, status, "money", "web.nav.money", v)
}

func (mp *moneyPages) load(ctx context.Context, d *moneyView, p resource.Period) error {
	var err error
	if d.Clients, err = mp.deps.Money.ClientProfitability(ctx, p); err != nil {
		return err
	}
	if d.Products, err = mp.deps.Money.ProductProfitability(ctx, p); err != nil {
		return err
	}
	if d.Campaigns, err = mp.deps.Money.CampaignEfficiency(ctx, p); err != nil {
		return err
	}
	if d.Service, err = mp.deps.Money.ServiceCosts(ctx, p); err != nil {
		return err
	}
	if d.CatalogProducts, err = mp.deps.Catalogue.ListProducts(ctx, "", 500); err != nil {
		return err
	}
	d.CampaignList, err = mp.deps.Money.ListMarketingCampaigns(ctx)
	return err
}

// record saves the form's transaction and returns to the report; a refused
// form comes back with its values and the reason.
func (mp *moneyPages) record(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := txForm{}
	for name, dst := range map[string]*string{"direction": &f.Direction, "amount": &f.Amount, "currency": &f.Currency,
		"category": &f.Category, "at": &f.At, "note": &f.Note, "client_id": &f.ClientID, "client_name": &f.ClientName, "product_id": &f.ProductID,
		"deal_id": &f.DealID, "ticket_id": &f.TicketID, "campaign_id": &f.CampaignID} {
		*dst = strings.TrimSpace(r.PostFormValue(name))
	}
	period := url.Values{"from": {r.PostFormValue("from")}, "to": {r.PostFormValue("to")}, "currency": {r.PostFormValue("report_currency")}}
	t, err := f.transaction(userOf(r))
	if err == nil {
		err = mp.deps.Money.AddTransaction(r.Context(), &t)
	}
	if err != nil {
		if !crm.IsKind(err, crm.KindInvalid) {
			mp.p.errorPage(w, r, err)
			return
		}
		mp.show(w, r, http.StatusUnprocessableEntity, period, view{Error: loc(r).T("web.money.not_recorded", map[string]any{"Error": errorText(loc(r), err)})}, f)
		return
	}
	l := loc(r)
	period.Set("done", l.T("web.money.recorded", map[string]any{"Kind": l.T("web.money.kind."+string(t.Direction), nil),
		"Amount": l.Money(t.Amount, t.Currency), "Category": t.Category}))
	http.Redirect(w, r, "/reports/money?"+period.Encode(), http.StatusSeeOther)
}

// transaction reads the form; amounts are typed in roubles (or the
// currency's major units), with a comma or a dot: "1 200,50", "1200.50".
func (f txForm) transaction(user int64) (resource.Transaction, error) {
	t := resource.Transaction{Direction: resource.Direction(f.Direction), Currency: f.Currency, Category: f.Category, Note: f.Note, UserID: user}
	cur := strings.ToUpper(strings.TrimSpace(f.Currency))
	if cur == "" {
		cur = "RUB"
	}
	var err error
	if t.Amount, err = i18n.ParseMoney(f.Amount, cur); err != nil {
		if strings.Contains(err.Error(), "unknown currency") {
			return t, crm.Invalid("currency", "must be an ISO 4217 code such as RUB")
		}
		return t, crm.Invalid("amount", "write the amount in roubles, e.g. 1 234,56")
	}
	if f.At != "" {
		if t.At, err = time.Parse(time.DateOnly, f.At); err != nil {
			return t, crm.Invalid("at", "want a day as YYYY-MM-DD")
		}
	}
	for name, dst := range map[string]**int64{"client_id": &t.ClientID, "product_id": &t.ProductID, "deal_id": &t.DealID,
		"ticket_id": &t.TicketID, "campaign_id": &t.CampaignID} {
		if *dst, err = optionalID(name, f.field(name)); err != nil {
			return t, err
		}
	}
	return t, nil
}

func (f txForm) field(name string) string {
	switch name {
	case "client_id":
		return f.ClientID
	case "product_id":
		return f.ProductID
	case "deal_id":
		return f.DealID
	case "ticket_id":
		return f.TicketID
	}
	return f.CampaignID
}

// optionalID reads an optional positive ID: empty is nil, anything else
// but a positive number is refused.
func optionalID(name, s string) (*int64, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return nil, crm.Invalid(name, "must be a positive number")
	}
	return &n, nil
}
