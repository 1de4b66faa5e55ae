package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/funnel"
	"hotline/crm/phone"
	"hotline/crm/resource"
	"hotline/internal/i18n"
)

// ClientPageDeps are the services the client pages use. Clients and
// Priority are required.
type ClientPageDeps struct {
	Clients  crm.ClientService
	Priority crm.PriorityService
	// Tickets says which requests an agent may see, so that the timeline
	// hides the others' subjects; nil hides every request entry from agents.
	Tickets crm.TicketVisibility
	// Phone reads numbers typed without a country code; default: the API
	// server's normaliser.
	Phone *phone.Normalizer
	// Now is the clock notes are dated by; time.Now when nil.
	Now func() time.Time
}

// clientPages serve the client pages and the priority classes.
type clientPages struct {
	p    *Pages
	deps ClientPageDeps
}

// MountClients adds the client pages: search, the card with its timeline,
// notes and contacts, the new and edit forms, and the priority classes at
// /admin/priority (admins), linked under the nav bar's Admin menu.
func (p *Pages) MountClients(deps ClientPageDeps) {
	if deps.Phone == nil {
		n := p.api.Phone()
		deps.Phone = &n
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	p.mu.Lock()
	p.clients = deps
	p.mu.Unlock()
	cp := &clientPages{p: p, deps: deps}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Get("/clients", p.searchPage)
		r.Get("/clients/new", p.newClientPage)
		r.Post("/clients", p.createClient)
		r.Get("/clients/{id}", p.clientPage)
		r.Get("/clients/{id}/edit", p.editClientPage)
		r.Post("/clients/{id}", p.updateClient)
		r.Post("/clients/{id}/notes", p.addNote)
		r.Post("/clients/{id}/contacts", p.addContact)
		r.With(requireAdminRole).Get("/admin/priority", cp.priorityPage)
		r.With(requireAdminRole).Post("/admin/priority", cp.savePriority)
		r.With(requireAdminRole).Post("/admin/priority/delete", cp.deletePriority)
		r.With(requireAdminRole).Post("/admin/priority/reclassify", cp.reclassify)
	})
	p.AddNav(NavItem{Label: "prio.nav", Path: "/admin/priority", Roles: crm.AdminOnly, Group: "web.nav.group.admin"})
}

// priorityClasses are the classes in the reader's words (none before
// MountClients).
func (p *Pages) priorityClasses(ctx context.Context) ([]crm.PriorityClass, error) {
	p.mu.RLock()
	svc := p.clients.Priority
	p.mu.RUnlock()
	if svc == nil {
		return nil, nil
	}
	classes, err := svc.List(ctx)
	seededClasses(i18n.FromContext(ctx), classes)
	return classes, err
}

type searchData struct {
	Query    string
	Priority string
	Owner    string // the owner's user id as the select sends it
	Tag      string
	Classes  []crm.PriorityClass
	Owners   []crm.User
	Clients  []crm.Client
	Next     string // the cursor of the next page
	More     string // query string of the next page, filters kept
	Partial  bool
}

// searchPage lists clients matching q (name, company, part of a number),
// narrowed by priority class, owner (picked by name) and tag. With partial=1
// it returns only the results, for search-as-you-type.
func (p *Pages) searchPage(w http.ResponseWriter, r *http.Request) {
	qs := r.URL.Query()
	d := searchData{
		Query:    truncateRunes(strings.TrimSpace(qs.Get("q")), 200),
		Priority: truncateRunes(strings.TrimSpace(qs.Get("priority")), 50),
		Owner:    strings.TrimSpace(qs.Get("owner")),
		Tag:      truncateRunes(strings.TrimSpace(qs.Get("tag")), 50),
	}
	f := crm.ClientFilter{Query: d.Query, Priority: d.Priority, Tag: d.Tag, After: qs.Get("cursor"), Limit: 50}
	if d.Owner != "" {
		id, err := strconv.ParseInt(d.Owner, 10, 64)
		if err != nil || id <= 0 {
			p.errorPage(w, r, crm.Invalid("owner", "must be a user"))
			return
		}
		f.OwnerID = &id
	}
	page, err := p.clients.Clients.ListClients(r.Context(), f)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	d.Clients, d.Next = page.Items, page.Next
	if d.Next != "" {
		more := url.Values{"cursor": {d.Next}}
		for k, v := range map[string]string{"q": d.Query, "priority": d.Priority, "owner": d.Owner, "tag": d.Tag} {
			if v != "" {
				more.Set(k, v)
			}
		}
		d.More = more.Encode()
	}
	if qs.Get("partial") == "1" {
		d.Partial = true
		p.renderFragment(w, r, "search", "results", d)
		return
	}
	if d.Classes, err = p.priorityClasses(r.Context()); err == nil {
		seededClasses(loc(r), d.Classes)
		d.Owners, err = p.users.ListUsers(r.Context())
	}
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "search", "web.clients.title", view{Active: "/clients", Data: d})
}

func (p *Pages) renderFragment(w http.ResponseWriter, r *http.Request, page, name string, data any) {
	var buf strings.Builder
	t, ok := p.page(r, page)
	if !ok {
		http.Error(w, "no such template", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		p.errorPage(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(buf.String()))
}

type clientData struct {
	Client     crm.Client
	Class      *crm.PriorityClass
	Owner      *crm.User
	Timeline   []timelineEntry
	Next       string
	Cursor     string
	NoteBody   string
	ContactErr string
	Contact    crm.Contact
	Stock      bool          // the stock module is mounted: show availability
	Deals      []funnel.Deal // the client's deals (the reader's own, for agents)
	HasDeals   bool          // the deal pages are mounted
	Money      *clientMoney  // the client's year (supervisors and admins)
	Projects   []resource.Project
	// Notify is how the client hears of their requests (nil: notifications
	// are not mounted).
	Notify *notifyPrefView
	Calls  bool // the call log is mounted: link the client's calls
}

type timelineEntry struct {
	crm.Interaction
	Who string
}

func (p *Pages) clientPage(w http.ResponseWriter, r *http.Request) {
	p.showClient(w, r, http.StatusOK, "", clientData{})
}

// showClient renders the card; errMsg and d carry a failed form back.
func (p *Pages) showClient(w http.ResponseWriter, r *http.Request, status int, errMsg string, d clientData) {
	ctx := r.Context()
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		p.errorPage(w, r, crm.Errorf(crm.KindNotFound, "no such client"))
		return
	}
	if d.Client, err = p.clients.Clients.GetClient(ctx, id); err != nil {
		p.errorPage(w, r, err)
		return
	}
	d.Stock, d.Calls = p.hasStock(), p.hasCalls()
	d.Deals, d.HasDeals = p.clientDeals(r, d.Client.ID)
	d.Money = p.clientMoneyOf(r, d.Client.ID)
	d.Projects = p.clientProjects(r, d.Client.ID)
	if err := p.loadCard(ctx, &d, r.URL.Query().Get("cursor")); err != nil {
		p.errorPage(w, r, err)
		return
	}
	if d.Notify, err = p.clientNotify(r, d.Client.ID); err != nil {
		p.errorPage(w, r, err)
		return
	}
	p.render(w, r, status, "client", "", view{Title: d.Client.Name, Active: "/clients", Error: errMsg, Data: d})
}

func (p *Pages) loadCard(ctx context.Context, d *clientData, cursor string) error {
	classes, err := p.priorityClasses(ctx)
	if err != nil {
		return err
	}
	for i := range classes {
		if classes[i].Code == d.Client.Priority {
			d.Class = &classes[i]
		}
	}
	names := map[int64]string{}
	if d.Client.OwnerID != nil {
		if u, err := p.users.GetUser(ctx, *d.Client.OwnerID); err == nil {
			d.Owner = &u
			names[u.ID] = displayName(u)
		}
	}
	page, err := p.clients.Clients.Timeline(ctx, d.Client.ID, cursor, 20)
	if err != nil {
		return err
	}
	d.Next, d.Cursor = page.Next, cursor
	items, err := crm.VisibleInteractions(ctx, page.Items, p.clients.Tickets)
	if err != nil {
		return err
	}
	for _, it := range items {
		e := timelineEntry{Interaction: it}
		if it.UserID != nil {
			if _, ok := names[*it.UserID]; !ok {
				if u, err := p.users.GetUser(ctx, *it.UserID); err == nil {
					names[u.ID] = displayName(u)
				}
			}
			e.Who = names[*it.UserID]
		}
		d.Timeline = append(d.Timeline, e)
	}
	return nil
}

func (p *Pages) addNote(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	body := r.PostFormValue("body")
	if err := p.addNoteBy(r.Context(), id, body); err != nil {
		if crm.IsKind(err, crm.KindInvalid) {
			p.showClient(w, r, http.StatusUnprocessableEntity, errorText(loc(r), err), clientData{NoteBody: body})
			return
		}
		p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10)+"#timeline", http.StatusSeeOther)
}

// addNoteBy puts a note by the signed-in user on a client's timeline.
func (p *Pages) addNoteBy(ctx context.Context, clientID int64, body string) error {
	var by *int64
	if u := crm.UserFromContext(ctx); u != nil {
		by = &u.ID
	}
	note, err := crm.NewNote(clientID, "", body, by, p.clients.Now())
	if err != nil {
		return err
	}
	if _, err := p.clients.Clients.GetClient(ctx, clientID); err != nil {
		return err
	}
	return p.clients.Clients.AddInteraction(ctx, &note)
}

func (p *Pages) addContact(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	ct := crm.Contact{ClientID: id, Kind: crm.ContactKind(r.PostFormValue("kind")), Value: r.PostFormValue("value"),
		Label: r.PostFormValue("label")}
	err := p.clients.Phone.NormalizeContact(&ct)
	if err == nil {
		if _, err = p.clients.Clients.GetClient(r.Context(), id); err == nil {
			err = p.clients.Clients.AddContact(r.Context(), &ct)
		}
	}
	if err != nil {
		if crm.IsKind(err, crm.KindInvalid) || crm.IsKind(err, crm.KindConflict) {
			ct.Value = ct.Raw
			p.showClient(w, r, http.StatusUnprocessableEntity, "", clientData{ContactErr: errorText(loc(r), err), Contact: ct})
			return
		}
		p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// parseForm reads a posted form of at most maxFormBytes; it answers
// 413 or 400 itself and returns false when the form cannot be read.
func parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "the form is larger than 1 MiB", http.StatusRequestEntityTooLarge)
			return false
		}
		http.Error(w, "the form is malformed", http.StatusBadRequest)
		return false
	}
	return true
}

func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func fieldOf(err error) string {
	var e *crm.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func displayName(u crm.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Login
}
