package httpapi

import (
	"context"

	"hotline/crm"
)

// Store is what the API needs from the CRM store (crm/postgres satisfies it).
type Store interface {
	VisibleTickets(ctx context.Context, login string, ids []int64) (map[int64]bool, error)

	CreateClient(ctx context.Context, c *crm.Client) error
	GetClient(ctx context.Context, id int64) (crm.Client, error)
	UpdateClient(ctx context.Context, c *crm.Client) error
	DeleteClient(ctx context.Context, id int64) error
	ListClients(ctx context.Context, f crm.ClientFilter) (crm.Page[crm.Client], error)
	AddContact(ctx context.Context, c *crm.Contact) error
	DeleteContact(ctx context.Context, clientID, contactID int64) error

	ListPriorityClasses(ctx context.Context) ([]crm.PriorityClass, error)
	SavePriorityClass(ctx context.Context, p crm.PriorityClass) error

	AddInteraction(ctx context.Context, i *crm.Interaction) error
	Timeline(ctx context.Context, clientID int64, after string, limit int) (crm.Page[crm.Interaction], error)
}
