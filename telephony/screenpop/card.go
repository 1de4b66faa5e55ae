package screenpop

import (
	"context"
	"fmt"
	"sync"
	"time"

	"hotline/crm"
	"hotline/crm/phone"
)

// ClientFinder finds the clients that have a phone number (E.164). The CRM
// store satisfies it with an indexed query.
type ClientFinder interface {
	FindClientsByPhone(ctx context.Context, e164 string) ([]crm.Client, error)
}

// RecentInteractions returns the last few timeline entries of each client,
// in one query. Optional.
type RecentInteractions interface {
	RecentInteractions(ctx context.Context, clientIDs []int64, perClient int) (map[int64][]crm.Interaction, error)
}

// Directory names users and priority classes on cards. Its answers are
// cached by the card builder. Optional.
type Directory interface {
	UserNames(ctx context.Context, ids []int64) (map[int64]string, error)
	ListPriorityClasses(ctx context.Context) ([]crm.PriorityClass, error)
}

// TicketLister lists a client's open tickets. Optional until the service
// desk exists; without it the card says there is no tickets module.
type TicketLister interface {
	OpenTickets(ctx context.Context, clientID int64, limit int) ([]Ticket, error)
}

// ProductLister lists a client's purchased products with support conditions.
// Optional.
type ProductLister interface {
	PurchasedProducts(ctx context.Context, clientID int64, limit int) ([]Product, error)
}

// SurveyLister lists a client's last survey scores. Optional.
type SurveyLister interface {
	LastSurveyScores(ctx context.Context, clientID int64, limit int) ([]SurveyScore, error)
}

// Numbers turns a number seen on a call into E.164 (ok) or returns it as
// it was (crm/phone.Normalizer.Lookup).
type Numbers interface {
	Lookup(raw string) (value string, ok bool)
}

// CardSources are where a card's parts come from. Only Clients (or Lookup)
// is required.
type CardSources struct {
	Clients ClientFinder
	// Lookup, when set, reads the clients and every part in one call
	// instead of Clients, Recent, Tickets, Products and Surveys; those
	// still say which parts this installation has (a nil one stays off the
	// card). When the lookup fails as a whole, the card is built from
	// them (with Clients set), so that only the parts that fail there too
	// are missing.
	Lookup    CardLookup
	Recent    RecentInteractions
	Directory Directory
	Tickets   TicketLister
	Products  ProductLister
	Surveys   SurveyLister
	// Routes answers the dialplan's routing hint; optional.
	Routes RouteSource
	// Phone normalises caller numbers (crm/phone.Normalizer or its Memo);
	// nil: a Normalizer of region RU.
	Phone Numbers
	// ClientURL is the client page's path; default "/clients/{id}".
	ClientURL func(id int64) string
	// RecentLimit is how many interactions, tickets, products and survey
	// scores a card shows per client; default 5.
	RecentLimit int
	// DirectoryTTL is how long names and priority classes are cached;
	// default one minute.
	DirectoryTTL time.Duration
	Now          func() time.Time
}

// CardBuilder builds client cards from CardSources.
type CardBuilder struct {
	src CardSources

	mu        sync.Mutex
	classes   map[string]crm.PriorityClass
	classesAt time.Time
	names     map[int64]string
	namesAt   time.Time
}

// NewCardBuilder returns a CardBuilder; it panics without a ClientFinder
// or a CardLookup, which is a wiring bug.
func NewCardBuilder(src CardSources) *CardBuilder {
	if src.Clients == nil && src.Lookup == nil {
		panic("screenpop: CardSources.Clients or Lookup is required")
	}
	if src.ClientURL == nil {
		src.ClientURL = func(id int64) string { return fmt.Sprintf("/clients/%d", id) }
	}
	if src.RecentLimit <= 0 {
		src.RecentLimit = 5
	}
	if src.Phone == nil {
		src.Phone = phone.Normalizer{}
	}
	if src.DirectoryTTL <= 0 {
		src.DirectoryTTL = time.Minute
	}
	if src.Now == nil {
		src.Now = time.Now
	}
	return &CardBuilder{src: src, names: map[int64]string{}}
}

// Build looks the caller up and returns the card. A lookup failure is put
// on the card (Error) rather than returned, so that the pop still goes out
// with the number; only a cancelled context returns an error.
func (b *CardBuilder) Build(ctx context.Context, caller, callerName, dialled string) (*Card, error) {
	card, _, err := b.BuildFor(ctx, caller, callerName, dialled, "")
	return card, err
}

// BuildFor is Build that, with a CardLookup, also reads in the same round
// trip which of the card's requests viewer (a login) may see: seen is nil
// when that was not read.
func (b *CardBuilder) BuildFor(ctx context.Context, caller, callerName, dialled, viewer string) (*Card, map[int64]bool, error) {
	card := &Card{
		Caller:     caller,
		CallerName: callerName,
		Dialled:    dialled,
		Clients:    []ClientCard{},
		Modules: ModuleNotices{
			Tickets:  b.src.Tickets != nil,
			Products: b.src.Products != nil,
			Surveys:  b.src.Surveys != nil,
		},
	}
	defer func() { card.BuiltAt = b.src.Now() }()
	e164, ok := b.src.Phone.Lookup(caller)
	if !ok {
		return card, nil, nil // withheld, internal or malformed: no lookup
	}
	card.CallerE164 = e164
	if b.src.Lookup != nil {
		seen, done, err := b.buildFromLookup(ctx, card, e164, viewer)
		switch {
		case err != nil:
			return nil, nil, err
		case done || b.src.Clients == nil:
			return card, seen, nil
		}
		// the lookup failed as a whole: the separate sources may still
		// read the parts that work
		card.Error = ""
	}
	clients, err := b.src.Clients.FindClientsByPhone(ctx, e164)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("find clients by phone: %w", ctx.Err())
		}
		card.Error = "client lookup failed; search by number"
		return card, nil, nil
	}
	for _, c := range clients {
		card.Clients = append(card.Clients, b.clientCard(c))
	}
	if len(card.Clients) == 0 {
		return card, nil, nil
	}
	if err := b.fill(ctx, card); err != nil {
		card.Error = err.Error()
	}
	return card, nil, nil
}

func (b *CardBuilder) clientCard(c crm.Client) ClientCard {
	cc := ClientCard{
		ID:       c.ID,
		Name:     c.Name,
		Company:  c.Company,
		Kind:     string(c.Kind),
		Priority: PriorityView{Code: c.Priority},
		URL:      b.src.ClientURL(c.ID),
		Tags:     c.Tags,
	}
	if c.OwnerID != nil {
		cc.OwnerID = *c.OwnerID
	}
	return cc
}

// fill adds names, priority classes and the optional parts. Failures of the
// optional parts leave them empty and are reported together.
func (b *CardBuilder) fill(ctx context.Context, card *Card) error {
	var failed []string
	if err := b.applyNames(ctx, card); err != nil {
		failed = append(failed, "owner and priority names")
	}
	ids := make([]int64, len(card.Clients))
	for i, c := range card.Clients {
		ids[i] = c.ID
	}
	if b.src.Recent != nil {
		recent, err := b.src.Recent.RecentInteractions(ctx, ids, b.src.RecentLimit)
		if err != nil {
			failed = append(failed, "recent interactions")
		}
		for i := range card.Clients {
			for _, it := range recent[card.Clients[i].ID] {
				card.Clients[i].Recent = append(card.Clients[i].Recent,
					Interaction{Kind: string(it.Kind), At: it.At, Summary: it.Summary, TicketID: ticketRef(it)})
			}
		}
	}
	n := b.src.RecentLimit
	for i := range card.Clients {
		c := &card.Clients[i]
		var err error
		if b.src.Tickets != nil {
			if c.Tickets, err = b.src.Tickets.OpenTickets(ctx, c.ID, n); err != nil {
				failed = append(failed, "tickets")
			}
		}
		if b.src.Products != nil {
			if c.Products, err = b.src.Products.PurchasedProducts(ctx, c.ID, n); err != nil {
				failed = append(failed, "products")
			}
		}
		if b.src.Surveys != nil {
			if c.Surveys, err = b.src.Surveys.LastSurveyScores(ctx, c.ID, n); err != nil {
				failed = append(failed, "survey scores")
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("could not load %v", failed)
	}
	return nil
}

// names_ sets owner names and priority class names from the cached directory.
func (b *CardBuilder) applyNames(ctx context.Context, card *Card) error {
	if b.src.Directory == nil {
		return nil
	}
	classes, err := b.priorityClasses(ctx)
	if err != nil {
		return err
	}
	var owners []int64
	for _, c := range card.Clients {
		if c.OwnerID != 0 {
			owners = append(owners, c.OwnerID)
		}
	}
	names, err := b.userNames(ctx, owners)
	for i := range card.Clients {
		c := &card.Clients[i]
		if pc, ok := classes[c.Priority.Code]; ok {
			c.Priority.Name, c.Priority.Rank = pc.Name, pc.Rank
		}
		c.OwnerName = names[c.OwnerID]
	}
	return err
}

func (b *CardBuilder) priorityClasses(ctx context.Context) (map[string]crm.PriorityClass, error) {
	now := b.src.Now()
	b.mu.Lock()
	if b.classes != nil && now.Sub(b.classesAt) < b.src.DirectoryTTL {
		m := b.classes
		b.mu.Unlock()
		return m, nil
	}
	b.mu.Unlock()
	list, err := b.src.Directory.ListPriorityClasses(ctx)
	if err != nil {
		return nil, fmt.Errorf("list priority classes: %w", err)
	}
	m := make(map[string]crm.PriorityClass, len(list))
	for _, pc := range list {
		m[pc.Code] = pc
	}
	b.mu.Lock()
	b.classes, b.classesAt = m, now
	b.mu.Unlock()
	return m, nil
}

func (b *CardBuilder) userNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	now := b.src.Now()
	out := make(map[int64]string, len(ids))
	var missing []int64
	b.mu.Lock()
	if now.Sub(b.namesAt) >= b.src.DirectoryTTL {
		b.names, b.namesAt = map[int64]string{}, now
	}
	for _, id := range ids {
		if n, ok := b.names[id]; ok {
			out[id] = n
		} else {
			missing = append(missing, id)
		}
	}
	b.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	got, err := b.src.Directory.UserNames(ctx, missing)
	if err != nil {
		return out, fmt.Errorf("user names: %w", err)
	}
	b.mu.Lock()
	for id, n := range got {
		b.names[id] = n
		out[id] = n
	}
	b.mu.Unlock()
	return out, nil
}
