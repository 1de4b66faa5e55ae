package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"hotline/crm"
	"hotline/crm/resource"
)

// MountClientMoney shows supervisors and admins, on the client card, the
// client's income, expenses, cost of goods shipped and profit for the
// current year (in roubles, the year of the centre's zone), with a link
// that records a transaction for the client. Only deps.Money and deps.Now
// are used.
func (p *Pages) MountClientMoney(deps MoneyPageDeps) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	p.mu.Lock()
	p.money, p.moneyNow = deps.Money, deps.Now
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
	if store == nil || pr == nil || !slices.Contains(crm.SupervisorOrAdmin, pr.Role) {
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
