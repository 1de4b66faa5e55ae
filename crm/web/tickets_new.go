package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/crm/service"
	"hotline/internal/i18n"
	"hotline/telephony/screenpop"
)

// TicketProducts is where the new-request form finds products
// (crm/postgres.Store): the client's purchases with their support, the
// catalogue searched by SKU or name, and the support terms a client has on
// a product, which the store applies to the new request.
type TicketProducts interface {
	PurchasedProducts(ctx context.Context, clientID int64, limit int) ([]screenpop.Product, error)
	ListProducts(ctx context.Context, q string, limit int) ([]resource.Product, error)
	service.ProductTerms
}

const (
	// purchasedLimit is how many of the client's purchased products the
	// form offers (latest purchases first).
	purchasedLimit = 50
	// otherLimit is how many catalogue matches an "other product" search shows.
	otherLimit = 20
	// otherProduct is the picker's value for a product the client did not
	// buy, found by SKU or name.
	otherProduct = "other"
)

// productOption is a product in one of the form's selects.
type productOption struct {
	ID       int64
	Label    string
	Support  string // purchased products: "active", "expired" or "none"
	Selected bool
}

// newTicketData is the new-request form, empty or as posted.
type newTicketData struct {
	Client     crm.Client
	Call       string
	Subject    string
	Body       string
	Category   string
	Priority   string
	Priorities []service.Priority
	Error      string
	Field      string // the field the error is about

	// Products: the form has the product picker (a product source is wired).
	Products  bool
	Purchased []productOption
	// Product is the picker's value: "" (no product), a purchased
	// product's id or "other".
	Product string
	OtherQ  string          // the other product's SKU or name, as typed
	Others  []productOption // catalogue products matching OtherQ
	OtherID int64           // the other product chosen among Others
}

func (tp *ticketPages) newForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, _ := strconv.ParseInt(q.Get("client"), 10, 64)
	tp.renderNew(w, r, http.StatusOK, id, newTicketData{Call: q.Get("call"), Product: q.Get("product")})
}

func (tp *ticketPages) renderNew(w http.ResponseWriter, r *http.Request, status int, clientID int64, d newTicketData) {
	if clientID <= 0 {
		tp.p.errorPage(w, r, crm.Invalid("client", "open a new request from a client's page or a screen pop"))
		return
	}
	c, err := tp.p.clients.Clients.GetClient(r.Context(), clientID)
	if err != nil {
		tp.p.errorPage(w, r, err)
		return
	}
	d.Client, d.Priorities = c, service.Priorities
	if tp.products != nil {
		d.Products = true
		bought, err := tp.products.PurchasedProducts(r.Context(), clientID, purchasedLimit)
		if err != nil {
			tp.p.errorPage(w, r, err)
			return
		}
		for _, p := range bought {
			o := purchasedOption(loc(r), p, tp.now())
			o.Selected = strconv.FormatInt(p.ID, 10) == d.Product
			d.Purchased = append(d.Purchased, o)
		}
		for i := range d.Others {
			d.Others[i].Selected = d.Others[i].ID == d.OtherID
		}
	}
	tp.p.render(w, r, status, "ticket_new", "web.client.new_request", view{Data: d, Active: "/tickets"})
}

// purchasedOption labels a purchased product with its support, e.g.
// "PBX appliance — support active until 29.07.2029, critical priority".
func purchasedOption(l *i18n.Localizer, p screenpop.Product, now time.Time) productOption {
	args := map[string]any{"Name": p.Name, "Support": p.Support, "Until": l.Date(p.SupportUntil),
		"Priority": l.T("js.priority."+string(p.SupportPriority), nil)}
	o := productOption{ID: p.ID, Label: l.T("js.console.support", args), Support: "none"}
	switch {
	case p.SupportActive && p.SupportPriority != "":
		o.Support, o.Label = "active", l.T("web.newticket.opt_active_priority", args)
	case p.SupportActive:
		o.Support, o.Label = "active", l.T("web.newticket.opt_active", args)
	case !p.SupportUntil.IsZero() && now.After(p.SupportUntil):
		o.Support, o.Label = "expired", l.T("web.newticket.opt_expired", args)
	}
	return o
}

func (tp *ticketPages) create(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := r.PostForm
	clientID, _ := strconv.ParseInt(f.Get("client_id"), 10, 64)
	me := crm.UserFromContext(r.Context()).ID
	t := service.Ticket{ClientID: clientID, Subject: f.Get("subject"), Description: f.Get("description"),
		Category: f.Get("category"), Priority: service.Priority(f.Get("priority")), CreatedBy: &me}
	if call := strings.TrimSpace(f.Get("call")); call != "" {
		t.Calls = []string{call}
	}
	d := newTicketData{Call: f.Get("call"), Subject: t.Subject, Body: t.Description, Category: t.Category, Priority: f.Get("priority")}
	productID, err := tp.pickedProduct(r.Context(), f, &d)
	if err == nil && productID != nil {
		// The store applies the terms when active at the ticket's creation
		// (a priority chosen by hand is kept) and records them in its history.
		t.ProductID = productID
		t.Terms, err = tp.products.SupportTerms(r.Context(), clientID, *productID)
	}
	if err == nil {
		err = tp.tickets.CreateTicket(r.Context(), &t)
	}
	if err != nil {
		if crm.IsKind(err, crm.KindInvalid) {
			d.Error, d.Field = errorText(loc(r), err), fieldOf(err)
			if d.Field == "product_id" && d.Product == otherProduct {
				d.Field = "other_product_id"
			}
			tp.renderNew(w, r, http.StatusUnprocessableEntity, clientID, d)
			return
		}
		tp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/tickets/"+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
}

// pickedProduct reads the form's product: none, a purchased product, or
// another one found by SKU or name (a SKU or name typed while "no product"
// is chosen counts as another product: typing it says what was meant). It
// fills d with what to show again should the form come back.
func (tp *ticketPages) pickedProduct(ctx context.Context, f url.Values, d *newTicketData) (*int64, error) {
	d.Product = strings.TrimSpace(f.Get("product_id"))
	d.OtherQ = strings.TrimSpace(f.Get("product_q"))
	d.OtherID, _ = strconv.ParseInt(f.Get("other_product_id"), 10, 64)
	if tp.products == nil {
		if d.Product != "" || d.OtherQ != "" {
			return nil, crm.Invalid("product_id", "products cannot be chosen: the stock module is not set up")
		}
		return nil, nil
	}
	switch {
	case d.Product == otherProduct || (d.Product == "" && d.OtherQ != ""):
		d.Product = otherProduct
		return tp.otherProduct(ctx, d)
	case d.Product == "":
		return nil, nil
	}
	id, err := strconv.ParseInt(d.Product, 10, 64)
	if err != nil || id <= 0 {
		return nil, crm.Invalid("product_id", "%q is not a product", d.Product)
	}
	return &id, nil
}

// otherProduct finds the product typed in the "other product" box: the one
// chosen among the matches (by the page's search or a previous answer), the
// one whose SKU is exactly what was typed, or the only match.
func (tp *ticketPages) otherProduct(ctx context.Context, d *newTicketData) (*int64, error) {
	if d.OtherQ == "" {
		if d.OtherID > 0 {
			return &d.OtherID, nil
		}
		return nil, crm.Invalid("product_q", "type the product's SKU or name, or choose “No product”")
	}
	matches, err := tp.products.ListProducts(ctx, d.OtherQ, otherLimit)
	if err != nil {
		return nil, err
	}
	d.Others = nil
	var exact *resource.Product
	for i, p := range matches {
		d.Others = append(d.Others, productOption{ID: p.ID, Label: p.SKU + " — " + p.Name})
		if p.ID == d.OtherID {
			return &d.OtherID, nil
		}
		if strings.EqualFold(p.SKU, d.OtherQ) {
			exact = &matches[i]
		}
	}
	switch {
	case exact != nil:
		d.OtherID = exact.ID
	case len(matches) == 1:
		d.OtherID = matches[0].ID
	case len(matches) == 0:
		return nil, crm.Invalid("product_q", "no product has the SKU or name %q", d.OtherQ)
	case len(matches) == otherLimit:
		d.OtherID = 0
		return nil, crm.Invalid("other_product_id", "%d or more products match %q: choose one or type more of the SKU", otherLimit, d.OtherQ)
	default:
		d.OtherID = 0
		return nil, crm.Invalid("other_product_id", "%d products match %q: choose one", len(matches), d.OtherQ)
	}
	return &d.OtherID, nil
}
