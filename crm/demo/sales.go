package demo

import (
	"math/rand/v2"
	"slices"
	"time"

	"hotline/crm"
	"hotline/crm/funnel"
)

// purchase is one order shipped to a client from a warehouse.
type purchase struct {
	client crm.Client
	item   int // index in the catalogue
	wh     string
	qty    int64
	at     time.Time
	deal   *funnel.Deal // the won deal it closes, if any
	note   string
	amount int64 // income; qty × price when zero
}

// ivanOrder is the demo caller's order of twelve T46 phones, two of which
// his open request is about.
const ivanOrder = "order 2026-114"

// buyerShare is the share of the demo's clients who bought something.
const buyerShare = 0.36

// business reports whether a client buys for a company (larger orders,
// trunks, gateways and PBXs).
func business(c crm.Client) bool { return c.Kind == crm.ClientCompany || c.Company != "" }

// salesPlanner draws the demo's sales history from one RNG.
type salesPlanner struct {
	rng *rand.Rand
	cat []item
	now time.Time
}

// plan returns the purchases of the history in time order: the demo
// caller's fixed orders, one order for each won deal in roubles (its amount
// as the income), and one to three orders for about a third of the other
// clients over the last six months, every eighth in the current month.
func (sp *salesPlanner) plan(clients []crm.Client, ivan crm.Client, won []funnel.Deal) []purchase {
	out := []purchase{
		{client: ivan, item: itemIndex(sp.cat, skuT46), wh: whMSK, qty: 12, at: sp.now.AddDate(0, 0, -10), note: ivanOrder},
		{client: ivan, item: itemIndex(sp.cat, skuTrunk), wh: whMSK, qty: 1, at: sp.now.AddDate(0, 0, -10)},
	}
	byID := map[int64]crm.Client{}
	for _, c := range clients {
		byID[c.ID] = c
	}
	for _, d := range won {
		c, ok := byID[d.ClientID]
		if !ok || d.Currency != "RUB" || d.ClosedAt.IsZero() || d.ClientID == ivan.ID {
			continue
		}
		if p, ok := sp.dealOrder(c, d); ok {
			out = append(out, p)
		}
	}
	n := 0
	for _, c := range clients {
		if c.ID == ivan.ID || sp.rng.Float64() >= buyerShare {
			continue
		}
		orders := 1 + sp.rng.IntN(2)
		if business(c) && sp.rng.IntN(3) == 0 {
			orders++
		}
		for range orders {
			n++
			out = append(out, sp.order(c, n%8 == 0))
		}
	}
	slices.SortStableFunc(out, func(a, b purchase) int { return a.at.Compare(b.at) })
	return out
}

// order draws one order of a client: a product it may buy (by weight), the
// quantity and the warehouse nearest to it.
func (sp *salesPlanner) order(c crm.Client, thisMonth bool) purchase {
	biz := business(c)
	total := 0
	for _, it := range sp.cat {
		if biz || it.personMax > 0 {
			total += it.weight
		}
	}
	r, idx := sp.rng.IntN(total), 0
	for i, it := range sp.cat {
		if !biz && it.personMax == 0 {
			continue
		}
		if r -= it.weight; r < 0 {
			idx = i
			break
		}
	}
	it := sp.cat[idx]
	qty := 1 + sp.rng.Int64N(max(it.personMax, 1))
	if biz {
		qty = it.companyMin + sp.rng.Int64N(it.companyMax-it.companyMin+1)
	}
	at := sp.now.Add(-time.Duration(sp.rng.Int64N(int64(historyDays * 24 * time.Hour))))
	if thisMonth {
		at = sp.now.Add(-time.Duration(sp.rng.Int64N(int64(sp.now.Sub(monthStart(sp.now))) + 1)))
	}
	return purchase{client: c, item: idx, wh: sp.warehouse(it, c), qty: qty, at: at}
}

// dealOrder ships what a won deal sold: the product whose price fits the
// deal's amount for a usual order, invoiced at the deal's amount.
func (sp *salesPlanner) dealOrder(c crm.Client, d funnel.Deal) (purchase, bool) {
	amount := int64(d.Amount)
	var fits []int
	for i, it := range sp.cat {
		if q := amount / it.Price; q >= max(it.companyMin, 1) && q <= 2*it.companyMax {
			fits = append(fits, i)
		}
	}
	if len(fits) == 0 {
		return purchase{}, false
	}
	idx := fits[sp.rng.IntN(len(fits))]
	it := sp.cat[idx]
	return purchase{client: c, item: idx, wh: sp.warehouse(it, c), qty: amount / it.Price, at: d.ClosedAt.UTC(),
		deal: &d, amount: amount, note: d.Title}, true
}

// warehouse picks where a client is served from (always the same for a
// client): Moscow mostly, then Saint Petersburg and Yekaterinburg, Moscow
// when the nearest does not keep the item.
func (sp *salesPlanner) warehouse(it item, c crm.Client) string {
	var wh string
	switch r := c.ID * 37 % 100; {
	case r < 60:
		wh = whMSK
	case r < 88:
		wh = whSPB
	default:
		wh = whEKB
	}
	if _, ok := it.left[wh]; !ok {
		return whMSK
	}
	return wh
}

// monthStart is the first instant of t's month in UTC.
func monthStart(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}
