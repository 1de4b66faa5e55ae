package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/notify"
)

// notifyBrowser signs in to the notify site as login.
func (s *notifySite) browser(t *testing.T, login string) (*browser, string) {
	t.Helper()
	b := (&site{t: t, store: s.store, ts: s.ts}).browser()
	return b, b.login(login)
}

// TestTemplatesPageAdminsEditPerLanguage: admins see every template in
// Russian and English with the placeholders; a change is checked, stored
// and used, and can be reset; others get 403.
func TestTemplatesPageAdminsEditPerLanguage(t *testing.T) {
	t.Parallel()
	s := newNotifySite(t)
	ctx := context.Background()
	if _, err := auth.CreateUser(ctx, s.store.Users, crm.User{Login: "admin", Role: crm.RoleAdmin}, adminPassword); err != nil {
		t.Fatal(err)
	}
	b, csrf := s.browser(t, "admin")
	resp, body := b.get("/admin/notification-templates")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="template-customer_opened-ru"`) ||
		!strings.Contains(body, `id="template-staff_reply-en"`) || !strings.Contains(body, "{link}") ||
		!strings.Contains(body, "Заявка принята") {
		t.Fatalf("templates page: %d", resp.StatusCode)
	}
	form := url.Values{"csrf_token": {csrf}, "key": {notify.TemplateOpened}, "lang": {"en"}, "action": {"save"},
		"subject": {"[#{number}] Thanks"}, "body": {"We have it. No link here."}}
	resp, body = b.post("/admin/notification-templates", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "{link}") || !strings.Contains(body, "No link here.") {
		t.Fatalf("a customer template without the link: %d", resp.StatusCode)
	}
	form.Set("body", "We have it: {link}")
	if resp, _ := b.post("/admin/notification-templates", form); resp.StatusCode != http.StatusOK {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	got, ok, err := s.store.Notify.NotificationTemplate(ctx, notify.TemplateOpened, "en")
	if err != nil || !ok || got.Body != "We have it: {link}" || got.Subject != "[#{number}] Thanks" {
		t.Fatalf("stored %+v %v %v", got, ok, err)
	}
	form.Set("action", "reset")
	if resp, _ := b.post("/admin/notification-templates", form); resp.StatusCode != http.StatusOK {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if _, ok, _ := s.store.Notify.NotificationTemplate(ctx, notify.TemplateOpened, "en"); ok {
		t.Fatal("reset kept the admin's wording")
	}
	agent, _ := s.browser(t, "agent")
	if resp, _ := agent.get("/admin/notification-templates"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("agent: %d", resp.StatusCode)
	}
}

// TestRequestPagesShowMessagesOverdueAndPreference: the request page lists
// the e-mails about it with their state; the list marks an overdue request
// and "my overdue" finds it; the client card sets how the client is told.
func TestRequestPagesShowMessagesOverdueAndPreference(t *testing.T) {
	t.Parallel()
	s := newNotifySite(t)
	ctx := context.Background()
	if err := s.store.Notify.Enqueue(ctx, notify.Message{Channel: notify.ChannelEmail, To: "vector@example.ru", Subject: "[#1] Hello",
		Body: "b", TicketID: &s.ticket.ID}); err != nil {
		t.Fatal(err)
	}
	b, csrf := s.browser(t, "agent")
	tid := strconv.FormatInt(s.ticket.ID, 10)
	_, body := b.get("/tickets/" + tid)
	if !strings.Contains(body, `id="ticket-messages"`) || !strings.Contains(body, "vector@example.ru") || !strings.Contains(body, "msg-pending") {
		t.Fatalf("request page lacks its messages")
	}
	// Not overdue yet; two hours later the 1h response target has passed.
	if _, body := b.get("/tickets?mine=overdue"); strings.Contains(body, `id="ticket-`+tid+`"`) {
		t.Fatal("listed as overdue too early")
	}
	if _, body := b.get("/tickets"); !strings.Contains(body, `id="ticket-`+tid+`"`) || strings.Contains(body, "ticket-row overdue") {
		t.Fatal("marked overdue too early, or not listed")
	}
	s.clock.Set(s.clock.Now().Add(2 * time.Hour))
	_, body = b.get("/tickets?mine=overdue")
	if !strings.Contains(body, `id="ticket-`+tid+`"`) {
		t.Fatal("my overdue does not list the request")
	}
	_, body = b.get("/tickets")
	if !strings.Contains(body, `ticket-row overdue" id="ticket-`+tid+`"`) {
		t.Fatal("the list does not mark the overdue request")
	}
	// The client card's setting.
	_, body = b.get("/clients/" + strconv.FormatInt(s.ticket.ClientID, 10))
	if !strings.Contains(body, `id="client-notify"`) || !strings.Contains(body, `value="auto" selected`) {
		t.Fatal("client card lacks the notification setting")
	}
	cid := strconv.FormatInt(s.ticket.ClientID, 10)
	if resp, _ := b.post("/clients/"+cid+"/notify", url.Values{"csrf_token": {csrf}, "notify": {"none"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("opt out: %d", resp.StatusCode)
	}
	if p, _ := s.store.Notify.ClientNotify(ctx, s.ticket.ClientID); p != notify.PreferNone {
		t.Fatalf("stored %q", p)
	}
	if resp, _ := b.post("/clients/"+cid+"/notify", url.Values{"csrf_token": {csrf}, "notify": {"pigeon"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unknown preference: %d", resp.StatusCode)
	}
	if resp, _ := b.post("/clients/999999/notify", url.Values{"csrf_token": {csrf}, "notify": {"none"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown client: %d", resp.StatusCode)
	}
}

// TestAdminSetsAUsersEmail: the admin users page sets a user's e-mail and
// refuses a malformed one.
func TestAdminSetsAUsersEmail(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t)
	b := s.browser()
	csrf := b.login("admin")
	resp, body := b.post("/admin/users", url.Values{"csrf_token": {csrf}, "login": {"mailer"}, "role": {"agent"},
		"password": {"long-enough-1"}, "email": {"not an address"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `name="email"`) {
		t.Fatalf("bad e-mail: %d", resp.StatusCode)
	}
	resp, _ = b.post("/admin/users", url.Values{"csrf_token": {csrf}, "login": {"mailer"}, "role": {"agent"},
		"password": {"long-enough-1"}, "email": {"mailer@example.ru"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	u, _, err := s.store.Users.GetUserByLogin(context.Background(), "mailer")
	if err != nil || u.Email != "mailer@example.ru" {
		t.Fatalf("stored %+v %v", u, err)
	}
	_, body = b.get(resp.Header.Get("Location"))
	if !strings.Contains(body, `value="mailer@example.ru"`) {
		t.Fatal("the user's page does not show the e-mail")
	}
}
