package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/internal/i18n"
)

// DocumentDeps are what RegisterDocuments needs.
type DocumentDeps struct {
	Documents resource.DocumentService
	// Clients finds the client a template is filled for.
	Clients interface {
		GetClient(ctx context.Context, id int64) (crm.Client, error)
	}
	// MaxSize caps one file (0: resource.DefaultMaxDocument, 10 MiB).
	MaxSize int
	Logger  *slog.Logger
	// Now is the clock templates are filled at (time.Now when nil).
	Now func() time.Time
}

// documentHandlers serve the document library.
type documentHandlers struct {
	resourceProblems
	deps DocumentDeps
}

// RegisterDocuments adds the document library. Every signed-in user may
// call it; what each sees and changes is decided per document by its
// grants (in the store's queries).
func RegisterDocuments(api *Server, deps DocumentDeps) {
	if deps.MaxSize <= 0 {
		deps.MaxSize = resource.DefaultMaxDocument
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	h := documentHandlers{resourceProblems: newResourceProblems(deps.Logger), deps: deps}
	a := api.API()
	op := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Tags: []string{"documents"}, Summary: summary}
	}
	upload := func(op huma.Operation) huma.Operation {
		op.DefaultStatus, op.MaxBodyBytes = http.StatusCreated, int64(deps.MaxSize)*4/3+64<<10
		return op
	}
	file := func(op huma.Operation) huma.Operation {
		op.Responses = map[string]*huma.Response{"200": {Description: "the file", Content: map[string]*huma.MediaType{"application/octet-stream": {}}}}
		return op
	}
	Register(a, AnyRole, op("list-documents", http.MethodGet, "/api/v1/documents", "Documents you may read; q searches titles, tags and text"), h.list)
	Register(a, AnyRole, upload(op("create-document", http.MethodPost, "/api/v1/documents", "Add a document (you own it)")), h.create)
	Register(a, AnyRole, op("get-document", http.MethodGet, "/api/v1/documents/{id}", "A document's metadata and grants"), h.get)
	Register(a, AnyRole, upload(op("add-document-version", http.MethodPost, "/api/v1/documents/{id}/versions", "Upload a new version (needs write access)")), h.addVersion)
	Register(a, AnyRole, op("set-document-grants", http.MethodPut, "/api/v1/documents/{id}/grants", "Replace who may read and write (needs write access)"), h.setGrants)
	Register(a, AnyRole, file(op("download-document", http.MethodGet, "/api/v1/documents/{id}/content", "Download a version (default the current one)")), h.download)
	Register(a, AnyRole, file(op("fill-document-template", http.MethodGet, "/api/v1/documents/{id}/fill",
		"Fill a template (text, HTML or DOCX) with a client's fields ({{.Client.Name}}, {{.Client.Legal.INN}}, {{.Today}}, {{.TodayLong}}, {{.User.Name}}, {{.Amount}}, {{.AmountWords}}) and download it")), h.fill)
}

func readerOf(ctx context.Context) resource.Reader {
	if p := PrincipalFrom(ctx); p != nil {
		return resource.Reader{UserID: p.User.ID, Role: p.User.Role}
	}
	return resource.Reader{}
}

type fileBody struct {
	Filename    string `json:"filename" minLength:"1" maxLength:"255"`
	ContentType string `json:"content_type,omitempty" maxLength:"100" doc:"checked against the content"`
	Content     []byte `json:"content" doc:"the file, base64"`
}

func (f fileBody) upload() resource.Upload {
	return resource.Upload{Filename: f.Filename, Type: f.ContentType, Content: f.Content}
}

type createDocumentInput struct {
	Body struct {
		Title       string           `json:"title" minLength:"1" maxLength:"300"`
		Category    string           `json:"category" enum:"commercial,technical,template,marketing"`
		Tags        []string         `json:"tags,omitempty" maxItems:"20"`
		Grants      []resource.Grant `json:"grants,omitempty" maxItems:"100"`
		Filename    string           `json:"filename" minLength:"1" maxLength:"255"`
		ContentType string           `json:"content_type,omitempty" maxLength:"100" doc:"checked against the content"`
		Content     []byte           `json:"content" doc:"the file, base64"`
	}
}

type documentOutput struct{ Body resource.Document }

type documentsInput struct {
	Q        string `query:"q" maxLength:"200" doc:"full-text search (websearch syntax)"`
	Category string `query:"category" enum:"commercial,technical,template,marketing,"`
	Tag      string `query:"tag" maxLength:"32"`
}

type documentsOutput struct {
	Body struct {
		Documents []resource.Document `json:"documents"`
	}
}

type fileOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	CSP                string `header:"Content-Security-Policy"`
	Body               []byte
}

func download(u resource.Upload) *fileOutput {
	return &fileOutput{ContentType: u.Type, ContentDisposition: resource.ContentDisposition(u.Filename),
		CSP: "sandbox", Body: u.Content}
}

func (h documentHandlers) list(ctx context.Context, in *documentsInput) (*documentsOutput, error) {
	list, err := h.deps.Documents.ListDocuments(ctx, readerOf(ctx), resource.DocumentFilter{Query: in.Q, Category: resource.DocCategory(in.Category), Tag: in.Tag})
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &documentsOutput{}
	out.Body.Documents = list
	return out, nil
}

func (h documentHandlers) create(ctx context.Context, in *createDocumentInput) (*documentOutput, error) {
	b := in.Body
	doc := resource.Document{Title: b.Title, Category: resource.DocCategory(b.Category), Tags: b.Tags, Grants: b.Grants}
	up := resource.Upload{Filename: b.Filename, Type: b.ContentType, Content: b.Content}
	if err := h.deps.Documents.CreateDocument(ctx, readerOf(ctx), &doc, up, h.deps.MaxSize); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &documentOutput{Body: doc}, nil
}

func (h documentHandlers) get(ctx context.Context, in *idPath) (*documentOutput, error) {
	doc, err := h.deps.Documents.GetDocument(ctx, readerOf(ctx), in.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &documentOutput{Body: doc}, nil
}

func (h documentHandlers) addVersion(ctx context.Context, in *struct {
	ID   int64 `path:"id" minimum:"1"`
	Body fileBody
}) (*documentOutput, error) {
	doc, err := h.deps.Documents.AddDocumentVersion(ctx, readerOf(ctx), in.ID, in.Body.upload(), h.deps.MaxSize)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &documentOutput{Body: doc}, nil
}

func (h documentHandlers) setGrants(ctx context.Context, in *struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Grants []resource.Grant `json:"grants" maxItems:"100"`
	}
}) (*struct{}, error) {
	if err := h.deps.Documents.SetDocumentGrants(ctx, readerOf(ctx), in.ID, in.Body.Grants); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &struct{}{}, nil
}

func (h documentHandlers) download(ctx context.Context, in *struct {
	ID      int64 `path:"id" minimum:"1"`
	Version int   `query:"version" minimum:"0"`
}) (*fileOutput, error) {
	u, err := h.deps.Documents.DocumentContent(ctx, readerOf(ctx), in.ID, in.Version)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return download(u), nil
}

func (h documentHandlers) fill(ctx context.Context, in *struct {
	ID       int64  `path:"id" minimum:"1"`
	ClientID int64  `query:"client_id" minimum:"1" required:"true"`
	Amount   string `query:"amount" maxLength:"32" doc:"a sum in roubles for {{.Amount}} and {{.AmountWords}}, e.g. 1200.50"`
}) (*fileOutput, error) {
	return h.fillTemplate(ctx, in.ID, in.ClientID, in.Amount)
}

func (h documentHandlers) fillTemplate(ctx context.Context, id, clientID int64, amount string) (*fileOutput, error) {
	r := readerOf(ctx)
	var sum *int64
	if strings.TrimSpace(amount) != "" {
		v, err := i18n.ParseMoney(amount, "RUB")
		if err != nil {
			return nil, h.problem(ctx, crm.Invalid("amount", "write the amount in roubles, e.g. 1 234,56"))
		}
		sum = &v
	}
	u, err := h.deps.Documents.DocumentContent(ctx, r, id, 0)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	c, err := h.deps.Clients.GetClient(ctx, clientID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	var user crm.User
	if p := PrincipalFrom(ctx); p != nil {
		user = crm.User{ID: p.User.ID, Name: p.User.Name, Login: p.User.Login}
	}
	data := resource.NewTemplateData(c, user, h.deps.Now().In(i18n.FromContext(ctx).Zone()), sum)
	out, err := resource.Fill(ctx, u, data, h.deps.MaxSize)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	u.Content = out
	return download(u), nil
}
