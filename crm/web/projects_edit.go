package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/funnel"
	"hotline/crm/resource"
)

// projectForm is the new-project form as typed; clients and deals are
// picked by name (the pickers fill the hidden ids).
type projectForm struct {
	Name, Start, ClientID, ClientName, DealID, DealName string
}

// taskForm is the add-task form as typed.
type taskForm struct{ Name, Start, Duration, After string }

// resourceForm is the add-resource form as typed.
type resourceForm struct{ Name, Kind string }

// projectListData is what projects.html shows.
type projectListData struct {
	Projects []resource.Project
	Staff    bool
	CSRF     string
	Form     projectForm
	Field    string
}

func (pp *planPages) showList(w http.ResponseWriter, r *http.Request, status int, f projectForm, err error) {
	list, e := pp.deps.Projects.ListProjects(r.Context(), 0)
	if e != nil {
		pp.p.errorPage(w, r, e)
		return
	}
	v := view{Data: projectListData{Projects: list, Staff: isStaff(r), CSRF: csrfOf(r), Form: f, Field: fieldOf(err)}}
	if err != nil {
		v.Error = resErrorText(loc(r), err)
	}
	pp.p.render(w, r, status, "projects", "web.nav.projects", v)
}

// create makes a project from the new-project form (supervisors and
// admins) and opens its page, where tasks and resources are added.
func (pp *planPages) create(w http.ResponseWriter, r *http.Request) {
	v := r.PostFormValue
	f := projectForm{Name: v("name"), Start: v("start"), ClientID: v("client_id"), ClientName: v("client_name"),
		DealID: v("deal_id"), DealName: v("deal_name")}
	p, err := pp.projectOf(r, f)
	if err == nil {
		err = pp.deps.Projects.CreateProject(r.Context(), &p)
	}
	if err != nil {
		pp.showList(w, r, http.StatusUnprocessableEntity, f, err)
		return
	}
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

// projectOf checks the form: the client and the deal must be picked from
// their lists and agree (a deal alone gives its client).
func (pp *planPages) projectOf(r *http.Request, f projectForm) (resource.Project, error) {
	ctx := r.Context()
	p := resource.Project{Name: f.Name}
	start, err := resource.ParseDay(f.Start)
	if err != nil {
		return p, err
	}
	p.Start = start
	if f.ClientID != "" || strings.TrimSpace(f.ClientName) != "" {
		id, err := strconv.ParseInt(f.ClientID, 10, 64)
		if err != nil || id <= 0 {
			return p, crm.Invalid("client_id", "choose a client from the list")
		}
		if _, err := pp.p.clients.Clients.GetClient(ctx, id); err != nil {
			return p, crm.Invalid("client_id", "choose a client from the list")
		}
		p.ClientID = &id
	}
	if f.DealID != "" || strings.TrimSpace(f.DealName) != "" {
		id, err := strconv.ParseInt(f.DealID, 10, 64)
		if err != nil || id <= 0 {
			return p, crm.Invalid("deal_id", "choose a deal from the list")
		}
		d, err := pp.deps.Deals.GetDeal(ctx, id)
		if err != nil {
			return p, crm.Invalid("deal_id", "choose a deal from the list")
		}
		if p.ClientID != nil && *p.ClientID != d.ClientID {
			return p, crm.Invalid("deal_id", "the deal is another client's")
		}
		p.DealID, p.ClientID = &d.ID, &d.ClientID
	}
	return p, nil
}

// dealSearch answers the deal picker: up to 8 deals whose title contains
// q, with their client.
func (pp *planPages) dealSearch(w http.ResponseWriter, r *http.Request) {
	type item struct {
		ID      int64  `json:"id"`
		Name    string `json:"name"`
		Company string `json:"company,omitempty"`
	}
	out := struct {
		Items []item `json:"items"`
	}{Items: []item{}}
	if q := strings.TrimSpace(r.URL.Query().Get("q")); len([]rune(q)) >= 2 && len(q) <= 200 {
		list, err := pp.deps.Deals.ListDeals(r.Context(), funnel.DealFilter{Query: q, Limit: 8})
		if err != nil {
			http.Error(w, "deal search failed", http.StatusInternalServerError)
			return
		}
		for _, d := range list {
			out.Items = append(out.Items, item{ID: d.ID, Name: d.Title, Company: d.ClientName})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func projectID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, crm.Errorf(crm.KindNotFound, "no such project")
	}
	return id, nil
}

// addTask adds a task (name, start, duration, a predecessor picked from
// the project's tasks) at the end of the project.
func (pp *planPages) addTask(w http.ResponseWriter, r *http.Request) {
	id, err := projectID(r)
	if err != nil {
		pp.p.errorPage(w, r, err)
		return
	}
	v := r.PostFormValue
	f := taskForm{Name: v("name"), Start: v("start"), Duration: v("duration_days"), After: v("depends_on")}
	t := resource.Task{Name: f.Name}
	t.Start, err = resource.ParseDay(f.Start)
	if err == nil {
		if t.DurationDays, err = strconv.Atoi(strings.TrimSpace(f.Duration)); err != nil {
			err = crm.Invalid("duration_days", "must be 0-3650 working days")
		}
	}
	if err == nil && f.After != "" {
		after, e := strconv.ParseInt(f.After, 10, 64)
		if e != nil {
			e = crm.Invalid("depends_on", "task %s is not a task of this project", f.After)
		}
		t.DependsOn, err = []int64{after}, e
	}
	if err == nil {
		_, err = pp.deps.Projects.AddTask(r.Context(), id, t)
	}
	if err != nil {
		if crm.IsKind(err, crm.KindNotFound) {
			pp.p.errorPage(w, r, err)
			return
		}
		pp.show(w, r, id, http.StatusUnprocessableEntity, f, resourceForm{}, err)
		return
	}
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(id, 10)+"?added=task", http.StatusSeeOther)
}

// addResource adds a resource (work, material or equipment) to the project.
func (pp *planPages) addResource(w http.ResponseWriter, r *http.Request) {
	id, err := projectID(r)
	if err != nil {
		pp.p.errorPage(w, r, err)
		return
	}
	f := resourceForm{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind")}
	a := resource.PlanAsset{Name: f.Name, Kind: resource.AssetKind(f.Kind)}
	if err := pp.deps.Projects.AddResource(r.Context(), id, &a); err != nil {
		if crm.IsKind(err, crm.KindNotFound) {
			pp.p.errorPage(w, r, err)
			return
		}
		pp.show(w, r, id, http.StatusUnprocessableEntity, taskForm{}, f, err)
		return
	}
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(id, 10)+"?added=resource", http.StatusSeeOther)
}
