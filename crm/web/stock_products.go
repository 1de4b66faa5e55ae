package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/crm/service"
	"hotline/internal/i18n"
)

// The catalogue forms of the stock page: staff add products and change
// them, including the support terms a request about a purchased product
// gets (priority and SLA plan while the buyer's support lasts).

// productForm reads a product form; a number that does not parse is a
// field error (rather than a silent zero).
func productForm(r *http.Request) (resource.Product, error) {
	p := resource.Product{SKU: r.PostFormValue("sku"), Name: r.PostFormValue("name"), Unit: r.PostFormValue("unit"),
		CostMethod: resource.CostMethod(r.PostFormValue("cost_method")), Support: strings.TrimSpace(r.PostFormValue("support")),
		SupportPriority: service.Priority(r.PostFormValue("support_priority"))}
	var err error
	num := func(field string) int64 {
		s := strings.TrimSpace(r.PostFormValue(field))
		if s == "" || err != nil {
			return 0
		}
		n, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil || n < 0 {
			err = crm.Invalid(field, "must be a whole number, 0 or more")
		}
		return n
	}
	if s := strings.TrimSpace(r.PostFormValue("price")); s != "" {
		price, perr := i18n.ParseMoney(s, "RUB")
		if perr != nil || price < 0 {
			err = crm.Invalid("price", "write the amount in roubles, e.g. 1 234,56")
		}
		p.Price = price
	}
	p.LeadTimeDays = int(num("lead_time_days"))
	p.SupportMonths = int(num("support_months"))
	if plan := num("support_plan_id"); plan > 0 {
		p.SupportPlanID = &plan
	}
	return p, err
}

// saveProduct creates a product (/stock/products) or changes one
// (/stock/products/{id}). A refused form comes back filled in, with the
// error and the field marked.
func (sp *stockPages) saveProduct(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	p, err := productForm(r)
	if id := chi.URLParam(r, "id"); id != "" {
		if p.ID, _ = strconv.ParseInt(id, 10, 64); p.ID <= 0 {
			http.NotFound(w, r)
			return
		}
	}
	if err == nil {
		if p.ID > 0 {
			err = sp.deps.Catalogue.UpdateProduct(r.Context(), &p)
		} else {
			err = sp.deps.Catalogue.CreateProduct(r.Context(), &p)
		}
	}
	if err == nil {
		key := "web.stock.done.added"
		if chi.URLParam(r, "id") != "" {
			key = "web.stock.done.saved"
		}
		back(w, r, strconv.FormatInt(p.ID, 10), "done", loc(r).T(key, map[string]any{"SKU": p.SKU}))
		return
	}
	var ce *crm.Error
	status := crm.ErrorStatus(err)
	if !errors.As(err, &ce) || (status != http.StatusUnprocessableEntity && status != http.StatusConflict) {
		sp.p.errorPage(w, r, err)
		return
	}
	v := stockView{ErrField: ce.Field}
	if p.ID > 0 {
		v.ProductID, v.Edit = p.ID, &p
	} else {
		v.New = p
	}
	sp.render(w, r, status, &v, view{Error: errorText(loc(r), err)})
}

// PlanOf is the ID of a product's support plan (0: none), for the forms.
func (v stockView) PlanOf(p resource.Product) int64 {
	if p.SupportPlanID == nil {
		return 0
	}
	return *p.SupportPlanID
}
