package web_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/notify"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
	"hotline/crm/web"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// notifySite is the service desk with notifications as `hotline serve`
// mounts them, on a store whose clock the test moves, with a team whose
// lead is "lead" and whose member "agent" owns a request.
type notifySite struct {
	store  *postgres.Services
	ts     *httptest.Server
	clock  *testClock
	ticket service.Ticket
	lead   crm.User
}

func newNotifySite(t *testing.T) *notifySite {
	t.Helper()
	ctx := context.Background()
	msk, _ := time.LoadLocation("Europe/Moscow")
	clk := &testClock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, msk)}
	st := pgtest.Open(t, pgtest.NewDSN(t), postgres.Options{Now: clk.Now})
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	deskAPI := ticketAPI(st)
	deskAPI.Products, deskAPI.Now = nil, clk.Now
	httpapi.RegisterTickets(api, deskAPI)
	pages.MountTickets(ticketPageDeps(st, false))
	httpapi.RegisterNotifications(api, httpapi.NotificationDeps{Notices: st.Notify, Notify: st.Notify})
	bell := notify.NewBell()
	httpapi.RegisterBell(api, httpapi.BellDeps{Notices: st.Notify, Bell: bell})
	pages.MountNotify(web.NotifyPageDeps{Notices: st.Notify, Notify: st.Notify})
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = st.Notify.ListenNotifications(lctx, bell.Wake) }()
	t.Cleanup(func() { cancel(); <-done })
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)

	lead, err := auth.CreateUser(ctx, st.Users, crm.User{Login: "lead", Name: "Ольга Руководитель", Role: crm.RoleSupervisor, Language: "ru"}, adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	agent, err := auth.CreateUser(ctx, st.Users, crm.User{Login: "agent", Name: "Иван Агент", Role: crm.RoleAgent}, adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	team := service.Team{Name: "Первая линия", LeadID: &lead.ID, Members: []int64{agent.ID}}
	if err := st.Teams.CreateTeam(ctx, &team); err != nil {
		t.Fatal(err)
	}
	c := crm.Client{Name: "ООО Вектор", Priority: "A"} // high: 1h response, 8h resolution
	if err := st.Clients.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	tk := service.Ticket{ClientID: c.ID, Subject: "Не работает АТС", TeamID: &team.ID, AssigneeID: &agent.ID}
	if err := st.Tickets.CreateTicket(ctx, &tk); err != nil {
		t.Fatal(err)
	}
	return &notifySite{store: st, ts: ts, clock: clk, ticket: tk, lead: lead}
}

// TestBrowserEscalationRingsTheNewOwnersBell: the team lead has Hotline
// open; when the request's level-2 escalation reassigns it to them, their
// bell rings at once, without a reload, and the notifications page names
// the request, in Russian.
func TestBrowserEscalationRingsTheNewOwnersBell(t *testing.T) {
	t.Parallel()
	s := newNotifySite(t)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	u := s.ts.URL
	err := chromedp.Do(tctx,
		chromedp.Navigate(u+"/tickets"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "lead"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("tickets")),
		chromedp.WaitReady(chromedp.CSS(`#bell[data-unread]`)), // the socket answered (the title is in the page from the start)
	)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if unread, err := chromedp.Run(tctx, chromedp.AttributeValue(chromedp.ID("bell"), "data-unread")); err != nil || unread.Value != "0" {
		t.Fatalf("unread before the escalation %q: %v", unread.Value, err)
	}
	// The next day the resolution target has passed: level 2 reassigns
	// the request to the lead.
	s.clock.Set(s.clock.Now().Add(26 * time.Hour))
	esc := service.NewEscalator(service.EscalatorOptions{Store: s.store.Tickets, Now: s.clock.Now})
	if _, err := esc.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, _ := s.store.Tickets.GetTicket(context.Background(), s.ticket.ID)
	if got.AssigneeID == nil || *got.AssigneeID != s.lead.ID {
		t.Fatalf("the request was not reassigned to the lead: %+v", got.AssigneeID)
	}
	if err := chromedp.Do(tctx, chromedp.WaitVisible(chromedp.ID("bell-count"))); err != nil {
		t.Fatalf("the bell did not ring: %v", err)
	}
	count, _ := chromedp.Run(tctx, chromedp.Text(chromedp.ID("bell-count")))
	label, _ := chromedp.Run(tctx, chromedp.AttributeValue(chromedp.ID("bell"), "aria-label"))
	if n, _ := strconv.Atoi(count); n < 1 || !strings.Contains(label.Value, "непрочитанн") {
		t.Fatalf("bell shows %q, label %q", count, label.Value)
	}
	err = chromedp.Do(tctx,
		chromedp.Click(chromedp.ID("bell")),
		chromedp.WaitVisible(chromedp.ID("notices")),
	)
	if err != nil {
		t.Fatalf("notifications page: %v", err)
	}
	shot, _ := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if dir := os.Getenv("HOTLINE_SCREENSHOTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "notifications.png"), shot, 0o644)
	}
	text, _ := chromedp.Run(tctx, chromedp.Text(chromedp.ID("notices")))
	want := "Заявка №" + strconv.FormatInt(s.ticket.ID, 10) + " «Не работает АТС»: эскалация, уровень 2"
	if !strings.Contains(text, want) {
		t.Fatalf("notifications %q lack %q", text, want)
	}
	// Reading them all puts the bell out.
	err = chromedp.Do(tctx,
		chromedp.Click(chromedp.ID("mark-all-read")),
		chromedp.WaitNotPresent(chromedp.ID("mark-all-read")),
		chromedp.WaitReady(chromedp.CSS(`#bell[data-unread="0"]`)),
	)
	if err != nil {
		t.Fatalf("mark read: %v", err)
	}
}
