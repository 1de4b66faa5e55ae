package httpapi

import (
	"context"
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

// ArticleBody creates or changes an article.
type ArticleBody struct {
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

type hitsOutput struct {
	Body struct {
		Hits []HitJSON `json:"hits"`
	}
}

func hitsJSON(hits []kb.Hit) *hitsOutput {
	out := &hitsOutput{}
	out.Body.Hits = make([]HitJSON, 0, len(hits))
	for _, h := range hits {
		out.Body.Hits = append(out.Body.Hits, HitJSON{Article: articleJSON(h.Article), Rank: h.Rank, Snippet: h.Snippet})
	}
	return out
}

func (s *ticketsAPI) saveArticle(ctx context.Context, id int64, b ArticleBody) (*struct{ Body ArticleJSON }, error) {
	a := kb.Article{ID: id, Title: b.Title, Body: b.Body, Tags: b.Tags, Lang: kb.Lang(b.Lang),
		Visibility: kb.Visibility(b.Visibility), UpdatedBy: actorID(ctx)}
	if b.Category != "" {
		cid, err := s.store.EnsureCategory(ctx, b.Category)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		a.CategoryID = &cid
	}
	if err := s.store.SaveArticle(ctx, &a); err != nil {
		return nil, s.problem(ctx, err)
	}
	got, err := s.store.GetArticle(ctx, a.ID)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &struct{ Body ArticleJSON }{articleJSON(got)}, nil
}

func (s *ticketsAPI) registerKB(api huma.API) {
	tags := []string{"knowledge base"}
	Register(api, AnyRole, huma.Operation{OperationID: "search-articles", Method: http.MethodGet, Path: "/api/v1/kb/articles",
		Tags: tags, Summary: "Search the knowledge base (Russian and English), best first, with highlighted snippets"},
		func(ctx context.Context, in *struct {
			Q          string `query:"q" maxLength:"500"`
			CategoryID int64  `query:"category_id" minimum:"0"`
			Tag        string `query:"tag" maxLength:"50"`
			Public     bool   `query:"public" doc:"only articles customers may see"`
			Limit      int    `query:"limit" minimum:"0" maximum:"50"`
		}) (*hitsOutput, error) {
			hits, err := s.store.SearchArticles(ctx, kb.ArticleQuery{Text: in.Q, CategoryID: in.CategoryID, Tag: in.Tag,
				PublicOnly: in.Public, Limit: in.Limit})
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return hitsJSON(hits), nil
		})
	Register(api, AnyRole, huma.Operation{OperationID: "suggest-articles", Method: http.MethodGet, Path: "/api/v1/kb/suggest",
		Tags: tags, Summary: "Articles for a ticket subject being typed (each word a prefix)"},
		func(ctx context.Context, in *struct {
			Q string `query:"q" maxLength:"300"`
		}) (*hitsOutput, error) {
			hits, err := s.store.SuggestArticles(ctx, in.Q, 5)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return hitsJSON(hits), nil
		})
	Register(api, AnyRole, huma.Operation{OperationID: "get-article", Method: http.MethodGet, Path: "/api/v1/kb/articles/{id}",
		Tags: tags, Summary: "One article with its version list"},
		func(ctx context.Context, in *ticketIDInput) (*struct {
			Body struct {
				ArticleJSON
				Versions []ArticleJSON `json:"versions"`
			}
		}, error) {
			a, err := s.store.GetArticle(ctx, in.ID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			vs, err := s.store.ArticleVersions(ctx, in.ID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &struct {
				Body struct {
					ArticleJSON
					Versions []ArticleJSON `json:"versions"`
				}
			}{}
			out.Body.ArticleJSON = articleJSON(a)
			out.Body.Versions = []ArticleJSON{}
			for _, v := range vs {
				out.Body.Versions = append(out.Body.Versions, articleJSON(v))
			}
			return out, nil
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "create-article", Method: http.MethodPost, Path: "/api/v1/kb/articles",
		Tags: tags, Summary: "Write an article", DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct{ Body ArticleBody }) (*struct{ Body ArticleJSON }, error) {
			return s.saveArticle(ctx, 0, in.Body)
		})
	Register(api, SupervisorOrAdmin, huma.Operation{OperationID: "update-article", Method: http.MethodPut, Path: "/api/v1/kb/articles/{id}",
		Tags: tags, Summary: "Save a new version of an article"},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id" minimum:"1"`
			Body ArticleBody
		}) (*struct{ Body ArticleJSON }, error) {
			return s.saveArticle(ctx, in.ID, in.Body)
		})
}
