package postgres

import (
	"context"
	"fmt"

	"hotline/crm"
	"hotline/crm/funnel"
)

// OpenDealForFirstCall opens a deal at the first stage of the default
// funnel, owned by the call's agent, when the call is the first logged call
// with a new client: a number no client has (the client is created, named
// after the number) or a client with no deal and no earlier call. opened is
// false when the agent is not a user or the client is not new. Callers feed
// calls one at a time (funnel.AutoOpener from one goroutine).
func (s *FunnelService) OpenDealForFirstCall(ctx context.Context, c funnel.Call) (funnel.Deal, bool, error) {
	agent, _, err := s.db.userByLogin(ctx, c.Agent)
	if crm.IsKind(err, crm.KindNotFound) {
		return funnel.Deal{}, false, nil
	}
	if err != nil {
		return funnel.Deal{}, false, err
	}
	clients, err := s.db.findClientsByPhone(ctx, c.Customer)
	if err != nil {
		return funnel.Deal{}, false, err
	}
	var clientID int64
	if len(clients) == 0 {
		cl := crm.Client{Kind: crm.ClientPerson, Name: "Caller " + c.Customer, OwnerID: &agent.ID,
			Notes:    "Created by the first call, " + c.At.UTC().Format("2006-01-02 15:04 UTC"),
			Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: c.Customer, Raw: c.Customer}}}
		if err := (&ClientService{db: s.db}).CreateClient(ctx, &cl); err != nil {
			return funnel.Deal{}, false, fmt.Errorf("create client for %s: %w", c.Customer, err)
		}
		clientID = cl.ID
	} else {
		clientID = clients[0].ID
		var known bool
		err := s.db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM deals WHERE client_id = $1)
			OR EXISTS (SELECT 1 FROM call_log WHERE client_id = $1 AND started_at < $2::timestamptz - interval '1 second')`,
			clientID, c.At).Scan(&known)
		if err != nil {
			return funnel.Deal{}, false, funnelErr(err, "check first call")
		}
		if known {
			return funnel.Deal{}, false, nil
		}
	}
	d := funnel.Deal{ClientID: clientID, OwnerID: agent.ID, Title: "First call " + c.At.UTC().Format("2006-01-02"),
		Source: "call"}
	if err := s.CreateDeal(ctx, &d, &agent.ID, c.At); err != nil {
		return funnel.Deal{}, false, err
	}
	return d, true, nil
}
