package kb

import "context"

// Service keeps the knowledge base: articles and their versions, their
// categories, search, and the articles linked to requests (crm/postgres).
type Service interface {
	// SaveArticle creates the article (ID 0) or saves a new version of it.
	SaveArticle(ctx context.Context, a *Article) error
	// GetArticle returns an article.
	GetArticle(ctx context.Context, id int64) (Article, error)
	// ArticleVersions returns an article's versions, newest first.
	ArticleVersions(ctx context.Context, id int64) ([]Article, error)
	// SearchArticles finds articles, best first, with highlighted snippets.
	SearchArticles(ctx context.Context, q ArticleQuery) ([]Hit, error)
	// SuggestArticles finds articles whose titles start with what is typed.
	SuggestArticles(ctx context.Context, typed string, limit int) ([]Hit, error)
	// EnsureCategory returns the id of the category with this name, creating it.
	EnsureCategory(ctx context.Context, name string) (int64, error)
	// ListCategories returns the categories by name with their article counts.
	ListCategories(ctx context.Context) ([]Category, error)
	// LinkArticle records that an article solved a request.
	LinkArticle(ctx context.Context, ticketID, articleID int64, user *int64) error
	// TicketArticles returns the articles linked to a request.
	TicketArticles(ctx context.Context, ticketID int64) ([]Article, error)
}
