package resource_test

import (
	"testing"
	"time"

	"hotline/crm"
	"hotline/crm/resource"
)

func TestRankInterests(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	in := []resource.Interest{
		{ProductID: 1, Kind: resource.InterestPurchase, Qty: 4, At: t0},
		{ProductID: 2, Kind: resource.InterestPurchase, Qty: 2, At: t0.Add(time.Hour)},
		{ProductID: 3, Kind: resource.InterestReservation, RefID: 9, Qty: 5, At: t0},
		{ProductID: 1, Kind: resource.InterestTicket, RefID: 7, Qty: 1, At: t0},
		{ProductID: 4, Kind: resource.InterestTicket, RefID: 8, Qty: 1, At: t0.Add(time.Hour)},
	}
	got := resource.RankInterests(in, 0)
	var order []int64
	for _, p := range got {
		order = append(order, p.ProductID)
	}
	if len(order) != 4 || order[0] != 4 || order[1] != 1 || order[2] != 3 || order[3] != 2 {
		t.Fatalf("order %v, want [4 1 3 2]: newest ticket, older ticket, reservation, purchase", order)
	}
	if got[1].Reasons[0].Kind != resource.InterestTicket || len(got[1].Reasons) != 2 {
		t.Errorf("product 1 reasons %+v", got[1].Reasons)
	}
	for _, c := range []struct {
		name string
		p    resource.ProductInterests
		want int64
	}{
		{"ticket and purchase: the purchase's quantity", got[1], 4},
		{"ticket only: one unit", got[0], 1},
		{"reservation only: one more unit", got[2], 1},
	} {
		if w := c.p.Wanted(); w != c.want {
			t.Errorf("%s: wanted %d, want %d", c.name, w, c.want)
		}
	}
	if l := resource.RankInterests(in, 2); len(l) != 2 {
		t.Errorf("limit 2: %d products", len(l))
	}
	if l := resource.RankInterests(nil, 5); len(l) != 0 {
		t.Errorf("no reasons: %+v", l)
	}
}

func TestParseMajor(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{"1200", 120000, false},
		{"1 200.5", 120050, false},
		{"12,05", 1205, false},
		{" 0.07 ", 7, false},
		{"", 0, true},
		{"-5", 0, true},
		{"1.234", 0, true},
		{"12.", 0, true},
		{"1e3", 0, true},
		{"99999999999999999", 0, true},
	} {
		got, err := resource.ParseMajor(c.in)
		if c.bad {
			if !crm.IsKind(err, crm.KindInvalid) {
				t.Errorf("%q: %d, %v; want invalid", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}
