package web

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// DocumentPageDeps are what the document library pages need.
type DocumentPageDeps struct {
	Documents resource.DocumentService
	// Teams lists the teams a document may be granted to.
	Teams interface {
		ListTeams(ctx context.Context) ([]service.Team, error)
	}
	// MaxSize caps one file (0: resource.DefaultMaxDocument, 10 MiB).
	MaxSize int
	// Now is the clock templates are filled at (time.Now when nil).
	Now func() time.Time
}

// maxUploadFiles is how many files one upload may carry.
const maxUploadFiles = 10

type documentPages struct {
	p       *Pages
	deps    DocumentPageDeps
	maxSize int
}

// MountDocuments adds the document library (/documents) for every signed-in
// user: the documents they may read, by category and by search; upload of
// several files at once (drag and drop); a document's versions; and, for
// those who may change a document, new versions and its grants, picked
// from the roles, teams and users by name.
func (p *Pages) MountDocuments(deps DocumentPageDeps) {
	if deps.MaxSize <= 0 {
		deps.MaxSize = resource.DefaultMaxDocument
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	dp := &documentPages{p: p, deps: deps, maxSize: deps.MaxSize}
	p.api.Router().Group(func(r chi.Router) {
		r.Use(p.requireUser)
		r.Get("/documents", dp.list)
		r.Post("/documents", dp.upload)
		r.Get("/documents/{id}", dp.show)
		r.Get("/documents/{id}/file", dp.download)
		r.Get("/documents/{id}/fill", dp.fill)
		r.Post("/documents/{id}/versions", dp.addVersion)
		r.Post("/documents/{id}/grants", dp.saveGrants)
	})
	p.AddNav(NavItem{Label: "res.nav.documents", Path: "/documents", Group: "web.nav.group.resources"})
}

// readerFrom is the signed-in user as the library's reader.
func readerFrom(r *http.Request) resource.Reader {
	if pr := crm.UserFromContext(r.Context()); pr != nil {
		return resource.Reader{UserID: pr.ID, Role: pr.Role}
	}
	return resource.Reader{}
}

type documentsView struct {
	Q, Category, Tag string
	Categories       []resource.DocCategory
	Documents        []docRow
	Grants           []grantRow // the upload form's grant editor
	MaxSize          byteSize
	MaxFiles         int
}

func (dp *documentPages) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := view{}
	if n, err := strconv.Atoi(q.Get("uploaded")); err == nil && n > 0 {
		v.Flash = loc(r).N("res.doc.uploaded", n, nil)
	}
	dp.renderList(w, r, http.StatusOK, v, documentsView{Q: q.Get("q"), Category: q.Get("category"), Tag: q.Get("tag")}, nil)
}

func (dp *documentPages) renderList(w http.ResponseWriter, r *http.Request, status int, v view, d documentsView, chosen []resource.Grant) {
	ctx := r.Context()
	d.Categories, d.MaxSize, d.MaxFiles = resource.DocCategories, byteSize(dp.maxSize), maxUploadFiles
	f := resource.DocumentFilter{Query: strings.TrimSpace(d.Q), Category: resource.DocCategory(d.Category), Tag: d.Tag}
	docs, err := dp.deps.Documents.ListDocuments(ctx, readerFrom(r), f)
	if err != nil {
		dp.p.errorPage(w, r, err)
		return
	}
	for _, doc := range docs {
		d.Documents = append(d.Documents, docRow{Document: doc, Bytes: byteSize(doc.Size)})
	}
	if d.Grants, err = dp.grantRows(ctx, r, chosen); err != nil {
		dp.p.errorPage(w, r, err)
		return
	}
	v.Data = d
	dp.p.render(w, r, status, "documents", "res.nav.documents", v)
}

// readMultipart reads an upload form: at most maxUploadFiles files of
// maxSize each, the rest of the form small.
func (dp *documentPages) readMultipart(w http.ResponseWriter, r *http.Request) bool {
	limit := int64(dp.maxSize)*maxUploadFiles + maxFormBytes
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, loc(r).T("res.doc.too_big", map[string]any{"Max": loc(r).Number(limit >> 20)}), http.StatusRequestEntityTooLarge)
			return false
		}
		http.Error(w, loc(r).T("res.doc.malformed", nil), http.StatusBadRequest)
		return false
	}
	return true
}

// readFiles reads the form's files of field name as uploads, each at most
// maxSize bytes.
func (dp *documentPages) readFiles(r *http.Request, name string) ([]resource.Upload, error) {
	var out []resource.Upload
	for _, fh := range r.MultipartForm.File[name] {
		up, err := dp.readFile(fh)
		if err != nil {
			return nil, err
		}
		out = append(out, up)
	}
	return out, nil
}

func (dp *documentPages) readFile(fh *multipart.FileHeader) (resource.Upload, error) {
	f, err := fh.Open()
	if err != nil {
		return resource.Upload{}, err
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, int64(dp.maxSize)+1))
	if err != nil {
		return resource.Upload{}, err
	}
	up := resource.Upload{Filename: path.Base(strings.ReplaceAll(fh.Filename, "\\", "/")), Type: fh.Header.Get("Content-Type"), Content: content}
	if _, err := resource.CheckUpload(up, dp.maxSize); err != nil {
		return up, err
	}
	return up, nil
}

// upload adds one document per file, all with the form's category, tags
// and grants; the title is the form's for a single file, else each
// file's name. Every file is checked before any is stored.
func (dp *documentPages) upload(w http.ResponseWriter, r *http.Request) {
	if !dp.readMultipart(w, r) {
		return
	}
	defer r.MultipartForm.RemoveAll()
	d := documentsView{Category: r.PostFormValue("category")}
	grants, gerr := parseGrants(r.PostForm)
	fail := func(err error) {
		dp.renderList(w, r, http.StatusUnprocessableEntity, view{Error: resErrorText(loc(r), err)}, d, grants)
	}
	if gerr != nil {
		fail(gerr)
		return
	}
	ups, err := dp.readFiles(r, "files")
	switch {
	case err != nil:
		fail(err)
		return
	case len(ups) == 0:
		fail(errNoFile)
		return
	case len(ups) > maxUploadFiles:
		fail(errTooManyFiles)
		return
	}
	docs := make([]resource.Document, len(ups))
	for i, up := range ups {
		title := strings.TrimSpace(r.PostFormValue("title"))
		if title == "" || len(ups) > 1 {
			title = strings.TrimSuffix(up.Filename, path.Ext(up.Filename))
		}
		docs[i] = resource.Document{Title: title, Category: resource.DocCategory(d.Category),
			Tags: splitTags(r.PostFormValue("tags")), Grants: grants}
		if err := docs[i].Validate(); err != nil {
			fail(err)
			return
		}
	}
	for i := range docs {
		if err := dp.deps.Documents.CreateDocument(r.Context(), readerFrom(r), &docs[i], ups[i], dp.maxSize); err != nil {
			fail(err)
			return
		}
	}
	if len(docs) == 1 {
		http.Redirect(w, r, "/documents/"+strconv.FormatInt(docs[0].ID, 10), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/documents?uploaded="+strconv.Itoa(len(docs)), http.StatusSeeOther)
}

// IsDoc tells the template it shows the list.
func (documentsView) IsDoc() bool { return false }

// IsDoc tells the template it shows one document.
func (documentView) IsDoc() bool { return true }

// docRow is a document in the list, with its size for people.
type docRow struct {
	resource.Document
	Bytes byteSize
}

// versionRow is a version on the document's page.
type versionRow struct {
	resource.DocumentVersion
	Bytes byteSize
}

type documentView struct {
	Doc      resource.Document
	Versions []versionRow
	Grants   []grantRow
	MaxSize  byteSize
}

func docID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	return id, err == nil && id > 0
}

func (dp *documentPages) show(w http.ResponseWriter, r *http.Request) {
	v := view{}
	switch r.URL.Query().Get("done") {
	case "version":
		v.Flash = loc(r).T("res.doc.version_added", nil)
	case "grants":
		v.Flash = loc(r).T("res.doc.grants_saved", nil)
	}
	dp.renderDoc(w, r, http.StatusOK, v)
}

func (dp *documentPages) renderDoc(w http.ResponseWriter, r *http.Request, status int, v view) {
	id, ok := docID(r)
	if !ok {
		dp.p.errorPage(w, r, errNoDocument)
		return
	}
	ctx, rd := r.Context(), readerFrom(r)
	doc, err := dp.deps.Documents.GetDocument(ctx, rd, id)
	if err != nil {
		dp.p.errorPage(w, r, err)
		return
	}
	d := documentView{Doc: doc, MaxSize: byteSize(dp.maxSize)}
	versions, err := dp.deps.Documents.ListDocumentVersions(ctx, rd, id)
	if err != nil {
		dp.p.errorPage(w, r, err)
		return
	}
	for _, ver := range versions {
		d.Versions = append(d.Versions, versionRow{DocumentVersion: ver, Bytes: byteSize(ver.Size)})
	}
	if doc.CanWrite {
		if d.Grants, err = dp.grantRows(ctx, r, doc.Grants); err != nil {
			dp.p.errorPage(w, r, err)
			return
		}
	}
	v.Data, v.Title, v.Active = d, doc.Title, "/documents"
	dp.p.render(w, r, status, "documents", "", v)
}

// download sends a version of a document the reader may read (others get
// not found): as an attachment, sandboxed, never sniffed as a page.
func (dp *documentPages) download(w http.ResponseWriter, r *http.Request) {
	id, ok := docID(r)
	if !ok {
		dp.p.errorPage(w, r, errNoDocument)
		return
	}
	version, _ := strconv.Atoi(r.URL.Query().Get("version"))
	u, err := dp.deps.Documents.DocumentContent(r.Context(), readerFrom(r), id, max(version, 0))
	if err != nil {
		dp.p.errorPage(w, r, err)
		return
	}
	sendFile(w, u)
}

func (dp *documentPages) addVersion(w http.ResponseWriter, r *http.Request) {
	id, ok := docID(r)
	if !ok {
		dp.p.errorPage(w, r, errNoDocument)
		return
	}
	if !dp.readMultipart(w, r) {
		return
	}
	defer r.MultipartForm.RemoveAll()
	ups, err := dp.readFiles(r, "file")
	if err == nil && len(ups) != 1 {
		err = errNoFile
	}
	if err == nil {
		_, err = dp.deps.Documents.AddDocumentVersion(r.Context(), readerFrom(r), id, ups[0], dp.maxSize)
	}
	if err != nil {
		dp.formFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/documents/"+strconv.FormatInt(id, 10)+"?done=version", http.StatusSeeOther)
}

func (dp *documentPages) saveGrants(w http.ResponseWriter, r *http.Request) {
	id, ok := docID(r)
	if !ok {
		dp.p.errorPage(w, r, errNoDocument)
		return
	}
	if !parseForm(w, r) {
		return
	}
	gs, err := parseGrants(r.PostForm)
	if err == nil {
		err = dp.deps.Documents.SetDocumentGrants(r.Context(), readerFrom(r), id, gs)
	}
	if err != nil {
		dp.formFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/documents/"+strconv.FormatInt(id, 10)+"?done=grants", http.StatusSeeOther)
}

// formFailed shows the document again with what was wrong with a form;
// not found and forbidden get the error page.
func (dp *documentPages) formFailed(w http.ResponseWriter, r *http.Request, err error) {
	if crm.ErrorStatus(err) != http.StatusUnprocessableEntity {
		dp.p.errorPage(w, r, err)
		return
	}
	dp.renderDoc(w, r, http.StatusUnprocessableEntity, view{Error: resErrorText(loc(r), err)})
}
