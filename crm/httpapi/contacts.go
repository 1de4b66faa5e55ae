package httpapi

import (
	"context"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"hotline/crm"
	"hotline/crm/phone"
)

// ContactView is a phone number (E.164) or email of a client.
type ContactView struct {
	ID    int64           `json:"id"`
	Kind  crm.ContactKind `json:"kind" enum:"phone,email"`
	Value string          `json:"value" doc:"E.164 for phones"`
	Raw   string          `json:"raw" doc:"as entered"`
	Label string          `json:"label"`
}

func contactView(c crm.Contact) ContactView {
	return ContactView{ID: c.ID, Kind: c.Kind, Value: c.Value, Raw: c.Raw, Label: c.Label}
}

// ContactInput is a contact as the API accepts it.
type ContactInput struct {
	Kind  crm.ContactKind `json:"kind" enum:"phone,email"`
	Value string          `json:"value" minLength:"1" maxLength:"254" doc:"a phone number in any common format, or an email"`
	Label string          `json:"label,omitempty" maxLength:"50"`
}

// NormalizeContact checks a contact and puts its value in canonical form:
// E.164 for phones (numbers without a country code are read in the
// normaliser's region), lower case for emails. Raw keeps the input.
// Errors are crm.KindInvalid naming the field "value".
func NormalizeContact(n phone.Normalizer, c *crm.Contact) error {
	c.Raw = strings.TrimSpace(c.Value)
	c.Label = strings.TrimSpace(c.Label)
	switch c.Kind {
	case crm.ContactPhone:
		e, err := n.E164(c.Raw)
		if err != nil {
			return crm.Invalid("value", "%s", err.Error())
		}
		c.Value = e
	case crm.ContactEmail:
		a, err := mail.ParseAddress(c.Raw)
		if err != nil || a.Address != c.Raw {
			return crm.Invalid("value", "%q is not an email address", c.Raw)
		}
		c.Value = strings.ToLower(a.Address)
	default:
		return crm.Invalid("kind", "must be phone or email")
	}
	if utf8.RuneCountInString(c.Label) > 50 {
		return crm.Invalid("label", "must be at most 50 characters")
	}
	return nil
}

// contact normalises an API contact; errors name the field under location.
func (s *Server) contact(in ContactInput, location string) (crm.Contact, error) {
	c := crm.Contact{Kind: in.Kind, Value: in.Value, Label: in.Label}
	if err := NormalizeContact(s.phone, &c); err != nil {
		ce := err.(*crm.Error)
		return c, fieldError(location+"."+ce.Field, ce.Message, in.Value)
	}
	return c, nil
}

type addContactInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body ContactInput
}

type contactOutput struct{ Body ContactView }

type deleteContactInput struct {
	ID        int64 `path:"id" minimum:"1"`
	ContactID int64 `path:"contactId" minimum:"1"`
}

func (s *Server) registerContacts() {
	Register(s.api, AnyRole, huma.Operation{
		OperationID: "add-contact", Method: http.MethodPost, Path: "/api/v1/clients/{id}/contacts", Tags: []string{"clients"},
		Summary: "Add a phone number or email to a client", DefaultStatus: http.StatusCreated,
	}, s.addContact)

	Register(s.api, AnyRole, huma.Operation{
		OperationID: "delete-contact", Method: http.MethodDelete, Path: "/api/v1/clients/{id}/contacts/{contactId}", Tags: []string{"clients"},
		Summary: "Remove a contact from a client", DefaultStatus: http.StatusNoContent,
	}, s.deleteContact)
}

func (s *Server) addContact(ctx context.Context, in *addContactInput) (*contactOutput, error) {
	c, err := s.contact(in.Body, "body")
	if err != nil {
		return nil, err
	}
	c.ClientID = in.ID
	if _, err := s.store.GetClient(ctx, in.ID); err != nil {
		return nil, s.problem(ctx, err)
	}
	if err := s.store.AddContact(ctx, &c); err != nil {
		return nil, s.problem(ctx, err)
	}
	return &contactOutput{Body: contactView(c)}, nil
}

func (s *Server) deleteContact(ctx context.Context, in *deleteContactInput) (*struct{}, error) {
	if err := s.store.DeleteContact(ctx, in.ID, in.ContactID); err != nil {
		return nil, s.problem(ctx, err)
	}
	return nil, nil
}
