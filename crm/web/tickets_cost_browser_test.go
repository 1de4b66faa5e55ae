package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserRequestCosts: an agent logs half an hour on a request and
// picks a router by typing part of its name; the picker fills the price;
// the request shows its cost. The admin sets the agent's hourly rate.
func TestBrowserRequestCosts(t *testing.T) {
	t.Parallel()
	s := newCallSite(t)
	tk, _ := costTicket(t, s)
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	u := s.ts.URL
	must(t, chromedp.Do(tctx,
		signInAs(u, "agent"),
		chromedp.Navigate(u+"/tickets/"+strconv.FormatInt(tk.ID, 10)),
		chromedp.WaitVisible(chromedp.ID("work-form")),
		chromedp.SendKeys(chromedp.ID("work-minutes"), "30"),
		chromedp.SendKeys(chromedp.ID("work-note"), "Настроил роутер по телефону"),
		chromedp.Click(chromedp.ID("log-work")),
		chromedp.WaitVisible(chromedp.CSS("#work-lines tr.work-line")),
		chromedp.SendKeys(chromedp.ID("material-q"), "Кинет"),
		chromedp.WaitVisible(chromedp.CSS("#material-form .picker-item")),
		chromedp.Click(chromedp.CSS("#material-form .picker-item")),
	))
	price, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.getElementById("material-price").value`))
	must(t, err)
	id, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.getElementById("material-product").value`))
	must(t, err)
	if price != "4500,00" || id == "" {
		t.Errorf("the picker filled price %q and product %q", price, id)
	}
	must(t, chromedp.Do(tctx,
		chromedp.Click(chromedp.ID("add-material")),
		chromedp.WaitVisible(chromedp.CSS("#material-lines tr.material-line")),
	))
	total, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID("cost-total")))
	must(t, err)
	if total != "5\u00a0100,00\u00a0₽" { // 30 min at 1 200/h + 4 500
		t.Errorf("the request costs %q", total)
	}
	must(t, chromedp.Do(tctx, chromedp.ScrollIntoView(chromedp.ID("costs"))))
	screenshot(t, tctx, "request-costs")

	actx, cancel2 := context.WithTimeout(newChrome(t), 60*time.Second)
	defer cancel2()
	must(t, chromedp.Do(actx,
		signInAs(u, "admin"),
		chromedp.Navigate(u+"/admin/users/"+strconv.FormatInt(s.userID("agent"), 10)),
		chromedp.WaitVisible(chromedp.ID("rate-form")),
		chromedp.SendKeys(chromedp.ID("hourly-rate"), "1 800"),
		chromedp.Click(chromedp.ID("save-rate")),
		chromedp.WaitVisible(chromedp.CSS(`#hourly-rate[value^="1"]`)), // the page after saving shows the rate
	))
	c, err := s.store.Tickets.TicketCost(context.Background(), tk.ID)
	if err != nil || len(c.Work) != 1 || c.Work[0].Rate != 1800_00 || !strings.Contains(c.Work[0].Note, "роутер") {
		t.Errorf("after the rate change: %+v %v", c.Work, err)
	}
}
