package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"hotline/crm/kb"
	"hotline/crm/service"
)

// userID is the id of a user of the site.
func (s *callSite) userID(login string) int64 {
	s.t.Helper()
	u, _, err := s.store.Users.GetUserByLogin(context.Background(), login)
	if err != nil {
		s.t.Fatal(err)
	}
	return u.ID
}

func TestKnowledgeBaseArticlePages(t *testing.T) {
	t.Parallel()
	s := newCallSite(t)
	ag := s.browser()
	agCSRF := ag.login("agent")
	for _, path := range []string{"/kb/new"} {
		if resp, _ := ag.get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("agent GET %s: %d, want 403", path, resp.StatusCode)
		}
	}
	if resp, _ := ag.post("/kb/new", url.Values{"csrf_token": {agCSRF}, "title": {"x"}, "lang": {"ru"}, "visibility": {"internal"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent writes an article: %d", resp.StatusCode)
	}
	sup := s.browser()
	csrf := sup.login("sup")
	resp, body := sup.post("/kb/new", url.Values{"csrf_token": {csrf}, "title": {"  "}, "body": {"text"}, "lang": {"ru"}, "visibility": {"internal"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-title"`) || !strings.Contains(body, "Нужен заголовок") {
		t.Fatalf("empty title: %d", resp.StatusCode)
	}
	if hits, _ := s.store.KB.SearchArticles(context.Background(), kb.ArticleQuery{}); len(hits) != 0 {
		t.Fatalf("a rejected article was saved: %+v", hits)
	}
	resp, body = sup.post("/kb/new", url.Values{"csrf_token": {csrf}, "title": {"Где найти запись разговора"}, "lang": {"ru"},
		"visibility": {"internal"}, "category": {"Телефония"}, "tags": {"записи, АТС, записи"},
		"body": {"## Порядок\n\n1. Откройте **журнал звонков**.\n2. Нажмите на звонок.\n\n<script>alert(1)</script>\n\n[ссылка](javascript:alert(2)) <img src=x onerror=alert(3)>\n\n| Срок | Где |\n|---|---|\n| 30 дней | АТС |\n"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/kb/") {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	page := resp.Header.Get("Location")
	_, body = sup.get(page)
	for _, want := range []string{"<h2>Порядок</h2>", "<strong>журнал звонков</strong>", "<td>30 дней</td>", "Телефония", ">АТС</a>", `id="edit-article"`} {
		if !strings.Contains(body, want) {
			t.Errorf("article page lacks %s", want)
		}
	}
	for _, bad := range []string{"<script>alert", "javascript:", "onerror"} {
		if strings.Contains(body, bad) {
			t.Errorf("article page carries %s", bad)
		}
	}
	resp, _ = sup.post(page+"/edit", url.Values{"csrf_token": {csrf}, "title": {"Где найти запись разговора"}, "lang": {"ru"},
		"visibility": {"public"}, "category": {"Телефония"}, "tags": {"записи"}, "body": {"Новый текст."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(page, "/kb/"), 10, 64)
	a, err := s.store.KB.GetArticle(context.Background(), id)
	if err != nil || a.Version != 2 || a.Visibility != kb.VisibilityPublic || len(a.Tags) != 1 {
		t.Errorf("after the edit: %+v %v", a, err)
	}
	if resp, _ := ag.post(page+"/edit", url.Values{"csrf_token": {agCSRF}, "title": {"x"}, "lang": {"ru"}, "visibility": {"internal"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent edits an article: %d", resp.StatusCode)
	}
	_, body = ag.get("/kb?q=записи")
	if !strings.Contains(body, `href="`+page+`"`) || strings.Contains(body, `id="new-article"`) {
		t.Error("the agent's search does not link the article, or offers writing one")
	}
	if resp, _ := sup.get("/kb/999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("no such article: %d", resp.StatusCode)
	}
}

// TestArticleHelpedWithRequest: "this helped" from a request records the
// article on it (once) and the service report counts it; a request the
// agent may not see cannot be marked.
func TestArticleHelpedWithRequest(t *testing.T) {
	t.Parallel()
	s := newCallSite(t)
	ctx := context.Background()
	agentID := s.userID("agent")
	mine := service.Ticket{ClientID: s.client, Subject: "Не слышно запись", AssigneeID: &agentID}
	other := service.Ticket{ClientID: s.client, Subject: "Чужое обращение"}
	for _, tk := range []*service.Ticket{&mine, &other} {
		if err := s.store.Tickets.CreateTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	a := kb.Article{Title: "Записи разговоров", Body: "В журнале звонков.", Lang: kb.LangRussian, Visibility: kb.VisibilityInternal}
	if err := s.store.KB.SaveArticle(ctx, &a); err != nil {
		t.Fatal(err)
	}
	ag := s.browser()
	csrf := ag.login("agent")
	_, body := ag.get("/tickets/" + strconv.FormatInt(mine.ID, 10))
	if !strings.Contains(body, `id="find-article"`) {
		t.Fatal("the request page does not offer to find an article")
	}
	art := "/kb/" + strconv.FormatInt(a.ID, 10)
	_, body = ag.get(art + "?ticket=" + strconv.FormatInt(mine.ID, 10))
	if !strings.Contains(body, `id="helped"`) {
		t.Fatal("the article opened from a request has no \"this helped\"")
	}
	if resp, _ := ag.get(art + "?ticket=" + strconv.FormatInt(other.ID, 10)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("article for another's request: %d", resp.StatusCode)
	}
	if resp, _ := ag.post(art+"/helped", url.Values{"csrf_token": {csrf}, "ticket": {strconv.FormatInt(other.ID, 10)}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("marking another's request: %d", resp.StatusCode)
	}
	resp, _ := ag.post(art+"/helped", url.Values{"csrf_token": {csrf}, "ticket": {strconv.FormatInt(mine.ID, 10)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tickets/"+strconv.FormatInt(mine.ID, 10) {
		t.Fatalf("helped: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	ag.post(art+"/helped", url.Values{"csrf_token": {csrf}, "ticket": {strconv.FormatInt(mine.ID, 10)}}) // twice: still once
	linked, err := s.store.KB.TicketArticles(ctx, mine.ID)
	if err != nil || len(linked) != 1 || linked[0].ID != a.ID {
		t.Fatalf("the request's articles: %+v %v", linked, err)
	}
	if l, _ := s.store.KB.TicketArticles(ctx, other.ID); len(l) != 0 {
		t.Errorf("the other request got %+v", l)
	}
	_, body = ag.get("/tickets/" + strconv.FormatInt(mine.ID, 10))
	if !strings.Contains(body, `<a class="tag" href="`+art+`">Записи разговоров</a>`) {
		t.Error("the request does not show the solving article")
	}
	sup := s.browser()
	sup.login("sup")
	_, body = sup.get("/reports/service?from=2020-01-01&to=2030-01-01")
	if !strings.Contains(body, `<td class="solved-by-article">1</td>`) {
		t.Error("the service report does not count the solved request")
	}
}
