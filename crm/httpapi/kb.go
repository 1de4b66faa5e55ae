package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm/kb"
)

// ArticleJSON is a knowledge-base article.
type ArticleJSON struct {
	ID         int64     `json:"id"`
	CategoryID *int64    `json:"category_id,omitempty"`
	Category   string    `json:"category,omitempty"`
	Title      string    `json:"title"`
	Body       string    `json:"body"`
	Tags       []string  `json:"tags"`
	Lang       string    `json:"lang"`
	Visibility string    `json:"visibility"`
	Version    int       `json:"version"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func articleJSON(a kb.Article) ArticleJSON {
	tags := a.Tags
	if tags == nil {
		tags = []string{}
	}
	return ArticleJSON{ID: a.ID, CategoryID: a.CategoryID, Category: a.Category, Title: a.Title, Body: a.Body, Tags: tags,
		Lang: string(a.Lang), Visibility: string(a.Visibility), Version: a.Version, UpdatedAt: a.UpdatedAt}
}

// ArticleBodyJSON creates or changes an article.
type ArticleBodyJSON struct {
	Title      string   `json:"title" minLength:"1" maxLength:"300"`
	Body       string   `json:"body" maxLength:"200000"`
	Category   string   `json:"category,omitempty" maxLength:"100" doc:"created when new"`
	Tags       []string `json:"tags,omitempty" maxItems:"30"`
	Lang       string   `json:"lang" enum:"ru,en"`
	Visibility string   `json:"visibility" enum:"internal,public"`
}

// HitJSON is a search result; snippet is HTML with matches in <mark>.
type HitJSON struct {
	Article ArticleJSON `json:"article"`
	Rank    float64     `json:"rank"`
	Snippet string      `json:"snippet"`
}

// ArticleVersionsJSON is an article with its version list.
type ArticleVersionsJSON struct {
	ArticleJSON
	Versions []ArticleJSON `json:"versions"`
}

type articleSearchInput struct {
	Q          string `query:"q" maxLength:"500"`
	CategoryID int64  `query:"category_id" minimum:"0"`
	Tag        string `query:"tag" maxLength:"50"`
	Public     bool   `query:"public" doc:"only articles customers may see"`
	Limit      int    `query:"limit" minimum:"0" maximum:"50"`
}

type articleSuggestInput struct {
	Q string `query:"q" maxLength:"300"`
}

type articleIDInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type articleCreateInput struct{ Body ArticleBodyJSON }

type articleUpdateInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body ArticleBodyJSON
}

type hitsOutput struct {
	Body struct {
		Hits []HitJSON `json:"hits"`
	}
}

type articleOutput struct{ Body ArticleJSON }

type articleVersionsOutput struct{ Body ArticleVersionsJSON }

// KBDeps are what the knowledge base's operations need.
type KBDeps struct {
	KB     kb.Service
	Logger *slog.Logger // the server's when nil
}

// kbHandlers serve the knowledge base's operations.
type kbHandlers struct {
	kb  kb.Service
	log *slog.Logger
}

// RegisterKB adds the knowledge base's operations: search, suggestions
// and one article with its versions (every role); writing and editing
// (supervisors and admins).
func RegisterKB(api *Server, deps KBDeps) {
	if deps.Logger == nil {
		deps.Logger = api.log
	}
	h := kbHandlers{kb: deps.KB, log: deps.Logger}
	a, tags := api.API(), []string{"knowledge base"}
	Register(a, AnyRole, huma.Operation{OperationID: "search-articles", Method: http.MethodGet, Path: "/api/v1/kb/articles",
		Tags: tags, Summary: "Search the knowledge base (Russian and English), best first, with highlighted snippets"}, h.search)
	Register(a, AnyRole, huma.Operation{OperationID: "suggest-articles", Method: http.MethodGet, Path: "/api/v1/kb/suggest",
		Tags: tags, Summary: "Articles for a ticket subject being typed (each word a prefix)"}, h.suggest)
	Register(a, AnyRole, huma.Operation{OperationID: "get-article", Method: http.MethodGet, Path: "/api/v1/kb/articles/{id}",
		Tags: tags, Summary: "One article with its version list"}, h.get)
	Register(a, SupervisorOrAdmin, huma.Operation{OperationID: "create-article", Method: http.MethodPost, Path: "/api/v1/kb/articles",
		Tags: tags, Summary: "Write an article", DefaultStatus: http.StatusCreated}, h.create)
	Register(a, SupervisorOrAdmin, huma.Operation{OperationID: "update-article", Method: http.MethodPut, Path: "/api/v1/kb/articles/{id}",
		Tags: tags, Summary: "Save a new version of an article"}, h.update)
}

func (h kbHandlers) search(ctx context.Context, in *articleSearchInput) (*hitsOutput, error) {
	hits, err := h.kb.SearchArticles(ctx, kb.ArticleQuery{Text: in.Q, CategoryID: in.CategoryID, Tag: in.Tag,
		PublicOnly: in.Public, Limit: in.Limit})
	if err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	return hitsJSON(hits), nil
}

func (h kbHandlers) suggest(ctx context.Context, in *articleSuggestInput) (*hitsOutput, error) {
	hits, err := h.kb.SuggestArticles(ctx, in.Q, 5)
	if err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	return hitsJSON(hits), nil
}

func (h kbHandlers) get(ctx context.Context, in *articleIDInput) (*articleVersionsOutput, error) {
	a, err := h.kb.GetArticle(ctx, in.ID)
	if err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	vs, err := h.kb.ArticleVersions(ctx, in.ID)
	if err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	out := &articleVersionsOutput{Body: ArticleVersionsJSON{ArticleJSON: articleJSON(a), Versions: []ArticleJSON{}}}
	for _, v := range vs {
		out.Body.Versions = append(out.Body.Versions, articleJSON(v))
	}
	return out, nil
}

func (h kbHandlers) create(ctx context.Context, in *articleCreateInput) (*articleOutput, error) {
	return h.save(ctx, 0, in.Body)
}

func (h kbHandlers) update(ctx context.Context, in *articleUpdateInput) (*articleOutput, error) {
	return h.save(ctx, in.ID, in.Body)
}

// save creates (id 0) or changes an article, creating its category when
// new, and answers with the article as stored.
func (h kbHandlers) save(ctx context.Context, id int64, b ArticleBodyJSON) (*articleOutput, error) {
	a := kb.Article{ID: id, Title: b.Title, Body: b.Body, Tags: b.Tags, Lang: kb.Lang(b.Lang),
		Visibility: kb.Visibility(b.Visibility), UpdatedBy: actorID(ctx)}
	if b.Category != "" {
		cid, err := h.kb.EnsureCategory(ctx, b.Category)
		if err != nil {
			return nil, problemFor(ctx, h.log, err)
		}
		a.CategoryID = &cid
	}
	if err := h.kb.SaveArticle(ctx, &a); err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	got, err := h.kb.GetArticle(ctx, a.ID)
	if err != nil {
		return nil, problemFor(ctx, h.log, err)
	}
	return &articleOutput{Body: articleJSON(got)}, nil
}

func hitsJSON(hits []kb.Hit) *hitsOutput {
	out := &hitsOutput{}
	out.Body.Hits = make([]HitJSON, 0, len(hits))
	for _, h := range hits {
		out.Body.Hits = append(out.Body.Hits, HitJSON{Article: articleJSON(h.Article), Rank: h.Rank, Snippet: h.Snippet})
	}
	return out
}
