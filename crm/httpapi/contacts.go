package httpapi

import (
	"context"

	"hotline/crm"
)

// ContactJSON is a phone number (E.164) or email of a client.
type ContactJSON struct {
	ID    int64           `json:"id"`
	Kind  crm.ContactKind `json:"kind" enum:"phone,email"`
	Value string          `json:"value" doc:"E.164 for phones"`
	Raw   string          `json:"raw" doc:"as entered"`
	Label string          `json:"label"`
}

func contactJSON(c crm.Contact) ContactJSON {
	return ContactJSON{ID: c.ID, Kind: c.Kind, Value: c.Value, Raw: c.Raw, Label: c.Label}
}

// ContactInput is a contact as the API accepts it.
type ContactInput struct {
	Kind  crm.ContactKind `json:"kind" enum:"phone,email"`
	Value string          `json:"value" minLength:"1" maxLength:"254" doc:"a phone number in any common format, or an email"`
	Label string          `json:"label,omitempty" maxLength:"50"`
}

// contact normalises an API contact; errors name the field under location.
func (h clientHandlers) contact(in ContactInput, location string) (crm.Contact, error) {
	c := crm.Contact{Kind: in.Kind, Value: in.Value, Label: in.Label}
	if err := h.phone.NormalizeContact(&c); err != nil {
		ce := err.(*crm.Error)
		return c, fieldError(location+"."+ce.Field, ce.Message, in.Value)
	}
	return c, nil
}

type addContactInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body ContactInput
}

type contactOutput struct{ Body ContactJSON }

type deleteContactInput struct {
	ID        int64 `path:"id" minimum:"1"`
	ContactID int64 `path:"contactId" minimum:"1"`
}

func (h clientHandlers) addContact(ctx context.Context, in *addContactInput) (*contactOutput, error) {
	c, err := h.contact(in.Body, "body")
	if err != nil {
		return nil, err
	}
	c.ClientID = in.ID
	if _, err := h.clients.GetClient(ctx, in.ID); err != nil {
		return nil, h.problem(ctx, err)
	}
	if err := h.clients.AddContact(ctx, &c); err != nil {
		return nil, h.problem(ctx, err)
	}
	return &contactOutput{Body: contactJSON(c)}, nil
}

func (h clientHandlers) deleteContact(ctx context.Context, in *deleteContactInput) (*struct{}, error) {
	if err := h.clients.DeleteContact(ctx, in.ID, in.ContactID); err != nil {
		return nil, h.problem(ctx, err)
	}
	return nil, nil
}
