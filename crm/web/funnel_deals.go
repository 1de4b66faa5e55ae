package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/funnel"
	"hotline/internal/i18n"
)

type dealPages struct {
	p       *Pages
	funnels funnel.FunnelService
	deals   funnel.DealService
	now     func() time.Time
}

// MountDeals adds the deal pages: a new deal (/funnel/deals/new, the
// client picked by name), a deal's page (/funnel/deals/{id}) to edit it,
// move it to another stage, and close it won or lost with a reason; and
// the deals on the client card. Agents see and change their own deals
// only and cannot give them away; supervisors and admins all deals.
func (p *Pages) MountDeals(deps FunnelPageDeps) {
	deps.defaults()
	dp := &dealPages{p: p, funnels: deps.Funnels, deals: deps.Deals, now: deps.Now}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Get("/funnel/deals/new", dp.newPage)
		r.Post("/funnel/deals", dp.create)
		r.Get("/funnel/deals/{id}", dp.show)
		r.Post("/funnel/deals/{id}", dp.save)
		r.Post("/funnel/deals/{id}/move", dp.move)
	})
	p.mu.Lock()
	p.deals = deps.Deals
	p.mu.Unlock()
}

// dealForm is a deal as the form shows and posts it (strings, to show back).
type dealForm struct {
	ClientID, ClientName, Owner, Funnel, Title, Amount, Currency, Expected, Status, LostReason string
}

type dealPageData struct {
	ID         int64 // 0: a new deal
	Deal       funnel.Deal
	Form       dealForm
	Field      string
	Staff      bool
	People     []crm.User
	Funnels    []funnel.Funnel
	Stages     []funnel.Stage
	History    []funnel.StageChange
	Currencies []string
}

var dealCurrencies = []string{"RUB", "USD", "EUR", "CNY", "KZT", "BYN"}

func isStaff(r *http.Request) bool {
	pr := crm.UserFromContext(r.Context())
	return pr != nil && pr.Role != crm.RoleAgent
}

func (dp *dealPages) newPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := dealForm{Currency: "RUB", ClientID: q.Get("client_id")}
	if id, err := strconv.ParseInt(f.ClientID, 10, 64); err == nil && id > 0 {
		if c, err := dp.p.clients.Clients.GetClient(r.Context(), id); err == nil {
			f.ClientName = c.Name
		}
	}
	dp.render(w, r, http.StatusOK, dealPageData{Form: f}, nil)
}

// render shows the new-deal form or a deal's page; err is what a form got wrong.
func (dp *dealPages) render(w http.ResponseWriter, r *http.Request, status int, d dealPageData, err error) {
	ctx := r.Context()
	d.Staff, d.Currencies = isStaff(r), dealCurrencies
	var e error
	if d.Funnels, e = dp.funnels.ListFunnels(ctx); e != nil {
		dp.p.errorPage(w, r, e)
		return
	}
	if d.Staff {
		users, e := dp.p.users.ListUsers(ctx)
		if e != nil {
			dp.p.errorPage(w, r, e)
			return
		}
		for _, u := range users {
			if !u.Disabled {
				d.People = append(d.People, u)
			}
		}
	}
	for _, f := range d.Funnels {
		if f.ID == d.Deal.FunnelID {
			d.Stages = f.Stages
		}
	}
	v := view{Active: "/funnel", Data: nil}
	title := "res.deal.new"
	if d.ID != 0 {
		v.Title = loc(r).T("res.deal.title", map[string]any{"ID": d.ID, "Title": d.Deal.Title})
		if d.History, e = dp.deals.StageHistory(ctx, d.ID); e != nil {
			dp.p.errorPage(w, r, e)
			return
		}
	}
	if err != nil {
		v.Error, d.Field = resErrorText(loc(r), err), fieldOf(err)
	}
	switch r.URL.Query().Get("done") {
	case "saved":
		v.Flash = loc(r).T("res.deal.saved", nil)
	case "moved":
		v.Flash = loc(r).T("res.deal.moved", nil)
	}
	v.Data = d
	dp.p.render(w, r, status, "deal", title, v)
}

// formOfDeal is a stored deal as the edit form shows it.
func formOfDeal(l *i18n.Localizer, d funnel.Deal) dealForm {
	f := dealForm{ClientID: strconv.FormatInt(d.ClientID, 10), ClientName: d.ClientName, Owner: strconv.FormatInt(d.OwnerID, 10),
		Funnel: strconv.FormatInt(d.FunnelID, 10), Title: d.Title, Currency: d.Currency, Status: string(d.Status), LostReason: d.LostReason}
	if d.Amount != 0 {
		f.Amount = l.Decimal(int64(d.Amount), 2)
	}
	if d.ExpectedClose != nil {
		f.Expected = d.ExpectedClose.String()
	}
	return f
}

func dealFormFrom(r *http.Request) dealForm {
	v := r.PostFormValue
	return dealForm{ClientID: v("client_id"), ClientName: v("client_name"), Owner: v("salesperson_id"), Funnel: v("funnel_id"),
		Title: v("title"), Amount: v("amount"), Currency: v("currency"), Expected: v("expected_close"), Status: v("status"),
		LostReason: v("lost_reason")}
}

// apply copies the form onto d: the amount typed in the deal's currency,
// the salesperson (staff may pick anyone; agents are always the owner).
func (f dealForm) apply(r *http.Request, d *funnel.Deal) error {
	d.Title, d.LostReason = f.Title, f.LostReason
	d.Currency = strings.ToUpper(strings.TrimSpace(f.Currency))
	if d.Currency == "" {
		d.Currency = "RUB"
	}
	d.Amount = 0
	if strings.TrimSpace(f.Amount) != "" {
		v, err := i18n.ParseMoney(f.Amount, d.Currency)
		if err != nil || v < 0 {
			return crm.Invalid("amount", "write the amount in roubles, e.g. 1 234,56")
		}
		d.Amount = funnel.Money(v)
	}
	d.ExpectedClose = nil
	if f.Expected != "" {
		day, err := funnel.ParseDate(f.Expected)
		if err != nil {
			return crm.Invalid("expected_close", "want a day as YYYY-MM-DD")
		}
		d.ExpectedClose = &day
	}
	if f.Status != "" {
		d.Status = funnel.Status(f.Status)
	}
	me := crm.UserFromContext(r.Context())
	if me.Role == crm.RoleAgent {
		if d.OwnerID == 0 {
			d.OwnerID = me.ID
		}
		return nil
	}
	if f.Owner != "" {
		id, err := strconv.ParseInt(f.Owner, 10, 64)
		if err != nil || id <= 0 {
			return crm.Invalid("salesperson_id", "choose an owner from the list")
		}
		d.OwnerID = id
	} else if d.OwnerID == 0 {
		d.OwnerID = me.ID
	}
	return nil
}

func (dp *dealPages) create(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := dealFormFrom(r)
	var d funnel.Deal
	var err error
	if d.ClientID, err = strconv.ParseInt(f.ClientID, 10, 64); err != nil || d.ClientID <= 0 {
		err = crm.Invalid("client_id", "choose a client from the list")
	} else if _, cerr := dp.p.clients.Clients.GetClient(r.Context(), d.ClientID); cerr != nil {
		err = crm.Invalid("client_id", "choose a client from the list")
	}
	if err == nil {
		d.FunnelID, _ = strconv.ParseInt(f.Funnel, 10, 64)
		f.Status = ""
		err = f.apply(r, &d)
	}
	if err == nil {
		me := crm.UserFromContext(r.Context()).ID
		err = dp.deals.CreateDeal(r.Context(), &d, &me, dp.now())
	}
	if err != nil {
		if !crm.IsKind(err, crm.KindInvalid) {
			dp.p.errorPage(w, r, err)
			return
		}
		dp.render(w, r, http.StatusUnprocessableEntity, dealPageData{Form: f}, err)
		return
	}
	http.Redirect(w, r, "/funnel/deals/"+strconv.FormatInt(d.ID, 10)+"?done=saved", http.StatusSeeOther)
}

// ownDeal loads a deal the reader may see and change: agents their own only
// (another's is not found, so that it does not leak).
func (dp *dealPages) ownDeal(r *http.Request) (funnel.Deal, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return funnel.Deal{}, crm.Errorf(crm.KindNotFound, "no such deal")
	}
	d, err := dp.deals.GetDeal(r.Context(), id)
	if err != nil {
		return d, err
	}
	if pr := crm.UserFromContext(r.Context()); pr.Role == crm.RoleAgent && d.OwnerID != pr.ID {
		return funnel.Deal{}, crm.Errorf(crm.KindNotFound, "no such deal")
	}
	return d, nil
}

func (dp *dealPages) show(w http.ResponseWriter, r *http.Request) {
	d, err := dp.ownDeal(r)
	if err != nil {
		dp.p.errorPage(w, r, err)
		return
	}
	dp.render(w, r, http.StatusOK, dealPageData{ID: d.ID, Deal: d, Form: formOfDeal(loc(r), d)}, nil)
}

func (dp *dealPages) save(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	d, err := dp.ownDeal(r)
	if err != nil {
		dp.p.errorPage(w, r, err)
		return
	}
	stored := d
	f := dealFormFrom(r)
	f.ClientID, f.ClientName, f.Funnel = formOfDeal(loc(r), d).ClientID, d.ClientName, strconv.FormatInt(d.FunnelID, 10)
	if err = f.apply(r, &d); err == nil {
		me := crm.UserFromContext(r.Context()).ID
		err = dp.deals.UpdateDeal(r.Context(), &d, &me, dp.now())
	}
	if err != nil {
		if !crm.IsKind(err, crm.KindInvalid) && !crm.IsKind(err, crm.KindConflict) {
			dp.p.errorPage(w, r, err)
			return
		}
		dp.render(w, r, http.StatusUnprocessableEntity, dealPageData{ID: stored.ID, Deal: stored, Form: f}, err)
		return
	}
	http.Redirect(w, r, "/funnel/deals/"+strconv.FormatInt(d.ID, 10)+"?done=saved", http.StatusSeeOther)
}

func (dp *dealPages) move(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	d, err := dp.ownDeal(r)
	if err != nil {
		dp.p.errorPage(w, r, err)
		return
	}
	stage, _ := strconv.ParseInt(r.PostFormValue("stage_id"), 10, 64)
	me := crm.UserFromContext(r.Context()).ID
	if _, err := dp.deals.MoveDeal(r.Context(), d.ID, stage, &me, dp.now()); err != nil {
		if !crm.IsKind(err, crm.KindInvalid) && !crm.IsKind(err, crm.KindConflict) {
			dp.p.errorPage(w, r, err)
			return
		}
		dp.render(w, r, http.StatusUnprocessableEntity, dealPageData{ID: d.ID, Deal: d, Form: formOfDeal(loc(r), d)}, err)
		return
	}
	http.Redirect(w, r, "/funnel/deals/"+strconv.FormatInt(d.ID, 10)+"?done=moved", http.StatusSeeOther)
}

// clientDeals lists a client's deals for the card (agents: their own), or
// nil when the deal pages are not mounted.
func (p *Pages) clientDeals(r *http.Request, clientID int64) ([]funnel.Deal, bool) {
	p.mu.RLock()
	store := p.deals
	p.mu.RUnlock()
	if store == nil {
		return nil, false
	}
	f := funnel.DealFilter{ClientID: clientID, Limit: 20}
	if pr := crm.UserFromContext(r.Context()); pr.Role == crm.RoleAgent {
		f.OwnerID = pr.ID
	}
	list, err := store.ListDeals(r.Context(), f)
	if err != nil {
		p.log.WarnContext(r.Context(), "client card without deals", "client", clientID, "err", err)
		return nil, true
	}
	return list, true
}
