package postgres

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/kb"
	"hotline/crm/service"
)

// Knowledge base: articles with versions, searched with PostgreSQL text
// search in the article's language ('russian' or 'english' configuration),
// ranked by ts_rank with ts_headline snippets.

const articleCols = `a.id, a.category_id, coalesce(k.name, ''), a.title, a.body, a.tags,
	CASE a.lang WHEN 'russian' THEN 'ru' ELSE 'en' END, a.visibility, a.version, a.updated_by, a.created_at, a.updated_at`

const articleFrom = ` FROM kb_articles a LEFT JOIN kb_categories k ON k.id = a.category_id`

func scanArticle(r pgx.Row, extra ...any) (kb.Article, error) {
	var a kb.Article
	dest := append([]any{&a.ID, &a.CategoryID, &a.Category, &a.Title, &a.Body, &a.Tags, &a.Lang, &a.Visibility,
		&a.Version, &a.UpdatedBy, &a.CreatedAt, &a.UpdatedAt}, extra...)
	err := r.Scan(dest...)
	return a, err
}

func pgLang(l kb.Lang) string {
	if l == kb.LangRussian {
		return "russian"
	}
	return "english"
}

// EnsureCategory returns the id of the category with this name, creating it.
func (s *KBService) EnsureCategory(ctx context.Context, name string) (int64, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return 0, crm.Invalid("category", "must be 1-100 characters")
	}
	var id int64
	err := s.db.pool.QueryRow(ctx, `WITH ins AS (INSERT INTO kb_categories (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id)
		SELECT id FROM ins UNION ALL SELECT id FROM kb_categories WHERE name = $1 LIMIT 1`, name).Scan(&id)
	return id, translate(err, "kb category")
}

// SaveArticle creates the article (ID 0) or saves a new version of it.
func (s *KBService) SaveArticle(ctx context.Context, a *kb.Article) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if a.Tags == nil {
		a.Tags = []string{}
	}
	now := s.db.now()
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if a.ID == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO kb_articles (category_id, title, body, tags, lang, visibility, updated_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id, version, created_at, updated_at`,
				a.CategoryID, a.Title, a.Body, a.Tags, pgLang(a.Lang), a.Visibility, a.UpdatedBy, now).
				Scan(&a.ID, &a.Version, &a.CreatedAt, &a.UpdatedAt)
		} else {
			err = tx.QueryRow(ctx, `UPDATE kb_articles SET category_id = $2, title = $3, body = $4, tags = $5, lang = $6,
				visibility = $7, updated_by = $8, updated_at = $9, version = version + 1 WHERE id = $1
				RETURNING version, created_at, updated_at`,
				a.ID, a.CategoryID, a.Title, a.Body, a.Tags, pgLang(a.Lang), a.Visibility, a.UpdatedBy, now).
				Scan(&a.Version, &a.CreatedAt, &a.UpdatedAt)
		}
		if err == pgx.ErrNoRows {
			return notFound("article", a.ID)
		}
		if err != nil {
			if strings.Contains(err.Error(), "category_id_fkey") {
				return crm.Invalid("category_id", "is not a known category")
			}
			return translate(err, "save article")
		}
		_, err = tx.Exec(ctx, `INSERT INTO kb_article_versions (article_id, version, title, body, edited_by, at)
			VALUES ($1, $2, $3, $4, $5, $6)`, a.ID, a.Version, a.Title, a.Body, a.UpdatedBy, now)
		return translate(err, "article version")
	})
}

// GetArticle returns an article.
func (s *KBService) GetArticle(ctx context.Context, id int64) (kb.Article, error) {
	a, err := scanArticle(s.db.pool.QueryRow(ctx, `SELECT `+articleCols+articleFrom+` WHERE a.id = $1`, id))
	if err == pgx.ErrNoRows {
		return a, notFound("article", id)
	}
	return a, translate(err, "get article")
}

// ArticleVersions returns an article's versions, newest first (title only).
func (s *KBService) ArticleVersions(ctx context.Context, id int64) ([]kb.Article, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT version, title, body, edited_by, at FROM kb_article_versions
		WHERE article_id = $1 ORDER BY version DESC`, id)
	if err != nil {
		return nil, translate(err, "article versions")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (kb.Article, error) {
		a := kb.Article{ID: id}
		err := r.Scan(&a.Version, &a.Title, &a.Body, &a.UpdatedBy, &a.UpdatedAt)
		return a, err
	})
}

// SearchArticles finds articles matching the query in Russian or English,
// best first, with highlighted snippets. An empty query lists the newest.
// Russian words go through kb_ru_forms on both sides (see migration 00260).
func (s *KBService) SearchArticles(ctx context.Context, q kb.ArticleQuery) ([]kb.Hit, error) {
	return s.searchArticles(ctx, q, `websearch_to_tsquery('russian', $1) || websearch_to_tsquery('russian', kb_ru_forms($1)) || websearch_to_tsquery('english', $1)`,
		q.Text, maxRanked)
}

// SuggestArticles finds articles whose titles match what an agent is typing
// (each word a prefix), for suggestions beside a ticket's subject.
func (s *KBService) SuggestArticles(ctx context.Context, typed string, limit int) ([]kb.Hit, error) {
	pq := kb.PrefixQuery(typed)
	if pq == "" {
		return nil, nil
	}
	return s.searchArticles(ctx, kb.ArticleQuery{Text: typed, Limit: limit},
		`to_tsquery('russian', $1) || to_tsquery('english', $1)`, pq, maxSuggested)
}

func (s *KBService) searchArticles(ctx context.Context, q kb.ArticleQuery, tsq, text string, ranked int) ([]kb.Hit, error) {
	limit := q.Limit
	if limit <= 0 || limit > 50 {
		limit = 10
	}
	if utf8.RuneCountInString(text) > 500 {
		return nil, crm.Invalid("q", "must be at most 500 characters")
	}
	args := []any{text, q.PublicOnly, q.CategoryID, q.Tag, limit}
	filter := ` AND (NOT $2 OR a.visibility = 'public') AND ($3 = 0 OR a.category_id = $3) AND ($4 = '' OR $4 = ANY(a.tags))`
	var rows pgx.Rows
	var err error
	if strings.TrimSpace(text) == "" {
		rows, err = s.db.pool.Query(ctx, `SELECT `+articleCols+`, 0::float4, left(a.body, 200)`+articleFrom+
			` WHERE $1 = ''`+filter+` ORDER BY a.updated_at DESC, a.id DESC LIMIT $5`, args...)
	} else {
		// Rank in a subquery so that ts_headline, the expensive part, runs
		// only for the page of results. A query matching more than
		// maxRanked articles ranks the first maxRanked found: it bounds the
		// latency of one-common-word searches at the cost of their order.
		rows, err = s.db.pool.Query(ctx, `WITH q AS (SELECT `+tsq+` AS q),
			found AS (SELECT a.id, a.tsv FROM kb_articles a, q WHERE a.tsv @@ q.q`+filter+` LIMIT `+strconv.Itoa(ranked)+`),
			top AS (SELECT found.id, ts_rank(found.tsv, q.q) AS rank FROM found, q ORDER BY rank DESC, found.id LIMIT $5)
			SELECT `+articleCols+`, top.rank,
				ts_headline(a.lang::regconfig, a.body, q.q, 'StartSel=`+kb.MarkStart+`, StopSel=`+kb.MarkStop+`, MaxWords=25, MinWords=8, MaxFragments=2')
			FROM top JOIN kb_articles a ON a.id = top.id LEFT JOIN kb_categories k ON k.id = a.category_id, q
			ORDER BY top.rank DESC, a.id`, args...)
	}
	if err != nil {
		return nil, translate(err, "search articles")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (kb.Hit, error) {
		var h kb.Hit
		var rank float32
		var snippet string
		a, err := scanArticle(r, &rank, &snippet)
		h.Article, h.Rank, h.Snippet = a, float64(rank), kb.SnippetHTML(snippet)
		return h, err
	})
}

// maxRanked caps how many matching articles a search ranks, maxSuggested
// how many titles a suggestion ranks.
const (
	maxRanked    = 1000
	maxSuggested = 200
)

// LinkArticle records that an article solved a ticket.
func (s *KBService) LinkArticle(ctx context.Context, ticketID, articleID int64, user *int64) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := lockTicket(ctx, tx, ticketID); err != nil {
			return err
		}
		var title string
		if err := tx.QueryRow(ctx, `SELECT title FROM kb_articles WHERE id = $1`, articleID).Scan(&title); err != nil {
			if err == pgx.ErrNoRows {
				return crm.Invalid("article_id", "article %d not found", articleID)
			}
			return translate(err, "link article")
		}
		tag, err := tx.Exec(ctx, `INSERT INTO ticket_articles (ticket_id, article_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, ticketID, articleID)
		if err != nil || tag.RowsAffected() == 0 {
			return translate(err, "link article")
		}
		return addEvent(ctx, tx, service.Event{TicketID: ticketID, At: s.db.now(), UserID: user, Kind: service.EventArticle,
			New: idText(&articleID), Body: title})
	})
}

// TicketArticles returns the articles linked to a ticket.
func (s *KBService) TicketArticles(ctx context.Context, ticketID int64) ([]kb.Article, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+articleCols+articleFrom+` JOIN ticket_articles ta ON ta.article_id = a.id
		WHERE ta.ticket_id = $1 ORDER BY a.title`, ticketID)
	if err != nil {
		return nil, translate(err, "ticket articles")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (kb.Article, error) { return scanArticle(r) })
}
