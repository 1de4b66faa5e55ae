package postgres_test

import (
	"context"
	"strings"
	"testing"

	"hotline/crm"
	"hotline/crm/kb"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
)

func TestKnowledgeBaseSearchInBothLanguages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	cat, err := s.KB.EnsureCategory(ctx, "Принтеры")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.KB.EnsureCategory(ctx, "Принтеры"); again != cat {
		t.Fatalf("category created twice: %d %d", cat, again)
	}
	arts := []kb.Article{
		{CategoryID: &cat, Title: "Принтер зажёвывает бумагу", Body: "Если принтеры зажевывают листы, откройте крышку и извлеките бумагу. <script>x</script>",
			Tags: []string{"печать"}, Lang: kb.LangRussian, Visibility: kb.VisibilityPublic},
		{Title: "Сброс пароля личного кабинета", Body: "Пароль сбрасывается по ссылке из письма.", Lang: kb.LangRussian, Visibility: kb.VisibilityInternal},
		{Title: "Resetting the router password", Body: "Hold the reset button for ten seconds; the routers restart with the default password.",
			Tags: []string{"network"}, Lang: kb.LangEnglish, Visibility: kb.VisibilityPublic},
		{Title: "Paper jams in printers", Body: "Open the tray and remove the jammed paper.", Lang: kb.LangEnglish, Visibility: kb.VisibilityInternal},
	}
	for i := range arts {
		if err := s.KB.SaveArticle(ctx, &arts[i]); err != nil {
			t.Fatal(err)
		}
	}
	search := func(q kb.ArticleQuery) []kb.Hit {
		t.Helper()
		hits, err := s.KB.SearchArticles(ctx, q)
		if err != nil {
			t.Fatalf("search %q: %v", q.Text, err)
		}
		return hits
	}
	// Russian morphology: "бумаги принтера" finds "принтер ... бумагу".
	hits := search(kb.ArticleQuery{Text: "бумаги принтера"})
	if len(hits) != 1 || hits[0].Article.ID != arts[0].ID || hits[0].Rank <= 0 {
		t.Fatalf("russian search: %+v", hits)
	}
	if sn := hits[0].Snippet; !strings.Contains(sn, "<mark>") || strings.Contains(sn, "<script>") {
		t.Fatalf("russian snippet not highlighted or not escaped: %q", sn)
	}
	// English stemming: "reset routers" finds "Resetting the router".
	hits = search(kb.ArticleQuery{Text: "reset routers"})
	if len(hits) != 1 || hits[0].Article.ID != arts[2].ID || !strings.Contains(hits[0].Snippet, "<mark>") {
		t.Fatalf("english search: %+v", hits)
	}
	// Ranking: the title match outranks the body-only match.
	hits = search(kb.ArticleQuery{Text: "password"})
	if len(hits) != 1 {
		t.Fatalf("password: %+v", hits)
	}
	hits = search(kb.ArticleQuery{Text: "пароль"})
	if len(hits) != 1 || hits[0].Article.ID != arts[1].ID {
		t.Fatalf("пароль: %+v", hits)
	}
	if hits := search(kb.ArticleQuery{Text: "paper", PublicOnly: true}); len(hits) != 0 {
		t.Fatalf("internal article shown publicly: %+v", hits)
	}
	if hits := search(kb.ArticleQuery{Text: "бумагу", CategoryID: cat, Tag: "печать"}); len(hits) != 1 {
		t.Fatalf("category and tag filter: %+v", hits)
	}
	// Suggestions while typing: the last word is a prefix.
	sug, err := s.KB.SuggestArticles(ctx, "прин", 5)
	if err != nil || len(sug) != 1 || sug[0].Article.ID != arts[0].ID {
		t.Fatalf("suggest прин: %+v %v", sug, err)
	}
	sug, _ = s.KB.SuggestArticles(ctx, "paper ja", 5)
	if len(sug) != 1 || sug[0].Article.ID != arts[3].ID {
		t.Fatalf("suggest paper ja: %+v", sug)
	}
	if sug, err := s.KB.SuggestArticles(ctx, "!!! & | :*", 5); err != nil || len(sug) != 0 {
		t.Fatalf("punctuation only: %v %v", sug, err)
	}
	if _, err := s.KB.SearchArticles(ctx, kb.ArticleQuery{Text: "a & | ! (( :* <->"}); err != nil {
		t.Fatalf("operators in a web search: %v", err)
	}

	// Versions.
	a := arts[2]
	a.Body += " Then sign in again."
	if err := s.KB.SaveArticle(ctx, &a); err != nil || a.Version != 2 {
		t.Fatalf("new version %d %v", a.Version, err)
	}
	if vs, _ := s.KB.ArticleVersions(ctx, a.ID); len(vs) != 2 || vs[0].Version != 2 {
		t.Fatalf("versions %+v", vs)
	}
	bad := kb.Article{Title: "x", Lang: "de", Visibility: kb.VisibilityPublic}
	if err := s.KB.SaveArticle(ctx, &bad); !crm.IsKind(err, crm.KindInvalid) {
		t.Fatalf("bad language: %v", err)
	}

	// Linking a solving article to a ticket.
	c := mustClient(t, s, crm.Client{Name: "KB client"})
	tk := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "Jam"})
	if err := s.KB.LinkArticle(ctx, tk.ID, arts[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.KB.LinkArticle(ctx, tk.ID, arts[0].ID, nil); err != nil {
		t.Fatalf("linking twice: %v", err)
	}
	if got, _ := s.KB.TicketArticles(ctx, tk.ID); len(got) != 1 {
		t.Fatalf("ticket articles %+v", got)
	}
}
