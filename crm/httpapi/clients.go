package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/phone"
)

// ClientJSON is a client as the API shows it.
type ClientJSON struct {
	ID        int64          `json:"id"`
	Kind      crm.ClientKind `json:"kind" enum:"person,company"`
	Name      string         `json:"name"`
	Company   string         `json:"company"`
	Priority  string         `json:"priority" doc:"priority class code, e.g. VIP, A, B, C"`
	OwnerID   *int64         `json:"owner_id"`
	Tags      []string       `json:"tags"`
	Notes     string         `json:"notes"`
	Language  string         `json:"language" doc:"ru or en: the language the client is spoken and written to in; empty: the centre's language"`
	Legal     crm.Requisites `json:"requisites" doc:"INN, KPP, OGRN, addresses and bank details"`
	Contacts  []ContactJSON  `json:"contacts"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

func clientJSON(c crm.Client) ClientJSON {
	v := ClientJSON{ID: c.ID, Kind: c.Kind, Name: c.Name, Company: c.Company, Priority: c.Priority,
		OwnerID: c.OwnerID, Tags: c.Tags, Notes: c.Notes, Language: c.Language, Legal: c.Legal, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		Contacts: make([]ContactJSON, 0, len(c.Contacts))}
	if v.Tags == nil {
		v.Tags = []string{}
	}
	for _, ct := range c.Contacts {
		v.Contacts = append(v.Contacts, contactJSON(ct))
	}
	return v
}

// ClientFields are the client's own fields as the API accepts them.
type ClientFields struct {
	Kind     crm.ClientKind  `json:"kind,omitempty" enum:"person,company" doc:"person (default) or company"`
	Name     string          `json:"name" maxLength:"300"`
	Company  string          `json:"company,omitempty" maxLength:"300"`
	Priority string          `json:"priority,omitempty" maxLength:"16"`
	OwnerID  *int64          `json:"owner_id,omitempty"`
	Tags     []string        `json:"tags,omitempty" maxItems:"50"`
	Notes    string          `json:"notes,omitempty" maxLength:"20000"`
	Language *string         `json:"language,omitempty" maxLength:"8" doc:"ru, en or empty (the centre's language); omitted keeps the stored one"`
	Legal    *crm.Requisites `json:"requisites,omitempty" doc:"INN, KPP, OGRN, addresses and bank details, checked with their check digits; omitted keeps the stored ones"`
}

func (f ClientFields) apply(c *crm.Client) {
	c.Kind, c.Name, c.Company, c.Priority, c.OwnerID, c.Tags, c.Notes =
		f.Kind, f.Name, f.Company, f.Priority, f.OwnerID, f.Tags, f.Notes
	if f.Language != nil {
		c.Language = *f.Language
	}
	if f.Legal != nil {
		c.Legal = *f.Legal
	}
}

type clientOutput struct{ Body ClientJSON }

type clientIDInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type createClientInput struct {
	Body struct {
		ClientFields
		Contacts []ContactInput `json:"contacts,omitempty" maxItems:"50"`
	}
}

type updateClientInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body ClientFields
}

type listClientsInput struct {
	Q        string `query:"q" maxLength:"200" doc:"part of the name, company, email or phone number"`
	Priority string `query:"priority" maxLength:"16"`
	Owner    int64  `query:"owner" minimum:"0" doc:"owner user id"`
	Tag      string `query:"tag" maxLength:"50"`
	Cursor   string `query:"cursor" maxLength:"200" doc:"next_cursor of the previous page"`
	Limit    int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type clientListOutput struct {
	Body struct {
		Items      []ClientJSON `json:"items"`
		NextCursor string       `json:"next_cursor" doc:"empty on the last page"`
	}
}

// ClientDeps are what RegisterClients needs. Clients is required.
type ClientDeps struct {
	Clients crm.ClientService
	// Tickets says which requests an agent may see, so that timelines hide
	// the others' subjects; nil hides every request entry from agents.
	Tickets crm.TicketVisibility
	Logger  *slog.Logger
	// Now dates notes; the server's clock when nil.
	Now func() time.Time
}

// clientHandlers serve the client, contact and timeline operations.
type clientHandlers struct {
	clients crm.ClientService
	tickets crm.TicketVisibility
	phone   phone.Normalizer
	log     *slog.Logger
	now     func() time.Time
}

// RegisterClients adds the client operations: find, read, create, change
// and delete clients (deleting is for supervisors and admins), their
// contacts, and their timeline with notes.
func RegisterClients(api *Server, deps ClientDeps) {
	h := clientHandlers{clients: deps.Clients, tickets: deps.Tickets, phone: api.phone, log: deps.Logger, now: deps.Now}
	if h.log == nil {
		h.log = api.log
	}
	if h.now == nil {
		h.now = api.now
	}
	a, tags := api.API(), []string{"clients"}
	Register(a, AnyRole, huma.Operation{OperationID: "list-clients", Method: http.MethodGet, Path: "/api/v1/clients", Tags: tags,
		Summary: "Find clients by name, company, part of a phone number, priority, owner or tag"}, h.list)
	Register(a, AnyRole, huma.Operation{OperationID: "get-client", Method: http.MethodGet, Path: "/api/v1/clients/{id}", Tags: tags,
		Summary: "A client with contacts"}, h.get)
	Register(a, AnyRole, huma.Operation{OperationID: "create-client", Method: http.MethodPost, Path: "/api/v1/clients", Tags: tags,
		Summary: "Create a client with contacts", DefaultStatus: http.StatusCreated}, h.create)
	Register(a, AnyRole, huma.Operation{OperationID: "update-client", Method: http.MethodPut, Path: "/api/v1/clients/{id}", Tags: tags,
		Summary: "Replace a client's own fields (contacts are unchanged)"}, h.update)
	Register(a, SupervisorOrAdmin, huma.Operation{OperationID: "delete-client", Method: http.MethodDelete, Path: "/api/v1/clients/{id}", Tags: tags,
		Summary: "Delete a client with contacts and timeline", DefaultStatus: http.StatusNoContent}, h.delete)
	Register(a, AnyRole, huma.Operation{OperationID: "add-contact", Method: http.MethodPost, Path: "/api/v1/clients/{id}/contacts", Tags: tags,
		Summary: "Add a phone number or email to a client", DefaultStatus: http.StatusCreated}, h.addContact)
	Register(a, AnyRole, huma.Operation{OperationID: "delete-contact", Method: http.MethodDelete, Path: "/api/v1/clients/{id}/contacts/{contactId}", Tags: tags,
		Summary: "Remove a contact from a client", DefaultStatus: http.StatusNoContent}, h.deleteContact)
	Register(a, AnyRole, huma.Operation{OperationID: "get-timeline", Method: http.MethodGet, Path: "/api/v1/clients/{id}/timeline", Tags: tags,
		Summary: "A client's interactions, newest first"}, h.timeline)
	Register(a, AnyRole, huma.Operation{OperationID: "add-note", Method: http.MethodPost, Path: "/api/v1/clients/{id}/notes", Tags: tags,
		Summary: "Add a note to a client's timeline", DefaultStatus: http.StatusCreated}, h.addNote)
}

func (h clientHandlers) problem(ctx context.Context, err error) error {
	return problemFor(ctx, h.log, err)
}

func (h clientHandlers) list(ctx context.Context, in *listClientsInput) (*clientListOutput, error) {
	f := crm.ClientFilter{Query: in.Q, Priority: in.Priority, Tag: in.Tag, After: in.Cursor, Limit: in.Limit}
	if in.Owner > 0 {
		f.OwnerID = &in.Owner
	}
	page, err := h.clients.ListClients(ctx, f)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	out := &clientListOutput{}
	out.Body.Items = make([]ClientJSON, 0, len(page.Items))
	for _, c := range page.Items {
		out.Body.Items = append(out.Body.Items, clientJSON(c))
	}
	out.Body.NextCursor = page.Next
	return out, nil
}

func (h clientHandlers) get(ctx context.Context, in *clientIDInput) (*clientOutput, error) {
	c, err := h.clients.GetClient(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	return &clientOutput{Body: clientJSON(c)}, nil
}

func (h clientHandlers) create(ctx context.Context, in *createClientInput) (*clientOutput, error) {
	var c crm.Client
	in.Body.apply(&c)
	for i, ci := range in.Body.Contacts {
		ct, err := h.contact(ci, fmt.Sprintf("body.contacts[%d]", i))
		if err != nil {
			return nil, err
		}
		c.Contacts = append(c.Contacts, ct)
	}
	if err := h.clients.CreateClient(ctx, &c); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &clientOutput{Body: clientJSON(c)}, nil
}

func (h clientHandlers) update(ctx context.Context, in *updateClientInput) (*clientOutput, error) {
	c, err := h.clients.GetClient(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err)
	}
	in.Body.apply(&c)
	if err := h.clients.UpdateClient(ctx, &c); err != nil {
		return nil, h.problem(ctx, err)
	}
	if c, err = h.clients.GetClient(ctx, in.ID); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &clientOutput{Body: clientJSON(c)}, nil
}

func (h clientHandlers) delete(ctx context.Context, in *clientIDInput) (*struct{}, error) {
	if err := h.clients.DeleteClient(ctx, in.ID); err != nil {
		return nil, h.problem(ctx, err)
	}
	return nil, nil
}
