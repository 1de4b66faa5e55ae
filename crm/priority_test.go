package crm

import "testing"

func TestClassify(t *testing.T) {
	rub := func(v int64) *int64 { v *= 100; return &v }
	n := func(v int) *int { return &v }
	classes := []PriorityClass{
		{Code: "C", Rank: 3},
		{Code: "VIP", Rank: 0, MinRevenue: rub(1_000_000)},
		{Code: "A", Rank: 1, MinRevenue: rub(300_000), MinPurchases: n(2)},
		{Code: "B", Rank: 2, MinPurchases: n(5)},
		{Code: "M", Rank: 0}, // by hand only: no rules
	}
	for _, tc := range []struct {
		name string
		s    Standing
		want string
	}{
		{"nothing bought: the default class", Standing{}, "C"},
		{"revenue alone is not enough for A", Standing{Revenue: 500_000_00, Purchases: 1}, "C"},
		{"revenue and purchases: A", Standing{Revenue: 300_000_00, Purchases: 2}, "A"},
		{"many small purchases: B", Standing{Revenue: 1_000_00, Purchases: 7}, "B"},
		{"A beats B when both hold", Standing{Revenue: 400_000_00, Purchases: 9}, "A"},
		{"VIP from 1 000 000", Standing{Revenue: 1_000_000_00, Purchases: 1}, "VIP"},
		{"just under VIP", Standing{Revenue: 999_999_99, Purchases: 3}, "A"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Classify(classes, tc.s); got != tc.want {
				t.Errorf("Classify(%+v) = %q, want %q", tc.s, got, tc.want)
			}
		})
	}
	if got := Classify(nil, Standing{Revenue: 1}); got != "" {
		t.Errorf("no classes: %q", got)
	}
}
