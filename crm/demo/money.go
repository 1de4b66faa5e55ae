package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"hotline/crm/resource"
)

// deliveryCost is the range of a delivery's cost per warehouse, in kopecks.
var deliveryCost = map[string][2]int64{whMSK: {45000, 150000}, whSPB: {90000, 250000}, whEKB: {180000, 400000}}

// saleMoney is the money of one order: the sale (the deal's amount when it
// closes a deal), the installation fee of trunks and PBXs, phone set-up for
// larger phone orders, delivery for most orders and, for some, a warranty
// repair later on.
func saleMoney(rng *rand.Rand, cat []item, p purchase, now time.Time) []resource.Transaction {
	it := cat[p.item]
	client, product := &p.client.ID, &cat[p.item].ID
	amount := p.amount
	if amount == 0 {
		amount = p.qty * it.Price
	}
	sale := resource.Transaction{At: p.at, Direction: resource.Income, Amount: amount, Category: resource.CategorySale,
		ClientID: client, ProductID: product, Note: p.note}
	if p.deal != nil {
		sale.DealID = &p.deal.ID
	}
	out := []resource.Transaction{sale}
	later := func(d time.Duration) time.Time { return earlier(p.at.Add(d), now) }
	if it.setupFee > 0 {
		out = append(out, resource.Transaction{At: later(24 * time.Hour), Direction: resource.Income, Amount: it.setupFee,
			Category: resource.CategoryService, ClientID: client, ProductID: product, Note: "installation"})
	}
	if (it.SKU == skuT46 || it.SKU == skuT54) && p.qty >= 10 {
		out = append(out, resource.Transaction{At: later(24 * time.Hour), Direction: resource.Income, Amount: p.qty * 30000,
			Category: resource.CategoryService, ClientID: client, ProductID: product, Note: "phone provisioning"})
	}
	if it.Unit != "month" && rng.IntN(10) < 7 {
		r := deliveryCost[p.wh]
		out = append(out, resource.Transaction{At: later(6 * time.Hour), Direction: resource.Expense, Amount: r[0] + rng.Int64N(r[1]-r[0]),
			Category: resource.CategoryDelivery, ClientID: client, ProductID: product, Note: "courier"})
	}
	if it.SupportMonths > 1 && rng.IntN(4) == 0 {
		if age := now.Sub(p.at); age > 48*time.Hour { // most faults show in the first two months
			at := p.at.Add(24*time.Hour + time.Duration(rng.Int64N(int64(min(age-24*time.Hour, 60*24*time.Hour)))))
			out = append(out, resource.Transaction{At: at, Direction: resource.Expense, Amount: 120000 + rng.Int64N(680000),
				Category: resource.CategoryService, ClientID: client, ProductID: product, Note: "warranty repair"})
		}
	}
	return out
}

// demoCampaign is a marketing campaign with its spending and whom it brings.
type demoCampaign struct {
	resource.MarketingCampaign
	spend    func(now time.Time) []spendAt
	fromDays int // its leads come from this many days back
}

type spendAt struct {
	at     time.Time
	amount int64
}

// campaigns are the demo's marketing: search ads every month, a partner
// newsletter for the last three months and an autumn webinar.
func campaigns() []demoCampaign {
	monthly := func(months int, day int, amount int64) func(time.Time) []spendAt {
		return func(now time.Time) []spendAt {
			var out []spendAt
			for m := months; m >= 0; m-- {
				at := monthStart(now).AddDate(0, -m, day-1).Add(9 * time.Hour)
				if at.After(now) && day > 1 {
					continue // not paid yet this month
				}
				out = append(out, spendAt{earlier(at, now), amount})
			}
			return out
		}
	}
	return []demoCampaign{
		{MarketingCampaign: resource.MarketingCampaign{Name: "Яндекс Директ: IP-телефония", Channel: "search_ads"},
			spend: monthly(6, 1, 15000000), fromDays: historyDays},
		{MarketingCampaign: resource.MarketingCampaign{Name: "Рассылка для партнёров", Channel: "email"},
			spend: monthly(2, 10, 2500000), fromDays: 90},
		{MarketingCampaign: resource.MarketingCampaign{Name: "Осенний вебинар", Channel: "webinar"},
			spend: func(now time.Time) []spendAt {
				return []spendAt{{now.AddDate(0, 0, -45), 7000000}, {now.AddDate(0, 0, -25), 5000000}}
			}, fromDays: 45},
	}
}

// lead is a client brought by a campaign, won when it bought.
type lead struct {
	campaign int // index in campaigns()
	client   int64
	acquired time.Time
	won      *time.Time
}

// planLeads attributes clients to campaigns: the buyer of each won deal to
// the campaign running when the deal opened, about half the other buyers
// (won at their first order) and half the clients who did not buy (yet).
func planLeads(rng *rand.Rand, camps []demoCampaign, sales []purchase, others []int64, now time.Time) []lead {
	running := func(at time.Time) []int {
		var out []int
		for i, c := range camps {
			if !at.Before(now.AddDate(0, 0, -c.fromDays)) {
				out = append(out, i)
			}
		}
		return out
	}
	seen := map[int64]bool{}
	var out []lead
	for _, p := range sales { // in time order: the first order wins the lead
		if seen[p.client.ID] {
			continue
		}
		seen[p.client.ID] = true
		acquired := p.at.Add(-time.Duration(2+rng.IntN(20)) * 24 * time.Hour)
		if p.deal != nil {
			acquired = p.deal.CreatedAt.UTC()
		} else if rng.IntN(2) == 0 {
			continue
		}
		cs := running(acquired)
		if len(cs) == 0 {
			continue
		}
		won := p.at
		out = append(out, lead{campaign: cs[rng.IntN(len(cs))], client: p.client.ID, acquired: acquired, won: &won})
	}
	for _, id := range others {
		if seen[id] || rng.IntN(2) != 0 {
			continue
		}
		acquired := now.Add(-time.Duration(rng.Int64N(int64(historyDays * 24 * time.Hour))))
		if cs := running(acquired); len(cs) > 0 {
			out = append(out, lead{campaign: cs[rng.IntN(len(cs))], client: id, acquired: acquired})
		}
	}
	return out
}

// seedMarketing creates the campaigns, their spending and their leads.
func seedMarketing(ctx context.Context, st ResourceStore, res Resources, rng *rand.Rand, sales []purchase, others []int64, now time.Time) error {
	camps := campaigns()
	for i := range camps {
		c := &camps[i]
		if err := res.Money.CreateMarketingCampaign(ctx, &c.MarketingCampaign); err != nil {
			return fmt.Errorf("seed campaign %q: %w", c.Name, err)
		}
		for _, s := range c.spend(now) {
			t := resource.Transaction{At: s.at, Direction: resource.Expense, Amount: s.amount, Category: resource.CategoryMarketing,
				CampaignID: &c.ID, Note: c.Channel}
			if err := res.Money.AddTransaction(ctx, &t); err != nil {
				return fmt.Errorf("seed campaign spending: %w", err)
			}
		}
	}
	for _, l := range planLeads(rng, camps, sales, others, now) {
		id := camps[l.campaign].ID
		if err := res.Money.AddLead(ctx, id, l.client, l.acquired, false); err != nil {
			return fmt.Errorf("seed lead: %w", err)
		}
		if l.won != nil {
			if err := res.Money.AddLead(ctx, id, l.client, *l.won, true); err != nil {
				return fmt.Errorf("seed won lead: %w", err)
			}
		}
	}
	return nil
}

// earlier returns the earlier of two times.
func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
