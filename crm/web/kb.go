package web

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-chi/chi/v5"
	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"hotline/crm"
	"hotline/crm/kb"
	"hotline/crm/service"
)

// KBPageDeps are what the knowledge base's pages need.
type KBPageDeps struct {
	KB kb.Service
	// Tickets lets a reader who came from a request say the article
	// helped with it, when they may see the request.
	Tickets TicketViewer
}

// TicketViewer finds a request and tells whether a user may see it
// (service.TicketService has it).
type TicketViewer interface {
	GetTicket(ctx context.Context, id int64) (service.Ticket, error)
	CanSeeTicket(ctx context.Context, v *service.Viewer, t service.Ticket) (bool, error)
}

// kbPages serve the knowledge base: search, read, write, edit, and "this
// helped" from a request.
type kbPages struct {
	p       *Pages
	kb      kb.Service
	tickets TicketViewer
}

// MountKB adds the knowledge base's pages and its nav link: /kb (search,
// by category and tag), /kb/{id} (the article, Markdown shown sanitised),
// /kb/new and /kb/{id}/edit (supervisors and admins), and
// POST /kb/{id}/helped (the article solved a request the user may see).
// Requests then list their solving articles.
func (p *Pages) MountKB(deps KBPageDeps) {
	kp := &kbPages{p: p, kb: deps.KB, tickets: deps.Tickets}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Get("/kb", kp.search)
		r.Get("/kb/new", kp.newForm)
		r.Post("/kb/new", kp.create)
		r.Get("/kb/{id}", kp.show)
		r.Get("/kb/{id}/edit", kp.editForm)
		r.Post("/kb/{id}/edit", kp.update)
		r.Post("/kb/{id}/helped", kp.helped)
	})
	p.AddNav(NavItem{Label: "web.nav.kb", Path: "/kb"})
	p.mu.Lock()
	p.kb = deps.KB
	p.mu.Unlock()
}

// knowledgeBase is the knowledge base when its pages are mounted (else nil).
func (p *Pages) knowledgeBase() kb.Service {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.kb
}

// ticketArticles are the articles that solved a request (none when the
// knowledge base is not mounted).
func (p *Pages) ticketArticles(r *http.Request, ticketID int64) ([]kb.Article, error) {
	if k := p.knowledgeBase(); k != nil {
		return k.TicketArticles(r.Context(), ticketID)
	}
	return nil, nil
}

// mayWriteArticles reports whether the user may write articles (as the API allows).
func mayWriteArticles(r *http.Request) bool {
	role := crm.UserFromContext(r.Context()).Role
	return role == crm.RoleSupervisor || role == crm.RoleAdmin
}

// markdown renders article bodies: CommonMark with tables, strikethrough
// and autolinks; raw HTML in the source is dropped by goldmark and the
// result is sanitised again by bluemonday, so an article cannot carry a
// script, a style or an event handler.
var (
	markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))
	sanitise = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		return p
	}()
)

// renderMarkdown is an article body as safe HTML.
func renderMarkdown(src string) (template.HTML, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return "", err
	}
	return template.HTML(sanitise.SanitizeBytes(buf.Bytes())), nil //nolint:gosec // sanitised just now
}

type articleData struct {
	Article  kb.Article
	HTML     template.HTML
	CanWrite bool
	Ticket   *service.Ticket // the request the reader came from ("this helped")
	Linked   bool            // the article is already recorded as the request's solution
}

func articleID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	return id
}

func (kp *kbPages) show(w http.ResponseWriter, r *http.Request) {
	a, err := kp.kb.GetArticle(r.Context(), articleID(r))
	if err != nil {
		kp.p.errorPage(w, r, err)
		return
	}
	d := articleData{Article: a, CanWrite: mayWriteArticles(r)}
	if d.HTML, err = renderMarkdown(a.Body); err == nil {
		d.Ticket, err = kp.fromTicket(r, r.URL.Query().Get("ticket"))
	}
	if err != nil {
		kp.p.errorPage(w, r, err)
		return
	}
	d.Linked = r.URL.Query().Get("linked") == "1"
	kp.p.render(w, r, http.StatusOK, "kb_article", "", view{Title: a.Title, Active: "/kb", Data: &d})
}

// fromTicket is the request named by id when the user may see it; "" is none.
func (kp *kbPages) fromTicket(r *http.Request, id string) (*service.Ticket, error) {
	if id == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return nil, crm.Errorf(crm.KindNotFound, "no such request")
	}
	t, err := kp.tickets.GetTicket(r.Context(), n)
	if err != nil {
		return nil, err
	}
	ok, err := kp.tickets.CanSeeTicket(r.Context(), viewerOf(r), t)
	if err == nil && !ok {
		err = crm.Errorf(crm.KindNotFound, "request %d not found", n)
	}
	return &t, err
}

// helped records that the article solved the request, then shows the request.
func (kp *kbPages) helped(w http.ResponseWriter, r *http.Request) {
	id := articleID(r)
	t, err := kp.fromTicket(r, r.PostFormValue("ticket"))
	if err == nil && t == nil {
		err = crm.Invalid("ticket", "which request did the article help with?")
	}
	if err == nil {
		uid := crm.UserFromContext(r.Context()).ID
		err = kp.kb.LinkArticle(r.Context(), t.ID, id, &uid)
		if crm.IsKind(err, crm.KindInvalid) { // a missing article, as a page
			err = crm.Errorf(crm.KindNotFound, "no article %d", id)
		}
	}
	if err != nil {
		kp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/tickets/"+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
}

// articleForm is the article editor's fields as typed.
type articleForm struct {
	ID                          int64
	Title, Body, Category, Tags string
	Lang, Visibility            string
	Categories                  []kb.Category
	Errors                      map[string]string // by field
}

func (kp *kbPages) newForm(w http.ResponseWriter, r *http.Request) {
	f := articleForm{Lang: string(loc(r).Lang()), Visibility: string(kb.VisibilityInternal)}
	kp.renderForm(w, r, http.StatusOK, &f)
}

func (kp *kbPages) editForm(w http.ResponseWriter, r *http.Request) {
	a, err := kp.kb.GetArticle(r.Context(), articleID(r))
	if err != nil {
		kp.p.errorPage(w, r, err)
		return
	}
	f := articleForm{ID: a.ID, Title: a.Title, Body: a.Body, Category: a.Category, Tags: strings.Join(a.Tags, ", "),
		Lang: string(a.Lang), Visibility: string(a.Visibility)}
	kp.renderForm(w, r, http.StatusOK, &f)
}

func (kp *kbPages) renderForm(w http.ResponseWriter, r *http.Request, status int, f *articleForm) {
	if !mayWriteArticles(r) {
		kp.p.errorPage(w, r, crm.Errorf(crm.KindForbidden, "supervisors and admins write articles"))
		return
	}
	var err error
	if f.Categories, err = kp.kb.ListCategories(r.Context()); err != nil {
		kp.p.errorPage(w, r, err)
		return
	}
	title := "pages.kb.new_title"
	if f.ID > 0 {
		title = "pages.kb.edit_title"
	}
	kp.p.render(w, r, status, "kb_form", title, view{Active: "/kb", Data: f})
}

func (kp *kbPages) create(w http.ResponseWriter, r *http.Request) { kp.save(w, r, 0) }

func (kp *kbPages) update(w http.ResponseWriter, r *http.Request) { kp.save(w, r, articleID(r)) }

// save validates the form and saves the article (a new version when it
// exists); errors go back to the form beside their fields.
func (kp *kbPages) save(w http.ResponseWriter, r *http.Request, id int64) {
	if !mayWriteArticles(r) {
		kp.p.errorPage(w, r, crm.Errorf(crm.KindForbidden, "supervisors and admins write articles"))
		return
	}
	if id > 0 {
		if _, err := kp.kb.GetArticle(r.Context(), id); err != nil {
			kp.p.errorPage(w, r, err)
			return
		}
	}
	f := articleForm{ID: id, Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		Category: strings.TrimSpace(r.PostFormValue("category")), Tags: r.PostFormValue("tags"),
		Lang: r.PostFormValue("lang"), Visibility: r.PostFormValue("visibility")}
	uid := crm.UserFromContext(r.Context()).ID
	a := kb.Article{ID: id, Title: f.Title, Body: strings.ReplaceAll(f.Body, "\r\n", "\n"), Tags: articleTags(f.Tags),
		Lang: kb.Lang(f.Lang), Visibility: kb.Visibility(f.Visibility), UpdatedBy: &uid}
	err := a.Validate()
	if err == nil && f.Category != "" {
		var cid int64
		cid, err = kp.kb.EnsureCategory(r.Context(), f.Category)
		a.CategoryID = &cid
	}
	if err == nil {
		err = kp.kb.SaveArticle(r.Context(), &a)
	}
	if field, ok := invalidField(err); ok {
		l, msg := loc(r), errorText(loc(r), err)
		if k := "pages.kb.err." + field; l.Has(k) {
			msg = l.T(k, nil)
		}
		f.Errors = map[string]string{field: msg}
		kp.renderForm(w, r, http.StatusUnprocessableEntity, &f)
		return
	}
	if err != nil {
		kp.p.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/kb/"+strconv.FormatInt(a.ID, 10), http.StatusSeeOther)
}

// articleTags reads "a, b, c" as tags, dropping empty ones and repeats.
func articleTags(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range strings.Split(s, ",") {
		t = strings.TrimSpace(t)
		if t != "" && !seen[strings.ToLower(t)] {
			seen[strings.ToLower(t)] = true
			out = append(out, t)
		}
	}
	return out
}

// invalidField is the field a validation error names.
func invalidField(err error) (string, bool) {
	var e *crm.Error
	if err == nil || !crm.IsKind(err, crm.KindInvalid) {
		return "", false
	}
	if errors.As(err, &e) && e.Field != "" {
		return e.Field, true
	}
	return "form", true
}

// anyWord makes a search that matches any of the words of s (websearch
// syntax "a or b"), best matches first: a request's subject rarely shares
// every word with the article that solves it.
func anyWord(s string) string {
	var words []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(w)) > 2 && len(words) < 20 {
			words = append(words, w)
		}
	}
	return strings.Join(words, " or ")
}

type kbData struct {
	Q    string
	Hits []kbHit
	// Titles link to articles, the list filters by category and tag,
	// writers get "New article", and a reader who came from a request
	// (Ticket) can say an article helped.
	CanWrite   bool
	Category   int64
	Tag        string
	Categories []kb.Category
	Ticket     int64
}

type kbHit struct {
	kb.Hit
	SnippetHTML template.HTML
}

// search lists the articles matching q (the newest when empty), by
// category and tag; from a request (ticket), any word of its subject.
func (kp *kbPages) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := kbData{Q: q.Get("q"), CanWrite: mayWriteArticles(r), Tag: truncateRunes(strings.TrimSpace(q.Get("tag")), 50)}
	d.Category, _ = strconv.ParseInt(q.Get("category"), 10, 64)
	d.Ticket, _ = strconv.ParseInt(q.Get("ticket"), 10, 64)
	aq := kb.ArticleQuery{Text: d.Q, Limit: 20, CategoryID: d.Category, Tag: d.Tag}
	if d.Ticket > 0 && q.Get("any") == "1" { // from a request: any word of its subject
		aq.Text = anyWord(d.Q)
	}
	var err error
	if d.Categories, err = kp.kb.ListCategories(r.Context()); err != nil {
		kp.p.errorPage(w, r, err)
		return
	}
	hits, err := kp.kb.SearchArticles(r.Context(), aq)
	if err != nil {
		if crm.IsKind(err, crm.KindInvalid) {
			kp.p.render(w, r, http.StatusUnprocessableEntity, "kb", "web.nav.kb", view{Data: d, Error: errorText(loc(r), err)})
			return
		}
		kp.p.errorPage(w, r, err)
		return
	}
	for _, h := range hits {
		// The snippet is escaped by kb.SnippetHTML; only <mark> is markup.
		d.Hits = append(d.Hits, kbHit{Hit: h, SnippetHTML: template.HTML(h.Snippet)}) //nolint:gosec
	}
	kp.p.render(w, r, http.StatusOK, "kb", "web.nav.kb", view{Data: d})
}
