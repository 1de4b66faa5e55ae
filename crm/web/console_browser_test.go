package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres"
	"hotline/crm/postgres/pgtest"
	"hotline/telephony/screenpop"
)

const consolePassword = "console-password-1"

// consoleSite is the whole web front with the console and a Popper the
// test drives like the call tracker would.
type consoleSite struct {
	store  *postgres.Services
	ts     *httptest.Server
	popper *screenpop.Popper
	hub    *screenpop.LocalHub
}

func newConsoleSite(t *testing.T, opts ...func(*screenpop.Options)) *consoleSite {
	t.Helper()
	st := pgtest.NewStore(t)
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU"})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountConsole()
	hub := screenpop.NewLocalHub(0)
	t.Cleanup(func() { _ = hub.Close() })
	cards := screenpop.NewCardBuilder(screenpop.CardSources{Clients: st.Clients, Recent: st.ScreenPop, Directory: st.ScreenPop, Routes: st.ScreenPop, Products: st.Stock})
	board := screenpop.NewLocalStatusBoard()
	po := screenpop.Options{Cards: cards, Hub: hub, Agents: st.ScreenPop, Status: board}
	for _, o := range opts {
		o(&po)
	}
	popper := screenpop.NewPopper(po)
	httpapi.RegisterScreenPop(api, httpapi.ScreenPopDeps{Hub: hub, Popper: popper, Cards: cards, Timeline: st.Clients, Status: board, Calls: st.ScreenPop})
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	ctx := context.Background()
	for _, u := range []crm.User{
		{Login: "anna", Name: "Anna Agent", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1001"}},
		{Login: "boris", Name: "Boris Agent", Role: crm.RoleAgent, Endpoints: []string{"PJSIP/1002"}},
	} {
		if _, err := auth.CreateUser(ctx, st.Users, u, consolePassword); err != nil {
			t.Fatal(err)
		}
	}
	return &consoleSite{store: st, ts: ts, popper: popper, hub: hub}
}

func signInToConsole(ctx context.Context, base, login string) error {
	return chromedp.Do(ctx,
		chromedp.Navigate(base+"/console"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), login),
		chromedp.SendKeys(chromedp.ID("password"), consolePassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#console-status.ok")),
	)
}

// TestBrowserConsolePop: agent A's phone rings from a known client's number,
// A's console shows the card with the client's name and priority while B's
// shows nothing; A answers and the timer runs; the call ends and A's wrap-up
// note lands on the client's timeline.
func TestBrowserConsolePop(t *testing.T) {
	t.Parallel()
	s := newConsoleSite(t)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	bctx, cancelB := chromedp.NewContext(tctx, chromedp.WithNewBrowserContext())
	defer cancelB()

	cl := crm.Client{Kind: crm.ClientPerson, Name: "Ivan Petrov", Company: "Acme", Priority: "VIP",
		Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: "+79161234567", Raw: "8 916 123-45-67"}}}
	if err := s.store.Clients.CreateClient(context.Background(), &cl); err != nil {
		t.Fatal(err)
	}
	if err := signInToConsole(tctx, s.ts.URL, "anna"); err != nil {
		t.Fatalf("anna signs in: %v", err)
	}
	if err := signInToConsole(bctx, s.ts.URL, "boris"); err != nil {
		t.Fatalf("boris signs in: %v", err)
	}

	pbx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.popper.Ringing(pbx, screenpop.Ringing{CallID: "1764000000.1", Endpoint: "PJSIP/1001", Caller: "89161234567", Dialled: "100"}))
	card := `.popcard[data-call-id="1764000000.1"]`
	must(chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS(card+`[data-state="ringing"] .pop-client-name`))))
	name, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(card+" .pop-client-name")))
	if err != nil || name != "Ivan Petrov" {
		t.Errorf("card client name %q: %v", name, err)
	}
	prio, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(card+" .pop-priority")))
	if err != nil || prio != "VIP" {
		t.Errorf("card priority %q: %v", prio, err)
	}
	number, _ := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(card+" .pop-number")))
	if number != "+7 916 123-45-67" { // shown nationally
		t.Errorf("card number %q", number)
	}
	time.Sleep(300 * time.Millisecond)
	cards, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll(".popcard").length`))
	if err != nil || cards != 0 {
		t.Errorf("boris sees %d cards (%v), want none", cards, err)
	}

	must(s.popper.Answered(pbx, screenpop.Answered{CallID: "1764000000.1", Endpoint: "PJSIP/1001"}))
	must(chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS(card+`[data-state="answered"]`))))
	t1, _ := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(card+" .pop-timer")))
	time.Sleep(2100 * time.Millisecond)
	t2, _ := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(card+" .pop-timer")))
	if !strings.HasPrefix(t1, "00:0") || t1 == t2 {
		t.Errorf("answered timer %q then %q: not running", t1, t2)
	}

	must(s.popper.Ended(pbx, screenpop.Ended{CallID: "1764000000.1"}))
	st, err := chromedp.Run(tctx, chromedp.Poll[string](`(function(){const v=document.getElementById("my-status-value");return v&&v.textContent==="Wrap-up"?v.textContent:null})()`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || st != "Wrap-up" {
		t.Errorf("status after the call %q: %v", st, err)
	}
	note := "Wants the invoice resent by email"
	err = chromedp.Do(tctx,
		chromedp.WaitVisible(chromedp.CSS(card+" .pop-wrap-note")),
		chromedp.SendKeys(chromedp.CSS(card+" .pop-wrap-note"), note),
		chromedp.Click(chromedp.CSS(card+" .pop-wrap-save")),
		chromedp.WaitVisible(chromedp.CSS(card+" .pop-saved")),
	)
	if err != nil {
		t.Fatalf("wrap-up: %v", err)
	}
	err = chromedp.Do(tctx,
		chromedp.Navigate(fmt.Sprintf("%s/clients/%d", s.ts.URL, cl.ID)),
		chromedp.WaitVisible(chromedp.ID("client-name")),
	)
	if err != nil {
		t.Fatalf("open client page: %v", err)
	}
	timeline, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(".events")))
	if err != nil || !strings.Contains(timeline, note) {
		t.Errorf("client timeline %q (%v) lacks the wrap-up note", timeline, err)
	}
	cards, _ = chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll(".popcard").length`))
	if cards != 0 {
		t.Errorf("boris sees %d cards after the call", cards)
	}

	// An unknown caller rings boris: the card offers the quick form with the number filled in.
	must(s.popper.Ringing(pbx, screenpop.Ringing{CallID: "1764000000.9", Endpoint: "PJSIP/1002", Caller: "+74957654321"}))
	unknown := `.popcard[data-call-id="1764000000.9"]`
	must(chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(unknown+" .pop-create"))))
	filled, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('`+unknown+` .pop-create-phone').value`))
	if err != nil || filled != "+74957654321" {
		t.Errorf("quick form phone %q: %v", filled, err)
	}
}

func TestConsolePageAccess(t *testing.T) {
	s := newConsoleSite(t)
	resp, err := http.Get(s.ts.URL + "/console")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/login" {
		t.Errorf("anonymous /console ended at %s, want the login page", resp.Request.URL.Path)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	resp, err = hc.PostForm(s.ts.URL+"/login", url.Values{"login": {"anna"}, "password": {consolePassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for path, want := range map[string]int{"/console": 200, "/console?agent=anna": 200, "/console?agent=boris": 403} {
		resp, err := hc.Get(s.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("agent GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
}
