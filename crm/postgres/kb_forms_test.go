package postgres_test

import (
	"context"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/kb"
	"hotline/crm/postgres/pgtest"
	"hotline/crm/service"
)

// TestKnowledgeBaseRussianWordForms: the 'russian' configuration stems
// the article and the query alike, so any form of a word finds any other.
func TestKnowledgeBaseRussianWordForms(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := pgtest.NewStore(t)
	arts := map[string]*kb.Article{
		"записи":   {Title: "Где хранятся записи разговоров", Body: "Записи лежат в архиве АТС тридцать дней.", Lang: kb.LangRussian, Visibility: kb.VisibilityInternal},
		"телефон":  {Title: "Настройка телефона оператора", Body: "Подключите телефон к сети и войдите под своим номером.", Lang: kb.LangRussian, Visibility: kb.VisibilityInternal},
		"счетов":   {Title: "Повторная отправка счёта", Body: "Счета отправляются клиенту по электронной почте.", Lang: kb.LangRussian, Visibility: kb.VisibilityPublic},
		"доставки": {Title: "Сроки доставки", Body: "Доставка по Москве занимает один день.", Lang: kb.LangRussian, Visibility: kb.VisibilityPublic},
	}
	for _, a := range arts {
		if err := s.KB.SaveArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		query, want string
	}{
		{"запись", "записи"},     // singular finds the plural of the title
		{"записи", "записи"},     // the form in the text
		{"записей", "записи"},    // genitive plural
		{"записям", "записи"},    // dative plural
		{"телефоны", "телефон"},  // plural finds the singular of the body
		{"телефон", "телефон"},   // and the other way
		{"телефонов", "телефон"}, // genitive plural
		{"телефоном", "телефон"}, // instrumental
		{"счёт", "счетов"},       // ё in the query, ё in the title
		{"счета", "счетов"},      // plural in the body
		{"доставка", "доставки"}, // nominative finds the genitive title
		{"доставкой", "доставки"},
	} {
		hits, err := s.KB.SearchArticles(ctx, kb.ArticleQuery{Text: tc.query})
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if len(hits) != 1 || hits[0].Article.ID != arts[tc.want].ID {
			var got []string
			for _, h := range hits {
				got = append(got, h.Article.Title)
			}
			t.Errorf("%q finds %q, want %q", tc.query, got, arts[tc.want].Title)
		}
	}
}

// TestServiceReportCountsSolvingArticles: a request an article solved
// ("this helped") is counted in the service report.
func TestServiceReportCountsSolvingArticles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &deskClock{t: mskTime("2026-11-26 09:00")}
	s := openDesk(t, pgtest.NewDSN(t), clk)
	anna := mustUser(t, s, "anna", crm.RoleAgent)
	c := mustClient(t, s, crm.Client{Name: "Report client"})
	t1 := mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "one", AssigneeID: &anna.ID})
	mustTicket(t, s, service.Ticket{ClientID: c.ID, Subject: "two", AssigneeID: &anna.ID})
	a := kb.Article{Title: "Как перезагрузить роутер", Lang: kb.LangRussian, Visibility: kb.VisibilityPublic}
	if err := s.KB.SaveArticle(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if err := s.KB.LinkArticle(ctx, t1.ID, a.ID, &anna.ID); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Tickets.ServiceReport(ctx, service.ReportFilter{From: mskTime("2026-11-26 00:00"), To: mskTime("2026-11-26 00:00").Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Handled != 2 || rows[0].SolvedByArticle != 1 {
		t.Fatalf("report rows %+v, want 2 handled, 1 solved by an article", rows)
	}
}
