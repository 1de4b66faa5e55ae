package demo

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/funnel"
)

var planNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// planClients are 300 clients, every fourth a company, Ivan first.
func planClients() []crm.Client {
	out := make([]crm.Client, 300)
	for i := range out {
		out[i] = crm.Client{ID: int64(i + 1), Name: fmt.Sprint("client ", i+1), Kind: crm.ClientPerson}
		if i%4 == 1 {
			out[i].Kind = crm.ClientCompany
		}
	}
	out[0].Company = "Romashka"
	return out
}

func planSales(cat []item) []purchase {
	won := []funnel.Deal{
		{ID: 7, ClientID: 9, Amount: 30000000, Currency: "RUB", CreatedAt: planNow.AddDate(0, 0, -40), ClosedAt: planNow.AddDate(0, 0, -12)},
		{ID: 8, ClientID: 10, Amount: 30000000, Currency: "USD", CreatedAt: planNow.AddDate(0, 0, -40), ClosedAt: planNow.AddDate(0, 0, -12)},
	}
	clients := planClients()
	sp := salesPlanner{rng: rand.New(rand.NewPCG(DefaultSeed, 1)), cat: cat, now: planNow}
	return sp.plan(clients, clients[0], won)
}

// TestPlanSales: the same seed gives the same history; about a third of
// the clients buy, over six months and this month too; the won deal in
// roubles is an order invoiced at its amount, the one in dollars is not.
func TestPlanSales(t *testing.T) {
	cat := catalogue()
	sales := planSales(cat)
	if again := planSales(cat); !reflect.DeepEqual(sales, again) {
		t.Fatal("two plans from the same seed differ")
	}
	buyers := map[int64]bool{}
	thisMonth := 0
	for i, p := range sales {
		buyers[p.client.ID] = true
		if i > 0 && p.at.Before(sales[i-1].at) {
			t.Fatalf("order %d at %v before the one before it", i, p.at)
		}
		if p.at.After(planNow) || p.at.Before(planNow.AddDate(0, 0, -historyDays)) {
			t.Fatalf("order at %v outside the history", p.at)
		}
		if !p.at.Before(monthStart(planNow)) {
			thisMonth++
		}
		if _, kept := cat[p.item].left[p.wh]; !kept || p.qty <= 0 {
			t.Fatalf("order %+v: %s not kept in %s", p, cat[p.item].SKU, p.wh)
		}
		if p.deal != nil && (p.deal.ID != 7 || p.amount != 30000000 || p.qty*cat[p.item].Price > p.amount) {
			t.Fatalf("deal order %+v", p)
		}
	}
	if len(buyers) < 80 || len(buyers) > 150 || thisMonth < 5 {
		t.Errorf("%d buyers, %d orders this month", len(buyers), thisMonth)
	}
}

// TestPlanLots: every order finds enough goods received before it in its
// warehouse, and what is left at the end is the catalogue's left stock
// (plus the short-dated batch of the items that expire).
func TestPlanLots(t *testing.T) {
	cat := catalogue()
	whs := map[string]int64{whMSK: 1, whSPB: 2, whEKB: 3}
	for i := range cat {
		cat[i].ID = int64(i + 1)
	}
	sales := planSales(cat)
	lots := planLots(cat, whs, sales, planNow)
	type key struct {
		product, wh int64
	}
	shipped := map[key]int64{}
	for _, p := range sales {
		k := key{cat[p.item].ID, whs[p.wh]}
		shipped[k] += p.qty
		received := int64(0)
		for _, l := range lots {
			if l.in.ProductID == k.product && l.in.WarehouseID == k.wh && !l.at.After(p.at) {
				received += l.in.Qty
			}
		}
		if received < shipped[k] {
			t.Fatalf("order %+v: %d received before it, %d shipped by then", p, received, shipped[k])
		}
	}
	onHand := map[key]int64{}
	for k, n := range shipped {
		onHand[k] = -n
	}
	for _, l := range lots {
		onHand[key{l.in.ProductID, l.in.WarehouseID}] += l.in.Qty
	}
	for _, it := range cat {
		for wh, left := range it.left {
			if it.shelfLife > 0 && wh == whMSK {
				left += 12
			}
			if got := onHand[key{it.ID, whs[wh]}]; got != left {
				t.Errorf("%s in %s: %d left, want %d", it.SKU, wh, got, left)
			}
		}
	}
}
