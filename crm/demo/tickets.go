package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"hotline/crm/funnel"
	"hotline/crm/resource"
	"hotline/crm/service"
)

// ticketSubjects are the requests clients open about each product.
var ticketSubjects = map[string][]string{
	skuT46:     {"Телефон не регистрируется на АТС", "Мерцает экран после обновления прошивки"},
	skuHeadset: {"Гарнитура трещит во время разговора", "Слишком тихий микрофон"},
	skuTrunk:   {"Исходящие звонки обрываются через 30 минут", "Нет звука в одну сторону на транке"},
	skuT54:     {"T54W постоянно теряет Wi-Fi", "Нужны ещё T54W для нового офиса"},
	skuDECT:    {"Трубка теряет базу на складе"},
	skuGateway: {"Не проходит факс через FXS-порт", "Шлюз перезагружается ночью"},
	skuPBX:     {"Записи очереди не сохраняются: закончился диск", "IP-АТС: добавить 20 абонентов"},
	skuSwitch:  {"PoE-порт не питает телефон"},
	skuBattery: {"Аккумулятор ИБП не держит заряд"},
}

// demoTickets is how many open product requests the demo has besides the
// demo caller's.
const demoTickets = 16

// pickTicketOrders chooses the orders clients open requests about: first
// one for each short product (so cards show "available from"), then others
// at random; one request per client, none about products without support.
func pickTicketOrders(rng *rand.Rand, cat []item, sales []purchase, ivan int64) []purchase {
	taken := map[int64]bool{ivan: true}
	var out []purchase
	add := func(p purchase) {
		if !taken[p.client.ID] && len(ticketSubjects[cat[p.item].SKU]) > 0 {
			taken[p.client.ID] = true
			out = append(out, p)
		}
	}
	for _, sku := range []string{skuT54, skuGateway, skuPBX} {
		for i := len(sales) - 1; i >= 0; i-- { // the latest buyer
			if cat[sales[i].item].SKU == sku && !taken[sales[i].client.ID] {
				add(sales[i])
				break
			}
		}
	}
	for tries := 0; len(out) < demoTickets && tries < 20*demoTickets; tries++ {
		add(sales[rng.IntN(len(sales))])
	}
	return out
}

// seedTickets opens the requests: the demo caller's about his phones and
// one for each picked order, created in the last days (this month), under
// the client's support terms of the product, most assigned to an agent;
// about half already cost an engineer's visit.
func seedTickets(ctx context.Context, st ResourceStore, res Resources, rng *rand.Rand, cat []item, orders []purchase, agents []int64, now time.Time) ([]service.Ticket, error) {
	var out []service.Ticket
	for i, p := range orders {
		it := cat[p.item]
		subjects := ticketSubjects[it.SKU]
		t := service.Ticket{ClientID: p.client.ID, ProductID: &cat[p.item].ID, Subject: subjects[rng.IntN(len(subjects))],
			Description: fmt.Sprintf("%s, bought %d on %s.", it.Name, p.qty, p.at.Format(time.DateOnly)),
			Category:    "equipment", CreatedBy: &agents[i%len(agents)], CreatedAt: recently(rng, now)}
		if t.CreatedAt.Before(p.at) { // bought in the last days
			t.CreatedAt = earlier(p.at.Add(time.Hour), now)
		}
		if i%4 != 3 {
			t.AssigneeID = &agents[(i+1)%len(agents)]
		}
		if p.note == ivanOrder {
			t.Subject, t.Description = "Два из двенадцати телефонов T46U не регистрируются", "Заказ 2026-114: телефоны 7 и 11 показывают «Нет связи»."
		}
		terms, err := st.SupportTerms(ctx, t.ClientID, *t.ProductID)
		if err != nil {
			return nil, fmt.Errorf("seed ticket support terms: %w", err)
		}
		t.Terms = terms
		if err := st.CreateTicket(ctx, &t); err != nil {
			return nil, fmt.Errorf("seed ticket for client %d: %w", p.client.ID, err)
		}
		out = append(out, t)
		if rng.IntN(2) == 0 && i > 0 {
			continue
		}
		cost := resource.Transaction{At: t.CreatedAt.Add(now.Sub(t.CreatedAt) / 2), Direction: resource.Expense, Amount: 150000 + rng.Int64N(450000),
			Category: resource.CategoryService, ClientID: &t.ClientID, ProductID: t.ProductID, TicketID: &t.ID, Note: "engineer visit"}
		if err := res.Money.AddTransaction(ctx, &cost); err != nil {
			return nil, fmt.Errorf("seed ticket cost: %w", err)
		}
	}
	return out, nil
}

// recently is a time in the last three days, not before this month began
// (so this month's report has its requests and their costs).
func recently(rng *rand.Rand, now time.Time) time.Time {
	from := now.Add(-72 * time.Hour)
	if ms := monthStart(now); ms.After(from) {
		from = ms
	}
	if span := now.Sub(from); span > 0 {
		return from.Add(time.Duration(rng.Int64N(int64(span))))
	}
	return now
}

// freeStock is what is left to reserve per item and warehouse code.
type freeStock map[int]map[string]int64

// take reserves up to want of an item in a warehouse, keeping a few for
// the agents to reserve themselves; it returns the quantity granted.
func (f freeStock) take(item int, wh string, want int64) int64 {
	got := min(want, f[item][wh]-5)
	if got <= 0 {
		return 0
	}
	f[item][wh] -= got
	return got
}

// seedReservations holds stock: 12 headsets for the demo caller, a spare
// for the first request about a product in stock, phones for an open deal,
// and repeat orders of a few buyers.
func seedReservations(ctx context.Context, st ResourceStore, res Resources, rng *rand.Rand, cat []item, whs map[string]int64, sales []purchase,
	tickets []service.Ticket, open []funnel.Deal, ivan int64,
) error {
	free := freeStock{}
	byProduct := map[int64]int{}
	for i, it := range cat {
		free[i] = map[string]int64{}
		for wh, n := range it.left {
			free[i][wh] = n
		}
		byProduct[it.ID] = i
	}
	t46, headset := itemIndex(cat, skuT46), itemIndex(cat, skuHeadset)
	free[t46][whMSK] -= 8 // on the transfer to Saint Petersburg
	var ins []resource.ReserveInput
	reserve := func(item int, wh string, qty int64, ttl time.Duration, in resource.ReserveInput) {
		if got := free.take(item, wh, qty); got > 0 {
			in.ProductID, in.WarehouseID, in.Qty, in.TTL = cat[item].ID, whs[wh], got, ttl
			ins = append(ins, in)
		}
	}
	reserve(headset, whMSK, 12, 72*time.Hour, resource.ReserveInput{ClientID: &ivan})
	for _, t := range tickets {
		if i := byProduct[*t.ProductID]; t.ClientID != ivan && free[i][whMSK] > 10 {
			reserve(i, whMSK, 1, 48*time.Hour, resource.ReserveInput{ClientID: &t.ClientID, TicketID: &t.ID})
			break
		}
	}
	for _, d := range open {
		if d.Currency == "RUB" {
			reserve(t46, whMSK, 5, 7*24*time.Hour, resource.ReserveInput{ClientID: &d.ClientID, DealID: &d.ID})
			break
		}
	}
	for n, tries := 0, 0; n < 5 && tries < 100; tries++ {
		p := sales[rng.IntN(len(sales))]
		if !business(p.client) || p.client.ID == ivan || cat[p.item].Unit == "month" {
			continue
		}
		if got := free[p.item][p.wh]; got > 10 {
			n++
			reserve(p.item, p.wh, 1+rng.Int64N(min(p.qty, 5)), time.Duration(24+rng.IntN(9*24))*time.Hour, resource.ReserveInput{ClientID: &p.client.ID})
		}
	}
	for _, in := range ins {
		if _, err := res.Reservations.Reserve(ctx, in); err != nil {
			return fmt.Errorf("seed reservation: %w", err)
		}
	}
	return nil
}
