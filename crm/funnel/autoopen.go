package funnel

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Call is what the funnel needs of a finished call from the call log.
type Call struct {
	Customer string    // the outside party in E.164; "" for internal calls
	Agent    string    // login of the agent who talked
	At       time.Time // when the call started
	Answered bool
}

// CallDealStore is what AutoOpener needs (crm/postgres.FunnelService).
type CallDealStore interface {
	FunnelSettings(ctx context.Context) (Settings, error)
	// OpenDealForFirstCall opens a deal at the first stage of the default
	// funnel for the call's client, owned by the call's agent, when this is
	// the client's first logged call and the client has no deal; a number
	// no client has becomes a new client. opened is false when nothing was
	// done.
	OpenDealForFirstCall(ctx context.Context, c Call) (d Deal, opened bool, err error)
}

// AutoOpener opens deals from first calls with new clients when the admin
// has turned that on (Settings.AutoOpenDeals). Feed it the tracker's
// CallEnded events from one goroutine.
type AutoOpener struct {
	Store  CallDealStore
	Logger *slog.Logger
}

// FirstCallStore is a CallDealStore that checks the setting together with
// the call's agent and client (crm/postgres.FunnelService: one round trip
// when nothing is to open). AutoOpener uses it when its Store has it.
type FirstCallStore interface {
	// OpenDealIfFirstCall is OpenDealForFirstCall when
	// Settings.AutoOpenDeals is on; opened is false when it is off.
	OpenDealIfFirstCall(ctx context.Context, c Call) (d Deal, opened bool, err error)
}

// HandleCall opens a deal for an answered external call when enabled.
func (a *AutoOpener) HandleCall(ctx context.Context, c Call) (Deal, bool, error) {
	if c.Customer == "" || c.Agent == "" || !c.Answered {
		return Deal{}, false, nil
	}
	var d Deal
	var opened bool
	var err error
	if fs, ok := a.Store.(FirstCallStore); ok {
		d, opened, err = fs.OpenDealIfFirstCall(ctx, c)
	} else {
		d, opened, err = a.openIfEnabled(ctx, c)
	}
	if err != nil {
		return Deal{}, false, fmt.Errorf("auto-open deal for %s: %w", c.Agent, err)
	}
	if opened && a.Logger != nil {
		a.Logger.InfoContext(ctx, "deal opened by a first call", slog.Int64("deal_id", d.ID),
			slog.Int64("client_id", d.ClientID), slog.String("agent", c.Agent))
	}
	return d, opened, nil
}

// openIfEnabled reads the settings, then opens the deal when enabled.
func (a *AutoOpener) openIfEnabled(ctx context.Context, c Call) (Deal, bool, error) {
	set, err := a.Store.FunnelSettings(ctx)
	if err != nil {
		return Deal{}, false, err
	}
	if !set.AutoOpenDeals {
		return Deal{}, false, nil
	}
	return a.Store.OpenDealForFirstCall(ctx, c)
}
