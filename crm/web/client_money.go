package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"hotline/crm"
	"hotline/crm/httpapi"
	"hotline/crm/resource"
)

// ClientMoneyStore is what the client card's money box needs (crm/postgres.Store).
type ClientMoneyStore interface {
	ClientProfit(ctx context.Context, clientID int64, p resource.Period) (resource.Profit, error)
}

// MountClientMoney shows supervisors and admins, on the client card, the
// client's income, expenses, cost of goods shipped and profit for the
// current year (in roubles, the year of the centre's zone), with a link
// that records a transaction for the client.
func (p *Pages) MountClientMoney(store ClientMoneyStore, now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	p.mu.Lock()
	p.money, p.moneyNow = store, now
	p.mu.Unlock()
}

// clientMoney is the card's money box.
type clientMoney struct {
	Year   int
	Profit resource.Profit
}

// clientMoneyOf is the client's year for the card, or nil for agents or
// when the box is not mounted.
func (p *Pages) clientMoneyOf(r *http.Request, clientID int64) *clientMoney {
	p.mu.RLock()
	store, now := p.money, p.moneyNow
	p.mu.RUnlock()
	pr := crm.UserFromContext(r.Context())
	if store == nil || pr == nil || !slices.Contains(httpapi.SupervisorOrAdmin, pr.Role) {
		return nil
	}
	zone := loc(r).Zone()
	year := now().In(zone).Year()
	from := time.Date(year, 1, 1, 0, 0, 0, 0, zone)
	x, err := store.ClientProfit(r.Context(), clientID, resource.Period{From: from, To: from.AddDate(1, 0, 0), Currency: "RUB"})
	if err != nil {
		p.log.WarnContext(r.Context(), "client card without money", "client", clientID, "err", err)
		return nil
	}
	return &clientMoney{Year: year, Profit: x}
}

// prefillClient puts the client named by the query's client_id into the
// transaction form (from the card's "record a transaction" link).
func (mp *moneyPages) prefillClient(r *http.Request, f *txForm) {
	id, err := strconv.ParseInt(r.URL.Query().Get("client_id"), 10, 64)
	if err != nil || id <= 0 {
		return
	}
	if c, err := mp.p.clients.Clients.GetClient(r.Context(), id); err == nil {
		f.ClientID, f.ClientName = strconv.FormatInt(id, 10), c.Name
	}
}
