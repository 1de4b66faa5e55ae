package screenpop

import (
	"context"
	"fmt"

	"hotline/crm"
)

// CardLookup reads everything a card shows about a number at once (one
// round trip to the CRM store instead of one per part): the clients with
// the number (E.164), best first as ClientFinder orders them, and each
// one's last limit interactions, open tickets, purchased products and
// survey scores, ordered as RecentInteractions, TicketLister, ProductLister
// and SurveyLister order them; for a viewer (a login, "" for none), also
// which of the card's requests they may see (TicketVisibility). Optional.
type CardLookup interface {
	LookupCard(ctx context.Context, e164 string, limit int, viewer string) (CardData, error)
}

// CardData is a CardLookup's answer. A part that could not be read has its
// error set and is empty on every client; the other parts are kept. An
// error returned by LookupCard itself means the clients could not be read.
type CardData struct {
	Clients     []CardClient
	RecentErr   error
	TicketsErr  error
	ProductsErr error
	SurveysErr  error
	// Seen says, for the viewer asked for, whether they may see each
	// request the card shows (its tickets and its timeline entries'
	// requests); nil when no viewer was asked for or it could not be read.
	Seen map[int64]bool
}

// CardClient is one client with a number and the parts of its card.
type CardClient struct {
	// Client is the client without its contacts (the card shows none).
	Client crm.Client
	// OwnerName is the owner's display name (Directory.UserNames); "" when
	// the client has no owner.
	OwnerName string
	Recent    []crm.Interaction
	Tickets   []Ticket
	Products  []Product
	Surveys   []SurveyScore
}

// buildFromLookup is the lookup and fill of Build through CardLookup: the
// same card, with the parts whose sources are set (the others are modules
// this installation lacks), from one call, and what viewer may see of it
// (seen, when read). done is false when the lookup failed as a whole
// (card.Error says so); err is only the context's.
func (b *CardBuilder) buildFromLookup(ctx context.Context, card *Card, e164, viewer string) (seen map[int64]bool, done bool, err error) {
	data, err := b.src.Lookup.LookupCard(ctx, e164, b.src.RecentLimit, viewer)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, fmt.Errorf("look the card up by phone: %w", ctx.Err())
		}
		card.Error = "client lookup failed; search by number"
		return nil, false, nil
	}
	if len(data.Clients) == 0 {
		return data.Seen, true, nil
	}
	owners := make(map[int64]string, len(data.Clients))
	for _, dc := range data.Clients {
		card.Clients = append(card.Clients, b.clientCard(dc.Client))
		if dc.Client.OwnerID != nil {
			owners[*dc.Client.OwnerID] = dc.OwnerName
		}
	}
	b.rememberNames(owners)
	var failed []string
	if err := b.applyNames(ctx, card); err != nil {
		failed = append(failed, "owner and priority names")
	}
	if b.src.Recent != nil && data.RecentErr != nil {
		failed = append(failed, "recent interactions")
	}
	for i, dc := range data.Clients {
		c := &card.Clients[i]
		if b.src.Recent != nil {
			for _, it := range dc.Recent {
				c.Recent = append(c.Recent, Interaction{Kind: string(it.Kind), At: it.At, Summary: it.Summary, TicketID: ticketRef(it)})
			}
		}
		// as fill: a part that failed is named once per client
		if b.src.Tickets != nil {
			c.Tickets = dc.Tickets
			if data.TicketsErr != nil {
				failed = append(failed, "tickets")
			}
		}
		if b.src.Products != nil {
			c.Products = dc.Products
			if data.ProductsErr != nil {
				failed = append(failed, "products")
			}
		}
		if b.src.Surveys != nil {
			c.Surveys = dc.Surveys
			if data.SurveysErr != nil {
				failed = append(failed, "survey scores")
			}
		}
	}
	if len(failed) > 0 {
		card.Error = fmt.Errorf("could not load %v", failed).Error()
	}
	return data.Seen, true, nil
}

// rememberNames puts owner names read with the card into the directory's
// name cache, so that applyNames asks the Directory only for the others.
func (b *CardBuilder) rememberNames(names map[int64]string) {
	if b.src.Directory == nil || len(names) == 0 {
		return
	}
	now := b.src.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Sub(b.namesAt) >= b.src.DirectoryTTL {
		b.names, b.namesAt = map[int64]string{}, now
	}
	for id, n := range names {
		b.names[id] = n
	}
}
