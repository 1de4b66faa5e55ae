package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm"
	"hotline/crm/auth"
	"hotline/crm/httpapi"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/web"
	"hotline/internal/i18n"
	"hotline/telephony"
	"hotline/telephony/screenpop"
)

// TestBrowserConsoleLastsAShift: twenty calls through one agent's console
// (every fourth missed) leave the page about one screen high: live cards,
// the newest ended one whole, two shrunk and the rest in "today's calls".
// Wrap-up ends by itself after its time or at once with "Ready", and a
// call arriving during wrap-up still pops.
func TestBrowserConsoleLastsAShift(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	cat, err := i18n.Load(i18n.Options{Default: i18n.Russian, Zone: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Options{Users: st.Users, Sessions: st.Sessions, PhoneRegion: "RU", I18n: cat})
	pages, err := mountPages(api, st)
	if err != nil {
		t.Fatal(err)
	}
	pages.MountConsole()
	pages.MountCalls(web.CallPageDeps{Calls: st.Calls})
	hub := screenpop.NewLocalHub(0)
	t.Cleanup(func() { _ = hub.Close() })
	cards := screenpop.NewCardBuilder(screenpop.CardSources{Clients: st.Clients, Recent: st.ScreenPop, Directory: st.ScreenPop, Routes: st.ScreenPop, Products: st.Stock})
	const wrapUp = 6 * time.Second
	board := screenpop.WrapUpEnds(screenpop.NewLocalStatusBoard(), wrapUp, time.Now)
	popper := screenpop.NewPopper(screenpop.Options{Cards: cards, Hub: hub, Agents: st.ScreenPop, Status: board})
	httpapi.RegisterScreenPop(api, httpapi.ScreenPopDeps{Hub: hub, Popper: popper, Cards: cards, Timeline: st.Clients, Status: board, Calls: st.ScreenPop})
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	ctx := context.Background()
	if _, err := auth.CreateUser(ctx, st.Users, crm.User{Login: "vera", Name: "Вера Оператор", Role: crm.RoleAgent,
		Endpoints: []string{"PJSIP/1003"}, Language: "ru"}, consolePassword); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"Иван Петров", "Ольга Смирнова", "Пётр Кузнецов", "Анна Попова"} {
		cl := crm.Client{Kind: crm.ClientPerson, Name: name, Priority: "B",
			Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: fmt.Sprintf("+7916123450%d", i)}}}
		if err := st.Clients.CreateClient(ctx, &cl); err != nil {
			t.Fatal(err)
		}
	}

	bctx := newChrome(t)
	tctx, cancel := context.WithTimeout(bctx, 150*time.Second)
	defer cancel()
	must(t, signInToConsole(tctx, ts.URL, "vera"))

	// call plays one call through the popper (as the tracker would) and
	// the call log; answered calls end in wrap-up.
	call := func(i int, answered bool) {
		t.Helper()
		id := fmt.Sprintf("1765000000.%d", i)
		number := fmt.Sprintf("+7916123450%d", i%5)
		must(t, popper.Ringing(ctx, screenpop.Ringing{CallID: id, Endpoint: "PJSIP/1003", Caller: number, Dialled: "100"}))
		must(t, chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS(`.popcard[data-call-id="`+id+`"]`))))
		start := time.Now().Add(-time.Minute)
		c := telephony.Call{LinkedID: id, Node: "pbx1", Direction: telephony.Inbound, Caller: number, Callee: "100",
			Customer: number, Agents: []string{"vera"}, StartedAt: start, Outcome: telephony.OutcomeNoAnswer}
		if answered {
			must(t, popper.Answered(ctx, screenpop.Answered{CallID: id, Endpoint: "PJSIP/1003"}))
			ans := start.Add(5 * time.Second)
			c.Outcome, c.Agent, c.AnsweredAt, c.TalkSeconds = telephony.OutcomeAnswered, "vera", &ans, 50
		}
		end := time.Now()
		c.EndedAt = &end
		must(t, popper.Ended(ctx, screenpop.Ended{CallID: id}))
		must(t, st.Calls.SaveCalls(ctx, pgtest.CallRecords(t, []telephony.CallUpdate{{Version: 1, Call: c}}...)))
	}
	for i := 1; i <= 20; i++ {
		call(i, i%4 != 0)
	}
	must(t, chromedp.Do(tctx, chromedp.Navigate(ts.URL+"/console"), chromedp.WaitVisible(chromedp.CSS("#console-status.ok"))))
	_, err = chromedp.Run(tctx, chromedp.Poll[bool](`document.querySelectorAll("#today-rows tr").length === 20 || null`,
		chromedp.WithPollingTimeout(10*time.Second)))
	must(t, err)
	// The page was reloaded: the replayed cards are tidied the same way.
	whole, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll(".popcard:not(.compact)").length`))
	must(t, err)
	shrunk, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll(".popcard.compact").length`))
	must(t, err)
	if whole != 1 || shrunk != 2 {
		t.Errorf("after 20 calls: %d whole and %d shrunk cards, want 1 and 2", whole, shrunk)
	}
	height, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
	must(t, err)
	if height > 1080 { // about one screen: the window is 900 pixels high
		t.Errorf("after 20 calls the console is %d pixels high", height)
	}
	screenshot(t, tctx, "console-shift")

	// Call 20 was missed; call 21 is answered and ends in wrap-up, which
	// ends by itself.
	call(21, true)
	status := func(want string, within time.Duration) {
		t.Helper()
		_, err := chromedp.Run(tctx, chromedp.Poll[bool](
			`document.getElementById("my-status-value").textContent === "`+want+`" || null`, chromedp.WithPollingTimeout(within)))
		if err != nil {
			got, _ := chromedp.Run(tctx, chromedp.Text(chromedp.ID("my-status-value")))
			t.Fatalf("status %q, want %q: %v", got, want, err)
		}
	}
	status("Обработка", 10*time.Second)
	must(t, chromedp.Do(tctx, chromedp.WaitVisible(chromedp.ID("status-ready")), chromedp.WaitVisible(chromedp.ID("wrap-left"))))
	screenshot(t, tctx, "console-wrap-up")
	status("Готов", wrapUp+8*time.Second)
	if shown, _ := chromedp.Run(tctx, chromedp.Evaluate[bool](`document.getElementById("status-ready").offsetParent !== null`)); shown {
		t.Error("\"Ready\" is shown after wrap-up")
	}

	// Call 22 ends in wrap-up; a call arriving now still pops; "Ready" ends wrap-up.
	call(22, true)
	status("Обработка", 10*time.Second)
	must(t, popper.Ringing(ctx, screenpop.Ringing{CallID: "1765000000.23", Endpoint: "PJSIP/1003", Caller: "+79161234501"}))
	must(t, chromedp.Do(tctx,
		chromedp.WaitVisible(chromedp.CSS(`.popcard[data-call-id="1765000000.23"][data-state="ringing"]`)),
		chromedp.Click(chromedp.ID("status-ready")),
	))
	status("Готов", 3*time.Second)
}
