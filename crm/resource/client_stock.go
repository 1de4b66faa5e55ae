package resource

import (
	"sort"
	"time"
)

// InterestKind is why a product matters to a client right now.
type InterestKind string

// Interest kinds, in the order an agent needs them: an open ticket about a
// product (a replacement or a spare part is the likely question), stock
// already reserved for the client (the "when does my order come" question),
// and what the client bought before (a repeat order).
const (
	InterestTicket      InterestKind = "ticket"
	InterestReservation InterestKind = "reservation"
	InterestPurchase    InterestKind = "purchase"
)

// interestRank orders the kinds (lower first).
var interestRank = map[InterestKind]int{InterestTicket: 0, InterestReservation: 1, InterestPurchase: 2}

// Interest is one reason a product is on a client's availability list: the
// ticket, the reservation or the last shipment (RefID is its ID; zero for a
// purchase), the quantity involved and when.
type Interest struct {
	ProductID int64        `json:"-"`
	Kind      InterestKind `json:"kind"`
	RefID     int64        `json:"ref_id,omitempty"`
	Qty       int64        `json:"qty"`
	At        time.Time    `json:"at"`
}

// ProductInterests are the reasons one product is on a client's list.
type ProductInterests struct {
	ProductID int64
	Reasons   []Interest
}

// Wanted is the quantity to check for: the last shipment's quantity for a
// product bought before (a repeat order), else one unit (a replacement on a
// ticket, one more of what is reserved).
func (p ProductInterests) Wanted() int64 {
	for _, r := range p.Reasons {
		if r.Kind == InterestPurchase && r.Qty > 0 {
			return r.Qty
		}
	}
	return 1
}

// ClientProduct is a product that matters to a client with its availability
// for the wanted quantity.
type ClientProduct struct {
	Availability
	Reasons []Interest `json:"reasons"`
}

// RankInterests groups reasons by product and orders the products: those
// with an open ticket first, then reserved, then bought; within a kind the
// most recent first. It keeps at most limit products.
func RankInterests(reasons []Interest, limit int) []ProductInterests {
	byID := map[int64]*ProductInterests{}
	var order []int64
	for _, r := range reasons {
		id := r.ProductID
		p, ok := byID[id]
		if !ok {
			p = &ProductInterests{ProductID: id}
			byID[id] = p
			order = append(order, id)
		}
		p.Reasons = append(p.Reasons, r)
	}
	out := make([]ProductInterests, 0, len(order))
	for _, id := range order {
		p := byID[id]
		sort.SliceStable(p.Reasons, func(i, j int) bool { return reasonBefore(p.Reasons[i], p.Reasons[j]) })
		out = append(out, *p)
	}
	sort.SliceStable(out, func(i, j int) bool { return reasonBefore(out[i].Reasons[0], out[j].Reasons[0]) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func reasonBefore(a, b Interest) bool {
	if interestRank[a.Kind] != interestRank[b.Kind] {
		return interestRank[a.Kind] < interestRank[b.Kind]
	}
	return a.At.After(b.At)
}
