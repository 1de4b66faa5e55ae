package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hotline/crm/service"
)

// TestBrowserKnowledgeBase: a supervisor writes an article in Russian; an
// agent working a request searches with another form of its words, opens
// it from the request and says it helped; the request shows the article.
func TestBrowserKnowledgeBase(t *testing.T) {
	t.Parallel()
	s := newCallSite(t)
	agentID := s.userID("agent")
	tk := service.Ticket{ClientID: s.client, Subject: "Клиент просит записи разговоров", AssigneeID: &agentID}
	if err := s.store.Tickets.CreateTicket(context.Background(), &tk); err != nil {
		t.Fatal(err)
	}
	ctx := newChrome(t)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	u := s.ts.URL
	must(t, chromedp.Do(tctx,
		signInAs(u, "sup"),
		chromedp.Navigate(u+"/kb"),
		chromedp.WaitVisible(chromedp.ID("new-article")),
		chromedp.Click(chromedp.ID("new-article")),
		chromedp.WaitVisible(chromedp.ID("article-form")),
		chromedp.Click(chromedp.ID("save-article")), // no title
		chromedp.WaitVisible(chromedp.ID("err-title")),
		chromedp.SendKeys(chromedp.ID("a-title"), "Как получить запись разговора"),
		chromedp.SendKeys(chromedp.ID("a-category"), "Телефония"),
		chromedp.SendKeys(chromedp.ID("a-tags"), "АТС, записи"),
		chromedp.SendKeys(chromedp.ID("a-body"), "Запись хранится **30 дней**.\n\n1. Откройте журнал звонков.\n2. Выберите звонок.\n"),
		chromedp.Click(chromedp.ID("save-article")),
		chromedp.WaitVisible(chromedp.ID("article-body")),
	))
	bold, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("#article-body strong")))
	must(t, err)
	if bold != "30 дней" {
		t.Errorf("Markdown bold reads %q", bold)
	}
	screenshot(t, tctx, "kb-article")

	actx, cancel2 := context.WithTimeout(newChrome(t), 60*time.Second)
	defer cancel2()
	must(t, chromedp.Do(actx,
		signInAs(u, "agent"),
		chromedp.Navigate(u+"/tickets/"+strconv.FormatInt(tk.ID, 10)),
		chromedp.WaitVisible(chromedp.ID("find-article")),
		chromedp.Click(chromedp.ID("find-article")),
		chromedp.WaitVisible(chromedp.ID("kb-for-ticket")),
	))
	// The subject says "записи", the article "запись": the search finds it.
	must(t, chromedp.Do(actx,
		chromedp.WaitVisible(chromedp.CSS(".kb-hit a.article-link")),
		chromedp.Click(chromedp.CSS(".kb-hit a.article-link")),
		chromedp.WaitVisible(chromedp.ID("helped")),
	))
	screenshot(t, actx, "kb-helped")
	must(t, chromedp.Do(actx,
		chromedp.Click(chromedp.ID("helped")),
		chromedp.WaitVisible(chromedp.CSS("#solved-by a.tag")),
	))
	solved, err := chromedp.Run(actx, chromedp.Text(chromedp.CSS("#solved-by a.tag")))
	must(t, err)
	if !strings.Contains(solved, "Как получить запись разговора") {
		t.Errorf("the request is solved by %q", solved)
	}
	// And a search typed with yet another form.
	must(t, chromedp.Do(actx,
		chromedp.Navigate(u+"/kb"),
		chromedp.WaitVisible(chromedp.ID("kb-q")),
		chromedp.SendKeys(chromedp.ID("kb-q"), "записей"),
		chromedp.Click(chromedp.ID("kb-search")),
		chromedp.WaitVisible(chromedp.CSS(`#kb-q[value="записей"]`)), // the results page, not the list before
		chromedp.WaitVisible(chromedp.CSS(".kb-hit")),
	))
	n, err := chromedp.Run(actx, chromedp.Evaluate[int](`document.querySelectorAll(".kb-hit").length`))
	must(t, err)
	if n != 1 {
		t.Errorf("\"записей\" finds %d articles, want 1", n)
	}
}
