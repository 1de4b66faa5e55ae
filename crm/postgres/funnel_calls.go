package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"hotline/crm"
	"hotline/crm/funnel"
)

// firstCallSQL reads in one statement what opening a deal from a call
// ($1 the agent's login, $2 the customer's number, $3 when the call
// started) needs: whether deals open from first calls (NULL without the
// settings row), the agent's user id, the first client with the number (in
// FindClientsByPhone's order) and whether that client is known already (has
// a deal or an earlier logged call). With the setting off and $4 false it
// looks no further; nor does it look for the client of an agent who is not
// a user.
const firstCallSQL = `WITH s AS (SELECT (SELECT auto_open_deals FROM funnel_settings WHERE id = 1) AS auto)
SELECT s.auto, u.id, cl.id, coalesce(cl.known, false)
FROM s
LEFT JOIN LATERAL (SELECT id FROM users WHERE (s.auto OR $4) AND login = $1) u ON true
LEFT JOIN LATERAL (
	SELECT c.id, EXISTS (SELECT 1 FROM deals WHERE client_id = c.id)
	       OR EXISTS (SELECT 1 FROM call_log WHERE client_id = c.id AND started_at < $3::timestamptz - interval '1 second') AS known
	FROM clients c LEFT JOIN priority_classes p ON p.code = c.priority
	WHERE u.id IS NOT NULL AND c.id IN (SELECT client_id FROM contacts WHERE kind = 'phone' AND value = $2)
	ORDER BY p.rank NULLS LAST, c.name, c.id LIMIT 1) cl ON true`

// firstCall is what firstCallSQL found.
type firstCall struct {
	auto     *bool  // nil without settings
	agentID  *int64 // nil when the agent is not a user
	clientID *int64 // nil when no client has the number
	known    bool
}

func (s *FunnelService) readFirstCall(ctx context.Context, c funnel.Call, regardless bool) (firstCall, error) {
	var f firstCall
	login := strings.ToLower(strings.TrimSpace(c.Agent))
	err := s.db.pool.QueryRow(ctx, firstCallSQL, login, c.Customer, c.At, regardless).Scan(&f.auto, &f.agentID, &f.clientID, &f.known)
	return f, funnelErr(err, "check first call")
}

// OpenDealIfFirstCall is OpenDealForFirstCall when the funnel settings
// say deals open from first calls (else opened is false). A call that
// opens nothing (the setting off, the agent not a user, the client known)
// costs one round trip.
func (s *FunnelService) OpenDealIfFirstCall(ctx context.Context, c funnel.Call) (funnel.Deal, bool, error) {
	f, err := s.readFirstCall(ctx, c, false)
	if err != nil {
		return funnel.Deal{}, false, err
	}
	if f.auto == nil {
		return funnel.Deal{}, false, funnelErr(pgx.ErrNoRows, "funnel settings")
	}
	if !*f.auto {
		return funnel.Deal{}, false, nil
	}
	return s.openFirstCallDeal(ctx, c, f)
}

// OpenDealForFirstCall opens a deal at the first stage of the default
// funnel, owned by the call's agent, when the call is the first logged call
// with a new client: a number no client has (the client is created, named
// after the number) or a client with no deal and no earlier call. opened is
// false when the agent is not a user or the client is not new. Callers feed
// calls one at a time (funnel.AutoOpener from one goroutine).
func (s *FunnelService) OpenDealForFirstCall(ctx context.Context, c funnel.Call) (funnel.Deal, bool, error) {
	f, err := s.readFirstCall(ctx, c, true)
	if err != nil {
		return funnel.Deal{}, false, err
	}
	return s.openFirstCallDeal(ctx, c, f)
}

// openFirstCallDeal opens the deal of a first call as f found it, creating
// its client when no client has the number.
func (s *FunnelService) openFirstCallDeal(ctx context.Context, c funnel.Call, f firstCall) (funnel.Deal, bool, error) {
	if f.agentID == nil || f.known {
		return funnel.Deal{}, false, nil
	}
	agent := *f.agentID
	if f.clientID == nil {
		cl := crm.Client{Kind: crm.ClientPerson, Name: "Caller " + c.Customer, OwnerID: &agent,
			Notes:    "Created by the first call, " + c.At.UTC().Format("2006-01-02 15:04 UTC"),
			Contacts: []crm.Contact{{Kind: crm.ContactPhone, Value: c.Customer, Raw: c.Customer}}}
		if err := (&ClientService{db: s.db}).CreateClient(ctx, &cl); err != nil {
			return funnel.Deal{}, false, fmt.Errorf("create client for %s: %w", c.Customer, err)
		}
		f.clientID = &cl.ID
	}
	d := funnel.Deal{ClientID: *f.clientID, OwnerID: agent, Title: "First call " + c.At.UTC().Format("2006-01-02"),
		Source: "call"}
	if err := s.CreateDeal(ctx, &d, &agent, c.At); err != nil {
		return funnel.Deal{}, false, err
	}
	return d, true, nil
}
