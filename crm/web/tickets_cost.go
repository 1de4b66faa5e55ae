package web

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// ProductCatalogue is where the material picker finds products.
type ProductCatalogue interface {
	ListProducts(ctx context.Context, q string, limit int) ([]resource.Product, error)
	GetProduct(ctx context.Context, id int64) (resource.Product, error)
}

// costPages serves work and materials on requests and users' hourly rates.
type costPages struct {
	p         *Pages
	tp        *ticketPages
	costs     service.TicketCosts
	catalogue ProductCatalogue
}

// mountCosts adds the costs of a request to its page (logged work with who
// did it, materials picked by search with quantity and price in roubles,
// the total) with POST /tickets/{id}/work and /materials, and an hourly
// rate on the admin's user page (POST /admin/users/{id}/rate).
func (p *Pages) mountCosts(tp *ticketPages, costs service.TicketCosts, catalogue ProductCatalogue) {
	cp := &costPages{p: p, tp: tp, costs: costs, catalogue: catalogue}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Post("/tickets/{id}/work", cp.logWork)
		r.Post("/tickets/{id}/materials", cp.addMaterial)
		r.Post("/admin/users/{id}/rate", cp.setRate)
	})
	p.mu.Lock()
	p.costs = costs
	p.mu.Unlock()
}

// serviceCosts is the cost store when MountTickets had one (else nil).
func (p *Pages) serviceCosts() service.TicketCosts {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.costs
}

// ticketCostData is the costs part of the request page.
type ticketCostData struct {
	service.TicketCost
	Users   []crm.User // whose work a supervisor may log; agents log their own
	Product []resource.Product
}

// roubleKopecks gives the kopecks the money and decimal formatters take:
// roubles (float64 or *float64) turned into kopecks, kopecks (int64 or
// *int64, as service costs and rates are kept) as they are.
func roubleKopecks(v any) int64 {
	switch r := v.(type) {
	case float64:
		return int64(math.Round(r * 100))
	case *float64:
		if r != nil {
			return int64(math.Round(*r * 100))
		}
	case int64:
		return r
	case *int64:
		if r != nil {
			return *r
		}
	}
	return 0
}

// loadTicketCost fills the request page's costs when they are mounted.
func (p *Pages) loadTicketCost(r *http.Request, ticketID int64) (*ticketCostData, error) {
	costs := p.serviceCosts()
	if costs == nil {
		return nil, nil
	}
	c, err := costs.TicketCost(r.Context(), ticketID)
	if err != nil {
		return nil, err
	}
	d := &ticketCostData{TicketCost: c}
	if !isAgent(r) {
		users, err := p.users.ListUsers(r.Context())
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if !u.Disabled {
				d.Users = append(d.Users, u)
			}
		}
	}
	return d, nil
}

func (cp *costPages) logWork(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	t, err := cp.tp.loadVisible(r)
	if err != nil {
		cp.p.errorPage(w, r, err)
		return
	}
	me := crm.UserFromContext(r.Context())
	who := me.ID
	if s := r.PostFormValue("user_id"); s != "" && s != strconv.FormatInt(me.ID, 10) {
		if me.Role == crm.RoleAgent {
			cp.p.errorPage(w, r, crm.Errorf(crm.KindForbidden, "agents log their own work"))
			return
		}
		id, _ := strconv.ParseInt(s, 10, 64)
		u, err := cp.p.users.GetUser(r.Context(), id)
		if err != nil || u.Disabled {
			cp.tp.renderTicket(w, r, http.StatusUnprocessableEntity, loc(r).T("pages.cost.err.who", nil))
			return
		}
		who = u.ID
	}
	minutes, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("minutes")))
	if err != nil || minutes < 1 || minutes > 1440 {
		cp.tp.renderTicket(w, r, http.StatusUnprocessableEntity, loc(r).T("pages.cost.err.minutes", nil))
		return
	}
	err = cp.costs.LogWork(r.Context(), service.Work{TicketID: t.ID, UserID: who, Minutes: minutes, Note: r.PostFormValue("note")})
	if crm.IsKind(err, crm.KindInvalid) {
		cp.tp.renderTicket(w, r, http.StatusUnprocessableEntity, errorText(loc(r), err))
		return
	}
	if err != nil {
		cp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/tickets/"+strconv.FormatInt(t.ID, 10)+"#costs", http.StatusSeeOther)
}

// parseRoubles reads an amount typed in roubles ("1 234,50", "1234.5")
// as kopecks.
func parseRoubles(s string) (int64, bool) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "₽", "", ",", ".").Replace(strings.TrimSpace(s))
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1e8 {
		return 0, false
	}
	return int64(math.Round(v * 100)), true
}

// parseQuantity reads a quantity: "2", "1,5".
func parseQuantity(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), ",", "."), 64)
	if err != nil || math.IsNaN(v) || v < 0.001 || v > 1e6 {
		return 0, false
	}
	return v, true
}

// addMaterial charges a material to the request: a product picked by the
// search box (its id from the picker, or the one product the typed text
// finds) or, when nothing matches, the typed text as the description.
func (cp *costPages) addMaterial(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	t, err := cp.tp.loadVisible(r)
	if err != nil {
		cp.p.errorPage(w, r, err)
		return
	}
	l := loc(r)
	qty, ok := parseQuantity(r.PostFormValue("quantity"))
	if !ok {
		cp.tp.renderTicket(w, r, http.StatusUnprocessableEntity, l.T("pages.cost.err.quantity", nil))
		return
	}
	price, ok := parseRoubles(r.PostFormValue("price"))
	if !ok {
		cp.tp.renderTicket(w, r, http.StatusUnprocessableEntity, l.T("pages.cost.err.price", nil))
		return
	}
	m := service.Material{TicketID: t.ID, Quantity: qty, UnitPrice: &price,
		Description: truncateRunes(strings.TrimSpace(r.PostFormValue("product_q")), 300)}
	if p, found, err := cp.pickProduct(r); err != nil {
		cp.p.errorPage(w, r, err)
		return
	} else if found {
		m.ProductID, m.Description = &p.ID, p.SKU+" "+p.Name
	}
	if m.Description == "" {
		cp.tp.renderTicket(w, r, http.StatusUnprocessableEntity, l.T("pages.cost.err.product", nil))
		return
	}
	err = cp.costs.AddMaterial(r.Context(), m)
	if crm.IsKind(err, crm.KindInvalid) {
		cp.tp.renderTicket(w, r, http.StatusUnprocessableEntity, errorText(l, err))
		return
	}
	if err != nil {
		cp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/tickets/"+strconv.FormatInt(t.ID, 10)+"#costs", http.StatusSeeOther)
}

// pickProduct is the product of the material form, if one is meant.
func (cp *costPages) pickProduct(r *http.Request) (resource.Product, bool, error) {
	if id, err := strconv.ParseInt(r.PostFormValue("product_id"), 10, 64); err == nil && id > 0 {
		p, err := cp.catalogue.GetProduct(r.Context(), id)
		if crm.IsKind(err, crm.KindNotFound) {
			return p, false, nil
		}
		return p, err == nil, err
	}
	q := strings.TrimSpace(r.PostFormValue("product_q"))
	if q == "" {
		return resource.Product{}, false, nil
	}
	found, err := cp.catalogue.ListProducts(r.Context(), truncateRunes(q, 100), 2)
	if err != nil || len(found) != 1 {
		return resource.Product{}, false, err
	}
	return found[0], true, nil
}

// setRate sets a user's hourly rate (admins only); an empty rate goes
// back to the rate of the user's role.
func (cp *costPages) setRate(w http.ResponseWriter, r *http.Request) {
	if crm.UserFromContext(r.Context()).Role != crm.RoleAdmin {
		cp.p.errorPage(w, r, crm.Errorf(crm.KindForbidden, "admins set hourly rates"))
		return
	}
	if !parseForm(w, r) {
		return
	}
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	var rate *int64
	if s := strings.TrimSpace(r.PostFormValue("hourly_rate")); s != "" {
		v, ok := parseRoubles(s)
		if !ok || v > service.MaxHourlyRate {
			http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10)+"?rate_error=1#rate", http.StatusSeeOther)
			return
		}
		rate = &v
	}
	if err := cp.costs.SetUserRate(r.Context(), id, rate); err != nil {
		cp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10)+"#rate", http.StatusSeeOther)
}

// quantityText shows a quantity without trailing zeros: 2, 1.5.
func quantityText(q float64) string { return strconv.FormatFloat(q, 'f', -1, 64) }
