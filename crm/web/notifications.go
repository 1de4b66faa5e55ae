package web

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/notify"
	"hotline/internal/i18n"
)

// NotifyPageDeps are what the notification pages need.
type NotifyPageDeps struct {
	Notices notify.Notices
	// Notify keeps admins' templates, clients' preferences and the
	// e-mails and SMS that requests show.
	Notify notify.Service
}

// MountNotify adds the notifications page (/notifications, which the bell
// in the top bar opens), the client card's notification setting, and the
// admins' notification templates (/admin/notification-templates).
// Requests then show their e-mails and SMS.
func (p *Pages) MountNotify(deps NotifyPageDeps) {
	p.mu.Lock()
	p.notify = deps.Notify
	p.mu.Unlock()
	np := &notifyPages{p: p, notices: deps.Notices, notify: deps.Notify}
	r := p.api.Router()
	r.Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Get("/notifications", np.list)
		r.Post("/notifications/read", np.markRead)
		r.Post("/clients/{id}/notify", np.setClientNotify)
	})
	a := &adminPages{p: p}
	r.Group(func(r chi.Router) {
		r.Use(p.requireUser, a.requireAdmin)
		r.Get("/admin/notification-templates", np.templates)
		r.Post("/admin/notification-templates", np.saveTemplate)
	})
	p.AddNav(NavItem{Label: "notify.nav.templates", Path: "/admin/notification-templates", Roles: crm.AdminOnly, Group: "web.nav.group.admin"})
}

// notifyService is what tells people when the notification pages are
// mounted (else nil).
func (p *Pages) notifyService() notify.Service {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.notify
}

// ticketMessages are the e-mails and SMS about a request (none when the
// notification pages are not mounted).
func (p *Pages) ticketMessages(r *http.Request, ticketID int64) ([]notify.Message, error) {
	if n := p.notifyService(); n != nil {
		return n.TicketMessages(r.Context(), ticketID)
	}
	return nil, nil
}

// notifyPages serve the notification pages.
type notifyPages struct {
	p       *Pages
	notices notify.Notices
	notify  notify.Service
}

// noticeRow is one notice on the notifications page.
type noticeRow struct {
	ID       int64
	TicketID int64
	Text     string
	When     string
	Unread   bool
}

type noticesView struct {
	Rows   []noticeRow
	UpTo   int64 // the newest id, for "mark all read"
	Unread int
	Labels map[string]string
}

func (np *notifyPages) list(w http.ResponseWriter, r *http.Request) {
	l := i18n.FromContext(r.Context())
	list, err := np.notices.Notifications(r.Context(), me(r).ID, 100)
	if err != nil {
		np.p.errorPage(w, r, err)
		return
	}
	v := noticesView{Labels: map[string]string{}}
	for _, k := range []string{"empty", "mark_all", "unread", "open"} {
		v.Labels[k] = l.T("notify.page."+k, nil)
	}
	for _, n := range list {
		v.Rows = append(v.Rows, noticeRow{ID: n.ID, TicketID: n.TicketID, Text: notify.NoticeText(l, n), When: l.DateTime(n.At),
			Unread: n.ReadAt == nil})
		v.UpTo = max(v.UpTo, n.ID)
		if n.ReadAt == nil {
			v.Unread++
		}
	}
	np.p.render(w, r, http.StatusOK, "notifications", l.T("notify.page.title", nil), view{Data: v})
}

func (np *notifyPages) markRead(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	upTo, err := strconv.ParseInt(r.PostFormValue("up_to"), 10, 64)
	if err != nil || upTo < 1 {
		np.p.errorPage(w, r, crm.Invalid("up_to", "is not a notification"))
		return
	}
	if _, err := np.notices.MarkNotificationsRead(r.Context(), me(r).ID, upTo); err != nil {
		np.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
}

// notifyPrefView is the client card's "request notifications" setting.
type notifyPrefView struct {
	Label   string
	Save    string
	Options []notifyOption
}

type notifyOption struct {
	Value, Label string
	Selected     bool
}

// clientNotify is the client card's setting; nil when not mounted.
func (p *Pages) clientNotify(r *http.Request, clientID int64) (*notifyPrefView, error) {
	store := p.notifyService()
	if store == nil {
		return nil, nil
	}
	cur, err := store.ClientNotify(r.Context(), clientID)
	if err != nil {
		return nil, err
	}
	l := i18n.FromContext(r.Context())
	v := &notifyPrefView{Label: l.T("notify.pref.label", nil), Save: l.T("common.save", nil)}
	for _, o := range notify.Preferences {
		v.Options = append(v.Options, notifyOption{Value: string(o), Label: l.T("notify.pref."+string(o), nil), Selected: o == cur})
	}
	return v, nil
}

func (np *notifyPages) setClientNotify(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		np.p.errorPage(w, r, crm.Errorf(crm.KindNotFound, "no such client"))
		return
	}
	// Whoever may open the client's card may set how the client is told.
	if _, err := np.p.clients.Clients.GetClient(r.Context(), id); err != nil {
		np.p.errorPage(w, r, err)
		return
	}
	if err := np.notify.SetClientNotify(r.Context(), id, notify.Preference(r.PostFormValue("notify"))); err != nil {
		np.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
