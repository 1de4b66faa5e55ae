package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/telephony"
)

// TestBrowserWallboardMovesWithCalls signs a supervisor in through the login
// form, opens the wallboard and checks that it follows a call that rings
// alice and is abandoned, without reloading the page.
func TestBrowserWallboardMovesWithCalls(t *testing.T) {
	t.Parallel()
	s := newSupervisorSite(t)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	err := chromedp.Do(tctx,
		chromedp.Navigate(s.ts.URL+"/wallboard"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login"), "sup"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#wb-status[data-state="live"]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-agent="alice"] [data-state="idle"]`)),
	)
	if err != nil {
		t.Fatalf("open the wallboard: %v", err)
	}
	events := ringAlice(time.Now().Add(-3 * time.Second))
	for _, e := range events {
		s.board.Observe(e)
	}
	err = chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS(`tr[data-agent="alice"] [data-state="ringing"]`)))
	if err != nil {
		t.Fatalf("alice never shown ringing: %v", err)
	}
	waiting, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID("wb-waiting")))
	if err != nil || waiting != "1" {
		t.Fatalf("waiting = %q, %v", waiting, err)
	}
	// the rows the socket rebuilt show names, the login as tooltip
	agent := chromedp.CSS(`tr[data-agent="alice"] td.wb-agent`)
	name, err := chromedp.Run(tctx, chromedp.Text(agent))
	if err != nil || name != "Alice Archer alice" {
		t.Errorf("alice's Agent cell = %q, %v; want her name and login", name, err)
	}
	title, err := chromedp.Run(tctx, chromedp.AttributeValue(agent, "title"))
	if err != nil || title.Value != "alice" {
		t.Errorf("alice's Agent cell title = %+v, %v", title, err)
	}
	bob, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(`tr[data-agent="bob"] td.wb-agent`)))
	if err != nil || bob != "bob" {
		t.Errorf("bob's Agent cell = %q, %v; want the login (no user)", bob, err)
	}
	ended := events[1]
	ended.Kind, ended.At = telephony.EventCallEnded, time.Now()
	ended.Call.EndedAt, ended.Call.Outcome = &ended.At, telephony.OutcomeAbandoned
	for i := range ended.Call.Legs {
		ended.Call.Legs[i].EndedAt = &ended.At
	}
	s.board.Observe(ended)
	err = chromedp.Do(tctx,
		chromedp.WaitVisible(chromedp.CSS(`tr[data-agent="alice"] [data-state="idle"]`)),
	)
	if err != nil {
		t.Fatalf("alice never back to idle: %v", err)
	}
	for id, want := range map[string]string{"wb-waiting": "0", "wb-missed": "1", "wb-calls": "1"} {
		got, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID(id)))
		if err != nil || got != want {
			t.Errorf("#%s = %q (%v), want %q", id, got, err, want)
		}
	}
}
