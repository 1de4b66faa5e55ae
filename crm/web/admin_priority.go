package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"hotline/crm"
	"hotline/internal/i18n"
)

// Priority classes at /admin/priority (issue 16): the classes with how many
// clients each has, a form per class for its name, rank and rules (yearly
// revenue in roubles, purchases), a form for a new class, delete, and
// "reclassify now". Admins only, like the API's operations.

// priorityRow is one class as the page shows and edits it.
type priorityRow struct {
	Code, Name, Rank, Description, MinRevenue, MinPurchases string
	Title                                                   string // the name in the reader's words (seeded names)
	Size                                                    crm.ClassSize
	Errors                                                  map[string]string // by field: what is wrong
	New                                                     bool              // the form for a new class
}

// priorityView is the whole page.
type priorityView struct {
	Rows []priorityRow
	New  priorityRow
}

// rowOfClass is a stored class in the form's words.
func rowOfClass(l *i18n.Localizer, c crm.PriorityClass, size crm.ClassSize) priorityRow {
	row := priorityRow{Code: c.Code, Name: seeded(l, c.Name), Rank: strconv.Itoa(c.Rank), Description: seeded(l, c.Description), Size: size,
		Title: seeded(l, c.Name)}
	if c.MinRevenue != nil {
		row.MinRevenue = l.Decimal(*c.MinRevenue, 2)
	}
	if c.MinPurchases != nil {
		row.MinPurchases = strconv.Itoa(*c.MinPurchases)
	}
	return row
}

// rowFromRequest is the class as posted.
func rowFromRequest(r *http.Request) priorityRow {
	v := r.PostFormValue
	return priorityRow{Code: strings.ToUpper(strings.TrimSpace(v("code"))), Name: v("name"), Rank: strings.TrimSpace(v("rank")),
		Description: v("description"), MinRevenue: strings.TrimSpace(v("min_revenue")),
		MinPurchases: strings.TrimSpace(v("min_purchases")), New: v("new") == "1"}
}

// class reads the posted row; errors are keyed by field in the reader's words.
func (row *priorityRow) class(l *i18n.Localizer) (crm.PriorityClass, bool) {
	c := crm.PriorityClass{Code: row.Code, Name: row.Name, Description: row.Description}
	row.Errors = map[string]string{}
	rank, err := strconv.Atoi(row.Rank)
	if err != nil {
		row.Errors["rank"] = l.T("prio.err.rank", nil)
	}
	c.Rank = rank
	if row.MinRevenue != "" {
		minor, err := i18n.ParseMoney(row.MinRevenue, "RUB")
		if err != nil || minor < 0 {
			row.Errors["min_revenue"] = l.T("prio.err.revenue", nil)
		}
		c.MinRevenue = &minor
	}
	if row.MinPurchases != "" {
		n, err := strconv.Atoi(row.MinPurchases)
		if err != nil || n < 0 {
			row.Errors["min_purchases"] = l.T("prio.err.purchases", nil)
		}
		c.MinPurchases = &n
	}
	if len(row.Errors) > 0 {
		return c, false
	}
	if err := c.Validate(); err != nil {
		row.Errors[fieldOf(err)] = priorityErrorText(l, err)
		return c, false
	}
	return c, true
}

// priorityErrorText says a class's validation error in the reader's words.
func priorityErrorText(l *i18n.Localizer, err error) string {
	if key := "prio.err." + fieldOf(err); fieldOf(err) != "" && l.Has(key) {
		return l.T(key, nil)
	}
	return errorText(l, err)
}

func (cp *clientPages) priorityPage(w http.ResponseWriter, r *http.Request) {
	cp.showPriority(w, r, http.StatusOK, nil, view{Flash: cp.priorityFlash(r)})
}

// priorityFlash confirms the change the page was redirected after.
func (cp *clientPages) priorityFlash(r *http.Request) string {
	q := r.URL.Query()
	switch q.Get("done") {
	case "saved":
		return loc(r).T("prio.done.saved", map[string]any{"Code": q.Get("code")})
	case "deleted":
		return loc(r).T("prio.done.deleted", map[string]any{"Code": q.Get("code")})
	case "reclassified":
		n, _ := strconv.Atoi(q.Get("moved"))
		return loc(r).N("prio.done.reclassified", n, nil)
	}
	return ""
}

// showPriority renders the page; failed is a posted row to show back with
// its errors in place of the stored one (or of the new-class form).
func (cp *clientPages) showPriority(w http.ResponseWriter, r *http.Request, status int, failed *priorityRow, v view) {
	ctx, l := r.Context(), loc(r)
	classes, err := cp.deps.Priority.List(ctx)
	if err != nil {
		cp.p.errorPage(w, r, err)
		return
	}
	sizes, err := cp.deps.Priority.ClassSizes(ctx)
	if err != nil {
		cp.p.errorPage(w, r, err)
		return
	}
	d := priorityView{New: priorityRow{New: true}}
	for _, c := range classes {
		row := rowOfClass(l, c, sizes[c.Code])
		if failed != nil && !failed.New && failed.Code == c.Code {
			failed.Size, failed.Title, row = row.Size, row.Title, *failed
		}
		d.Rows = append(d.Rows, row)
	}
	if failed != nil && failed.New {
		d.New = *failed
	}
	v.Active, v.Data = "/admin/priority", d
	cp.p.render(w, r, status, "admin_priority", "prio.title", v)
}

func (cp *clientPages) savePriority(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	l := loc(r)
	row := rowFromRequest(r)
	c, ok := row.class(l)
	if ok {
		err := cp.deps.Priority.Save(r.Context(), c)
		if err == nil {
			_, err = cp.deps.Priority.Reclassify(r.Context())
		}
		if err != nil && !crm.IsKind(err, crm.KindInvalid) {
			cp.p.errorPage(w, r, err)
			return
		}
		if err != nil {
			row.Errors[fieldOf(err)], ok = priorityErrorText(l, err), false
		}
	}
	if !ok {
		cp.showPriority(w, r, http.StatusUnprocessableEntity, &row, view{Error: l.T("prio.not_saved", nil)})
		return
	}
	http.Redirect(w, r, "/admin/priority?done=saved&code="+c.Code, http.StatusSeeOther)
}

func (cp *clientPages) deletePriority(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	code := r.PostFormValue("code")
	if err := cp.deps.Priority.Delete(r.Context(), code); err != nil {
		if crm.IsKind(err, crm.KindInvalid) {
			cp.showPriority(w, r, http.StatusUnprocessableEntity, nil, view{Error: loc(r).T("prio.err.last", nil)})
			return
		}
		cp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/priority?done=deleted&code="+url.QueryEscape(code), http.StatusSeeOther)
}

func (cp *clientPages) reclassify(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	n, err := cp.deps.Priority.Reclassify(r.Context())
	if err != nil {
		cp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/priority?done=reclassified&moved="+strconv.Itoa(n), http.StatusSeeOther)
}
