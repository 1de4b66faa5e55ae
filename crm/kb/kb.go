// Package kb is the knowledge base: articles in Russian or English with
// their versions and categories, how they are searched, and the Service a
// store offers for them (crm/postgres). Agents read articles beside a
// request and mark the one that solved it.
package kb

import (
	"html"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"hotline/crm"
)

// Lang is an article's language; it selects the text-search configuration.
type Lang string

// The languages the knowledge base searches.
const (
	LangRussian Lang = "ru"
	LangEnglish Lang = "en"
)

// Visibility says who may read an article.
type Visibility string

// The visibilities.
const (
	VisibilityInternal Visibility = "internal" // agents only
	VisibilityPublic   Visibility = "public"   // may be shown to customers
)

// Article is a knowledge-base article. Every save makes a new version.
type Article struct {
	ID         int64
	CategoryID *int64
	Category   string
	Title      string
	Body       string
	Tags       []string
	Lang       Lang
	Visibility Visibility
	Version    int
	UpdatedBy  *int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Validate checks and tidies the article.
func (a *Article) Validate() error {
	a.Title = strings.TrimSpace(a.Title)
	switch {
	case a.Title == "" || utf8.RuneCountInString(a.Title) > 300 || !crm.ValidText(a.Title):
		return crm.Invalid("title", "must be 1-300 characters")
	case utf8.RuneCountInString(a.Body) > 200000 || !crm.ValidText(a.Body):
		return crm.Invalid("body", "must be at most 200000 characters of text")
	case a.Lang != LangRussian && a.Lang != LangEnglish:
		return crm.Invalid("lang", "must be ru or en")
	case a.Visibility != VisibilityInternal && a.Visibility != VisibilityPublic:
		return crm.Invalid("visibility", "must be internal or public")
	case len(a.Tags) > 30:
		return crm.Invalid("tags", "at most 30 tags")
	}
	for i, t := range a.Tags {
		a.Tags[i] = strings.TrimSpace(t)
		if a.Tags[i] == "" || utf8.RuneCountInString(a.Tags[i]) > 50 || !crm.ValidText(t) {
			return crm.Invalid("tags", "each tag must be 1-50 characters")
		}
	}
	return nil
}

// ArticleQuery searches the knowledge base: Text in either language (empty
// lists the newest), narrowed by category, tag and visibility.
type ArticleQuery struct {
	Text       string
	PublicOnly bool
	CategoryID int64
	Tag        string
	Limit      int
}

// Hit is a search result: the article, its rank and a highlighted snippet
// as safe HTML (the text escaped, matches in <mark>).
type Hit struct {
	Article Article
	Rank    float64
	Snippet string
}

// Highlight markers the store asks ts_headline to put around matches:
// private-use characters that never occur in typed text.
const (
	MarkStart = "\uE000"
	MarkStop  = "\uE001"
)

// SnippetHTML escapes a ts_headline fragment and turns the markers into <mark>.
func SnippetHTML(raw string) string {
	raw = strings.ReplaceAll(strings.ReplaceAll(raw, "<mark>", ""), "</mark>", "")
	s := html.EscapeString(raw)
	return strings.NewReplacer(MarkStart, "<mark>", MarkStop, "</mark>").Replace(s)
}

var wordRe = regexp.MustCompile(`[\p{L}\p{N}]+`)

// PrefixQuery turns what an agent is typing into a to_tsquery text that
// matches titles (weight A) starting with every word
// ("принтер зажев" → "принтер:*A & зажев:*A").
// It returns "" when nothing searchable was typed.
func PrefixQuery(typed string) string {
	words := wordRe.FindAllString(strings.ToLower(typed), -1)
	if len(words) > 8 {
		words = words[len(words)-8:]
	}
	for i := range words {
		words[i] += ":*A"
	}
	return strings.Join(words, " & ")
}
