package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
)

// ClientView is a client as the API shows it.
type ClientView struct {
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
	Contacts  []ContactView  `json:"contacts"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

func clientView(c crm.Client) ClientView {
	v := ClientView{ID: c.ID, Kind: c.Kind, Name: c.Name, Company: c.Company, Priority: c.Priority,
		OwnerID: c.OwnerID, Tags: c.Tags, Notes: c.Notes, Language: c.Language, Legal: c.Legal, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		Contacts: make([]ContactView, 0, len(c.Contacts))}
	if v.Tags == nil {
		v.Tags = []string{}
	}
	for _, ct := range c.Contacts {
		v.Contacts = append(v.Contacts, contactView(ct))
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

type clientOutput struct{ Body ClientView }

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
		Items      []ClientView `json:"items"`
		NextCursor string       `json:"next_cursor" doc:"empty on the last page"`
	}
}

func (s *Server) registerClients() {
	Register(s.api, AnyRole, huma.Operation{
		OperationID: "list-clients", Method: http.MethodGet, Path: "/api/v1/clients", Tags: []string{"clients"},
		Summary: "Find clients by name, company, part of a phone number, priority, owner or tag",
	}, s.listClients)

	Register(s.api, AnyRole, huma.Operation{
		OperationID: "get-client", Method: http.MethodGet, Path: "/api/v1/clients/{id}", Tags: []string{"clients"},
		Summary: "A client with contacts",
	}, s.getClient)

	Register(s.api, AnyRole, huma.Operation{
		OperationID: "create-client", Method: http.MethodPost, Path: "/api/v1/clients", Tags: []string{"clients"},
		Summary: "Create a client with contacts", DefaultStatus: http.StatusCreated,
	}, s.createClient)

	Register(s.api, AnyRole, huma.Operation{
		OperationID: "update-client", Method: http.MethodPut, Path: "/api/v1/clients/{id}", Tags: []string{"clients"},
		Summary: "Replace a client's own fields (contacts are unchanged)",
	}, s.updateClient)

	Register(s.api, SupervisorOrAdmin, huma.Operation{
		OperationID: "delete-client", Method: http.MethodDelete, Path: "/api/v1/clients/{id}", Tags: []string{"clients"},
		Summary: "Delete a client with contacts and timeline", DefaultStatus: http.StatusNoContent,
	}, s.deleteClient)
}

// CreateClient validates a client (its contacts already normalised) and
// stores it. Pages share it with the API.
func (s *Server) CreateClient(ctx context.Context, c *crm.Client) error {
	if err := s.checkClient(ctx, c); err != nil {
		return err
	}
	return s.store.CreateClient(ctx, c)
}

// UpdateClient validates a client's own fields and stores them (contacts
// are not touched). Pages share it with the API.
func (s *Server) UpdateClient(ctx context.Context, c *crm.Client) error {
	if err := s.checkClient(ctx, c); err != nil {
		return err
	}
	return s.store.UpdateClient(ctx, c)
}

// checkClient validates the client's fields; the store checks that its
// priority class and owner exist, so that a bad reference is a 422 naming
// the field.
func (s *Server) checkClient(_ context.Context, c *crm.Client) error {
	return c.Validate()
}

func (s *Server) listClients(ctx context.Context, in *listClientsInput) (*clientListOutput, error) {
	f := crm.ClientFilter{Query: in.Q, Priority: in.Priority, Tag: in.Tag, After: in.Cursor, Limit: in.Limit}
	if in.Owner > 0 {
		f.OwnerID = &in.Owner
	}
	page, err := s.store.ListClients(ctx, f)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &clientListOutput{}
	out.Body.Items = make([]ClientView, 0, len(page.Items))
	for _, c := range page.Items {
		out.Body.Items = append(out.Body.Items, clientView(c))
	}
	out.Body.NextCursor = page.Next
	return out, nil
}

func (s *Server) getClient(ctx context.Context, in *clientIDInput) (*clientOutput, error) {
	c, err := s.store.GetClient(ctx, in.ID)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &clientOutput{Body: clientView(c)}, nil
}

func (s *Server) createClient(ctx context.Context, in *createClientInput) (*clientOutput, error) {
	var c crm.Client
	in.Body.apply(&c)
	for i, ci := range in.Body.Contacts {
		ct, err := s.contact(ci, fmt.Sprintf("body.contacts[%d]", i))
		if err != nil {
			return nil, err
		}
		c.Contacts = append(c.Contacts, ct)
	}
	if err := s.CreateClient(ctx, &c); err != nil {
		return nil, s.problem(ctx, err)
	}
	return &clientOutput{Body: clientView(c)}, nil
}

func (s *Server) updateClient(ctx context.Context, in *updateClientInput) (*clientOutput, error) {
	c, err := s.store.GetClient(ctx, in.ID)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	in.Body.apply(&c)
	if err := s.UpdateClient(ctx, &c); err != nil {
		return nil, s.problem(ctx, err)
	}
	if c, err = s.store.GetClient(ctx, in.ID); err != nil {
		return nil, s.problem(ctx, err)
	}
	return &clientOutput{Body: clientView(c)}, nil
}

func (s *Server) deleteClient(ctx context.Context, in *clientIDInput) (*struct{}, error) {
	if err := s.store.DeleteClient(ctx, in.ID); err != nil {
		return nil, s.problem(ctx, err)
	}
	return nil, nil
}
