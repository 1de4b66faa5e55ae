package funnel

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Call is what the funnel needs of an ended call from the call log.
type Call struct {
	Node     string    // the PBX node; with LinkedID, the call's key in the call log
	LinkedID string    // the call's linkedid
	Customer string    // the outside party in E.164; "" for internal calls
	Agent    string    // login of the agent who talked
	At       time.Time // when the call started
	Answered bool
	// Texts are what a deal this call opens writes, in the centre's
	// language (AutoOpener fills them).
	Texts FirstCallTexts
}

// FirstCallTexts are the texts a first call writes: the deal's title and,
// for a number no client has, the new client's name and notes.
type FirstCallTexts struct {
	DealTitle   string
	ClientName  string
	ClientNotes string
}

// opens reports whether c may open a deal: an answered external call that
// an agent took.
func (c Call) opens() bool { return c.Customer != "" && c.Agent != "" && c.Answered }

// FirstCallStore opens the deals of first calls (crm/postgres.FunnelService).
type FirstCallStore interface {
	// OpenFirstCallDeals opens, when Settings.AutoOpenDeals is on, a deal
	// at the first stage of the default funnel for every new client whose
	// first call is among calls (ended calls already in the call log): a
	// number no client has (the client is created, named after the number,
	// owned by the agent) or a client with no deal and no earlier logged
	// call. Only an answered call taken by an agent who is a user counts;
	// the agent owns the deal; one client gets one deal, from its earliest
	// call. It is idempotent: calls given again open nothing more. The
	// calls that open nothing are still linked to the clients created for
	// their numbers, as the call log links calls to clients. It returns the
	// deals opened; without the settings row it fails (crm.KindNotFound).
	OpenFirstCallDeals(ctx context.Context, calls []Call) ([]Deal, error)
}

// AutoOpener opens deals from first calls with new clients when the admin
// has turned that on (Settings.AutoOpenDeals). Feed it the calls of each
// batch the call log saved, one batch at a time.
type AutoOpener struct {
	Store  FirstCallStore
	Logger *slog.Logger
	// Texts gives a call's texts in the centre's language and zone.
	Texts func(c Call) FirstCallTexts
}

// HandleCalls opens the deals of the first calls among ended calls: the
// store is asked once, and not at all when no call could open a deal.
func (a *AutoOpener) HandleCalls(ctx context.Context, ended []Call) ([]Deal, error) {
	if a.Texts == nil {
		return nil, fmt.Errorf("auto-open deals: the opener has no texts")
	}
	var external []Call
	opens := false
	for _, c := range ended {
		if c.Customer != "" {
			if c.opens() { // only such a call writes texts: the others' are never formatted
				c.Texts = a.Texts(c)
				opens = true
			}
			external = append(external, c)
		}
	}
	if !opens {
		return nil, nil
	}
	deals, err := a.Store.OpenFirstCallDeals(ctx, external)
	if err != nil {
		return nil, fmt.Errorf("auto-open deals from %d calls: %w", len(external), err)
	}
	if a.Logger != nil {
		for _, d := range deals {
			a.Logger.InfoContext(ctx, "deal opened by a first call", slog.Int64("deal_id", d.ID),
				slog.Int64("client_id", d.ClientID), slog.Int64("salesperson_id", d.OwnerID))
		}
	}
	return deals, nil
}
