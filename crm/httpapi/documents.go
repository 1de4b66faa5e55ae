package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/resource"
	"hotline/internal/i18n"
)

// DocumentStore is what the document library operations need (crm/postgres.Store).
type DocumentStore interface {
	CreateDocument(ctx context.Context, r resource.Reader, d *resource.Document, up resource.Upload, maxSize int) error
	AddDocumentVersion(ctx context.Context, r resource.Reader, id int64, up resource.Upload, maxSize int) (resource.Document, error)
	SetDocumentGrants(ctx context.Context, r resource.Reader, id int64, gs []resource.Grant) error
	GetDocument(ctx context.Context, r resource.Reader, id int64) (resource.Document, error)
	DocumentContent(ctx context.Context, r resource.Reader, id int64, version int) (resource.Upload, error)
	ListDocuments(ctx context.Context, r resource.Reader, f resource.DocumentFilter) ([]resource.Document, error)
	GetClient(ctx context.Context, id int64) (crm.Client, error)
}

type documentsAPI struct {
	*resourceAPI
	store   DocumentStore
	maxSize int
}

// RegisterDocuments adds the document library. Every signed-in user may
// call it; what each sees and changes is decided per document by its
// grants (in the store's queries). maxSize caps one file (0: 10 MiB).
func RegisterDocuments(api huma.API, store DocumentStore, maxSize int, deps ResourceDeps) {
	if maxSize <= 0 {
		maxSize = resource.DefaultMaxDocument
	}
	d := &documentsAPI{resourceAPI: newResourceAPI(deps), store: store, maxSize: maxSize}
	d.register(api)
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

func (d *documentsAPI) register(api huma.API) {
	tags := []string{"documents"}
	bodyLimit := int64(d.maxSize)*4/3 + 64<<10
	fileResp := map[string]*huma.Response{"200": {Description: "the file", Content: map[string]*huma.MediaType{"application/octet-stream": {}}}}
	Register(api, AnyRole, huma.Operation{OperationID: "list-documents", Method: http.MethodGet, Path: "/api/v1/documents", Tags: tags,
		Summary: "Documents you may read; q searches titles, tags and text"}, func(ctx context.Context, in *documentsInput) (*documentsOutput, error) {
		list, err := d.store.ListDocuments(ctx, readerOf(ctx), resource.DocumentFilter{Query: in.Q, Category: resource.DocCategory(in.Category), Tag: in.Tag})
		if err != nil {
			return nil, d.problem(ctx, err)
		}
		out := &documentsOutput{}
		out.Body.Documents = list
		return out, nil
	})
	Register(api, AnyRole, huma.Operation{OperationID: "create-document", Method: http.MethodPost, Path: "/api/v1/documents", Tags: tags,
		Summary: "Add a document (you own it)", DefaultStatus: http.StatusCreated, MaxBodyBytes: bodyLimit},
		func(ctx context.Context, in *createDocumentInput) (*documentOutput, error) {
			b := in.Body
			doc := resource.Document{Title: b.Title, Category: resource.DocCategory(b.Category), Tags: b.Tags, Grants: b.Grants}
			up := resource.Upload{Filename: b.Filename, Type: b.ContentType, Content: b.Content}
			if err := d.store.CreateDocument(ctx, readerOf(ctx), &doc, up, d.maxSize); err != nil {
				return nil, d.problem(ctx, err)
			}
			return &documentOutput{Body: doc}, nil
		})
	Register(api, AnyRole, huma.Operation{OperationID: "get-document", Method: http.MethodGet, Path: "/api/v1/documents/{id}", Tags: tags,
		Summary: "A document's metadata and grants"}, func(ctx context.Context, in *idPath) (*documentOutput, error) {
		doc, err := d.store.GetDocument(ctx, readerOf(ctx), in.ID)
		if err != nil {
			return nil, d.problem(ctx, err)
		}
		return &documentOutput{Body: doc}, nil
	})
	Register(api, AnyRole, huma.Operation{OperationID: "add-document-version", Method: http.MethodPost, Path: "/api/v1/documents/{id}/versions",
		Tags: tags, Summary: "Upload a new version (needs write access)", DefaultStatus: http.StatusCreated, MaxBodyBytes: bodyLimit},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id" minimum:"1"`
			Body fileBody
		}) (*documentOutput, error) {
			doc, err := d.store.AddDocumentVersion(ctx, readerOf(ctx), in.ID, in.Body.upload(), d.maxSize)
			if err != nil {
				return nil, d.problem(ctx, err)
			}
			return &documentOutput{Body: doc}, nil
		})
	Register(api, AnyRole, huma.Operation{OperationID: "set-document-grants", Method: http.MethodPut, Path: "/api/v1/documents/{id}/grants",
		Tags: tags, Summary: "Replace who may read and write (needs write access)"}, func(ctx context.Context, in *struct {
		ID   int64 `path:"id" minimum:"1"`
		Body struct {
			Grants []resource.Grant `json:"grants" maxItems:"100"`
		}
	}) (*struct{}, error) {
		if err := d.store.SetDocumentGrants(ctx, readerOf(ctx), in.ID, in.Body.Grants); err != nil {
			return nil, d.problem(ctx, err)
		}
		return &struct{}{}, nil
	})
	Register(api, AnyRole, huma.Operation{OperationID: "download-document", Method: http.MethodGet, Path: "/api/v1/documents/{id}/content",
		Tags: tags, Summary: "Download a version (default the current one)", Responses: fileResp}, func(ctx context.Context, in *struct {
		ID      int64 `path:"id" minimum:"1"`
		Version int   `query:"version" minimum:"0"`
	}) (*fileOutput, error) {
		u, err := d.store.DocumentContent(ctx, readerOf(ctx), in.ID, in.Version)
		if err != nil {
			return nil, d.problem(ctx, err)
		}
		return download(u), nil
	})
	Register(api, AnyRole, huma.Operation{OperationID: "fill-document-template", Method: http.MethodGet, Path: "/api/v1/documents/{id}/fill",
		Tags: tags, Summary: "Fill a template (text, HTML or DOCX) with a client's fields ({{.Client.Name}}, {{.Client.Legal.INN}}, {{.Today}}, {{.TodayLong}}, {{.User.Name}}, {{.Amount}}, {{.AmountWords}}) and download it",
		Responses: fileResp}, func(ctx context.Context, in *struct {
		ID       int64  `path:"id" minimum:"1"`
		ClientID int64  `query:"client_id" minimum:"1" required:"true"`
		Amount   string `query:"amount" maxLength:"32" doc:"a sum in roubles for {{.Amount}} and {{.AmountWords}}, e.g. 1200.50"`
	}) (*fileOutput, error) {
		return d.fill(ctx, in.ID, in.ClientID, in.Amount)
	})
}

func (d *documentsAPI) fill(ctx context.Context, id, clientID int64, amount string) (*fileOutput, error) {
	r := readerOf(ctx)
	var sum *int64
	if strings.TrimSpace(amount) != "" {
		v, err := i18n.ParseMoney(amount, "RUB")
		if err != nil {
			return nil, d.problem(ctx, crm.Invalid("amount", "write the amount in roubles, e.g. 1 234,56"))
		}
		sum = &v
	}
	u, err := d.store.DocumentContent(ctx, r, id, 0)
	if err != nil {
		return nil, d.problem(ctx, err)
	}
	c, err := d.store.GetClient(ctx, clientID)
	if err != nil {
		return nil, d.problem(ctx, err)
	}
	var user crm.User
	if p := PrincipalFrom(ctx); p != nil {
		user = crm.User{ID: p.User.ID, Name: p.User.Name, Login: p.User.Login}
	}
	data := resource.NewTemplateData(c, user, time.Now().In(i18n.FromContext(ctx).Zone()), sum)
	out, err := resource.Fill(ctx, u, data, d.maxSize)
	if err != nil {
		return nil, d.problem(ctx, err)
	}
	u.Content = out
	return download(u), nil
}
