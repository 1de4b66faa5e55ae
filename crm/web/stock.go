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
	"hotline/crm/service"
	"hotline/internal/i18n"
)

// stockPages serves the warehouse page: stock by lot, availability check,
// receipts, transfers and reservations, and the product catalogue.
type stockPages struct {
	p    *Pages
	deps StockPageDeps
}

// StockPageDeps are what the warehouse page needs: the catalogue, stock
// movements and reservations (crm/postgres.StockService is all three), who
// may act on a reservation, and the service desk's SLA plans, which the
// product form offers as a product's support plan.
type StockPageDeps struct {
	Catalogue    resource.CatalogueService
	Stock        resource.StockService
	Reservations resource.ReservationService
	Access       resource.ReservationAccess
	// Plans lists the SLA plans.
	Plans interface {
		ListSLAPlans(ctx context.Context) ([]service.SLAPlan, error)
	}
	// Now is the clock transfers are expected from (time.Now when nil).
	Now func() time.Time
}

// MountStock adds the warehouse page (/stock) for every signed-in user with
// a "Stock" nav link. Agents check availability and reserve; supervisors
// and admins also receive goods, move them between warehouses and keep the
// catalogue (products with their support terms). It also turns on the
// availability box of the client and ticket pages (the console's card
// shows it when the card builder has a ProductLister).
func (p *Pages) MountStock(deps StockPageDeps) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	sp := &stockPages{p: p, deps: deps}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Get("/stock", sp.page)
		r.Post("/stock/reservations", sp.reserve)
		r.Post("/stock/reservations/{id}/release", sp.release)
		r.With(requireStaff).Post("/stock/products", sp.saveProduct)
		r.With(requireStaff).Post("/stock/products/{id}", sp.saveProduct)
		r.With(requireStaff).Post("/stock/receipts", sp.receive)
		r.With(requireStaff).Post("/stock/transfers", sp.transfer)
		r.With(requireStaff).Post("/stock/transfers/{id}/arrival", sp.arrive)
		r.With(requireStaff).Get("/stock/journal", sp.journal)
	})
	p.AddNav(NavItem{Label: "web.nav.stock", Path: "/stock", Group: "web.nav.group.resources"})
	p.mu.Lock()
	p.stock = true
	p.mu.Unlock()
}

// requireStaff lets supervisors and admins through and answers agents 403.
func requireStaff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pr := crm.UserFromContext(r.Context()); pr == nil || pr.Role == crm.RoleAgent {
			http.Error(w, loc(r).T("web.error.forbidden", nil), http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type stockView struct {
	Staff        bool
	Products     []resource.Product
	Warehouses   []resource.Warehouse
	ProductID    int64
	Qty          int64
	Availability *resource.Availability
	Balances     []resource.Balance
	Transfers    []resource.Transfer
	Reservations []resource.Reservation
	ClientID     string
	ClientName   string // the client the page was opened for, shown in the reservation's picker
	// The product forms (staff): the selected product to edit, a new
	// product, the SLA plans and priorities they offer, and the field a
	// refused form got wrong.
	Edit       *resource.Product
	New        resource.Product
	Plans      []service.SLAPlan
	Priorities []service.Priority
	ErrField   string
}

func (sp *stockPages) page(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := stockView{ClientID: q.Get("client_id")}
	v.ClientName = sp.clientName(r, v.ClientID)
	v.ProductID, _ = strconv.ParseInt(q.Get("product_id"), 10, 64)
	v.Qty, _ = strconv.ParseInt(q.Get("qty"), 10, 64)
	sp.render(w, r, http.StatusOK, &v, view{Flash: q.Get("done"), Error: q.Get("error")})
}

// render fills the page's lists into v and renders it.
func (sp *stockPages) render(w http.ResponseWriter, r *http.Request, status int, v *stockView, page view) {
	ctx := r.Context()
	if v.Qty <= 0 {
		v.Qty = 1
	}
	if pr := crm.UserFromContext(ctx); pr != nil {
		v.Staff = pr.Role != crm.RoleAgent
	}
	var err error
	if v.Products, err = sp.deps.Catalogue.ListProducts(ctx, "", 500); err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	if v.Warehouses, err = sp.deps.Catalogue.ListWarehouses(ctx); err != nil {
		sp.p.errorPage(w, r, err)
		return
	}
	if v.Staff {
		if v.Plans, err = sp.deps.Plans.ListSLAPlans(ctx); err != nil {
			sp.p.errorPage(w, r, err)
			return
		}
		v.Priorities = service.Priorities
	}
	if v.ProductID > 0 {
		a, err := sp.deps.Reservations.Availability(ctx, v.ProductID, v.Qty)
		if err != nil {
			sp.p.errorPage(w, r, err)
			return
		}
		v.Availability = &a
		v.Balances, _ = sp.deps.Stock.Balances(ctx, resource.BalanceFilter{ProductID: v.ProductID, NonZero: true})
		if !v.Staff { // purchase costs are not for agents, not even in the page's data
			for i := range v.Balances {
				v.Balances[i].UnitCost = 0
			}
		}
		v.Reservations, _ = sp.deps.Reservations.ListReservations(ctx, resource.ReservationFilter{ProductID: v.ProductID, ActiveOnly: true, AgentID: agentOf(r)})
		if v.Staff && v.Edit == nil {
			if i := slices.IndexFunc(v.Products, func(p resource.Product) bool { return p.ID == v.ProductID }); i >= 0 {
				v.Edit = &v.Products[i]
			}
		}
	}
	v.Transfers, _ = sp.deps.Stock.ListTransfers(ctx, true, 50)
	page.Data = v
	sp.p.render(w, r, status, "stock", "web.nav.stock", page)
}

// back redirects to the stock page for the product with a message.
func back(w http.ResponseWriter, r *http.Request, product, key, msg string) {
	q := url.Values{key: {msg}}
	if product != "" {
		q.Set("product_id", product)
	}
	http.Redirect(w, r, "/stock?"+q.Encode(), http.StatusSeeOther)
}

func formInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.FormValue(name)), 10, 64)
	return n
}

func optInt(r *http.Request, name string) *int64 {
	if n := formInt(r, name); n > 0 {
		return &n
	}
	return nil
}

func (sp *stockPages) reserve(w http.ResponseWriter, r *http.Request) {
	hours := formInt(r, "ttl_hours")
	if hours <= 0 {
		hours = 72
	}
	if msg := sp.mayReserveFor(r, optInt(r, "deal_id"), optInt(r, "ticket_id")); msg != "" {
		back(w, r, r.FormValue("product_id"), "error", msg)
		return
	}
	in := resource.ReserveInput{ProductID: formInt(r, "product_id"), WarehouseID: formInt(r, "warehouse_id"),
		Qty: formInt(r, "qty"), ClientID: optInt(r, "client_id"), DealID: optInt(r, "deal_id"), TicketID: optInt(r, "ticket_id"),
		TTL: time.Duration(hours) * time.Hour, UserID: userOf(r)}
	var made []resource.Reservation
	var err error
	if r.FormValue("warehouse_id") == "all" {
		made, err = sp.deps.Reservations.ReserveAcross(r.Context(), in)
	} else {
		var res resource.Reservation
		res, err = sp.deps.Reservations.Reserve(r.Context(), in)
		made = []resource.Reservation{res}
	}
	if err != nil {
		back(w, r, r.FormValue("product_id"), "error", resErrorText(loc(r), err))
		return
	}
	back(w, r, r.FormValue("product_id"), "done", sp.reservedText(r, in.ProductID, made))
}

func (sp *stockPages) release(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if ok, err := sp.deps.Access.ReservationVisibleTo(r.Context(), id, agentOf(r)); err != nil || !ok {
		back(w, r, r.FormValue("product_id"), "error", i18n.FromContext(r.Context()).T("harden.stock.no_reservation", nil))
		return
	}
	if err := sp.deps.Reservations.ReleaseReservation(r.Context(), id); err != nil {
		back(w, r, r.FormValue("product_id"), "error", errorText(loc(r), err))
		return
	}
	back(w, r, r.FormValue("product_id"), "done", loc(r).T("web.stock.done.released", nil))
}

func (sp *stockPages) receive(w http.ResponseWriter, r *http.Request) {
	in := resource.ReceiptInput{ProductID: formInt(r, "product_id"), WarehouseID: formInt(r, "warehouse_id"), Batch: r.FormValue("batch"),
		Qty: formInt(r, "qty"), UserID: userOf(r)}
	if s := strings.TrimSpace(r.FormValue("unit_cost")); s != "" {
		cost, err := i18n.ParseMoney(s, "RUB")
		if err != nil || cost < 0 {
			back(w, r, r.FormValue("product_id"), "error", errorText(loc(r), crm.Invalid("unit_cost", "write the amount in roubles, e.g. 1 234,56")))
			return
		}
		in.UnitCost = cost
	}
	if s := strings.TrimSpace(r.FormValue("expires_on")); s != "" {
		d, err := resource.ParseDate(s)
		if err != nil {
			back(w, r, r.FormValue("product_id"), "error", errorText(loc(r), err))
			return
		}
		in.ExpiresOn = &d
	}
	if _, err := sp.deps.Stock.Receive(r.Context(), in); err != nil {
		back(w, r, r.FormValue("product_id"), "error", errorText(loc(r), err))
		return
	}
	back(w, r, r.FormValue("product_id"), "done", loc(r).T("web.stock.done.received", map[string]any{"Batch": in.Batch}))
}

func (sp *stockPages) transfer(w http.ResponseWriter, r *http.Request) {
	days := formInt(r, "days")
	_, err := sp.deps.Stock.StartTransfer(r.Context(), resource.TransferInput{ProductID: formInt(r, "product_id"),
		FromWarehouseID: formInt(r, "from_warehouse_id"), ToWarehouseID: formInt(r, "to_warehouse_id"), Qty: formInt(r, "qty"),
		ExpectedAt: sp.deps.Now().AddDate(0, 0, int(days))}, userOf(r))
	if err != nil {
		back(w, r, r.FormValue("product_id"), "error", errorText(loc(r), err))
		return
	}
	back(w, r, r.FormValue("product_id"), "done", loc(r).T("web.stock.done.sent", nil))
}

func (sp *stockPages) arrive(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if _, err := sp.deps.Stock.ArriveTransfer(r.Context(), id, userOf(r)); err != nil {
		back(w, r, r.FormValue("product_id"), "error", errorText(loc(r), err))
		return
	}
	back(w, r, r.FormValue("product_id"), "done", loc(r).T("web.stock.done.arrived", nil))
}

func userOf(r *http.Request) int64 {
	if pr := crm.UserFromContext(r.Context()); pr != nil {
		return pr.ID
	}
	return 0
}

// agentOf is the signed-in user's id when they are an agent, whose records
// are restricted to their own; 0 for supervisors and admins.
func agentOf(r *http.Request) int64 {
	if pr := crm.UserFromContext(r.Context()); pr != nil && pr.Role == crm.RoleAgent {
		return pr.ID
	}
	return 0
}

// mayReserveFor is the error to show when the deal or ticket to reserve
// for does not exist or is not the agent's to see; "" when it may.
func (sp *stockPages) mayReserveFor(r *http.Request, dealID, ticketID *int64) string {
	if dealID != nil {
		if ok, err := sp.deps.Access.DealVisibleTo(r.Context(), *dealID, agentOf(r)); err != nil || !ok {
			return i18n.FromContext(r.Context()).T("harden.stock.no_deal", nil)
		}
	}
	if ticketID != nil {
		if ok, err := sp.deps.Access.TicketVisibleTo(r.Context(), *ticketID, agentOf(r)); err != nil || !ok {
			return i18n.FromContext(r.Context()).T("harden.stock.no_request", nil)
		}
	}
	return ""
}
