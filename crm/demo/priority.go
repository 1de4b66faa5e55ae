package demo

import (
	"context"
	"fmt"

	"hotline/crm"
)

// ClientLister pages through the clients (crm/postgres.ClientService).
type ClientLister interface {
	ListClients(ctx context.Context, f crm.ClientFilter) (crm.Page[crm.Client], error)
}

// priorityRules are the demo's classes with real rules over the last 12
// months: VIP from 1 000 000 ₽, A ("Gold") from 300 000 ₽, B from 5
// purchases, C for everyone else. Names and descriptions are the seeded
// ones where the class existed, so the pages word them for the reader.
func priorityRules() []crm.PriorityClass {
	rub := func(v int64) *int64 { v *= 100; return &v }
	five := 5
	return []crm.PriorityClass{
		{Code: "VIP", Name: "VIP", Rank: 0, MinRevenue: rub(1_000_000),
			Description: "Ключевые клиенты: выручка за год от 1 000 000 ₽."},
		{Code: "A", Name: "Class A", Rank: 1, MinRevenue: rub(300_000),
			Description: "Постоянные клиенты: выручка за год от 300 000 ₽."},
		{Code: "B", Name: "Class B", Rank: 2, MinPurchases: &five,
			Description: "Частые покупатели: от 5 покупок за год."},
		{Code: "C", Name: "Class C", Rank: 3, Description: "New and occasional customers; the default class."},
	}
}

// SeedPriority gives the classes their demo rules, hands every demo client
// but the transcripts' caller and the company the outbound transcript
// dials back to the rules, and classifies them by the money seeded
// (SeedResources runs first). It returns how many clients changed class.
func SeedPriority(ctx context.Context, clients ClientLister, prio crm.PriorityService) (int, error) {
	for _, c := range priorityRules() {
		if err := prio.Save(ctx, c); err != nil {
			return 0, fmt.Errorf("demo priority class %s: %w", c.Code, err)
		}
	}
	after := ""
	for {
		page, err := clients.ListClients(ctx, crm.ClientFilter{After: after, Limit: 200})
		if err != nil {
			return 0, fmt.Errorf("demo priority: list clients: %w", err)
		}
		for _, c := range page.Items {
			if c.Name == CallerName || !c.PriorityManual || hasNumber(c, outboundNumber) {
				continue
			}
			if _, err := prio.SetClientPriority(ctx, c.ID, "", false); err != nil {
				return 0, fmt.Errorf("demo priority of %q: %w", c.Name, err)
			}
		}
		if after = page.Next; after == "" {
			break
		}
	}
	return prio.Reclassify(ctx)
}

func hasNumber(c crm.Client, e164 string) bool {
	for _, ct := range c.Contacts {
		if ct.Kind == crm.ContactPhone && ct.Value == e164 {
			return true
		}
	}
	return false
}
