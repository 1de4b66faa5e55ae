package httpapi

import (
	"context"

	"hotline/crm"
	"hotline/crm/resource"
)

// Purchase costs (a lot's unit cost) are the company's margins: agents do
// not see them. The handlers that answer agents with lots, movements,
// transfers or reservations zero the costs, and the JSON leaves zero costs
// out.

// seesCosts reports whether the caller may see purchase costs.
func seesCosts(ctx context.Context) bool {
	p := PrincipalFrom(ctx)
	return p != nil && p.User.Role != crm.RoleAgent
}

func hideBalanceCosts(ctx context.Context, list []resource.Balance) {
	if !seesCosts(ctx) {
		for i := range list {
			list[i].UnitCost = 0
		}
	}
}

func hideMovementCosts(ctx context.Context, list []resource.Movement) {
	if !seesCosts(ctx) {
		for i := range list {
			list[i].UnitCost = 0
		}
	}
}

func hideLineCosts(ctx context.Context, lines []resource.LotQty) {
	if !seesCosts(ctx) {
		for i := range lines {
			lines[i].UnitCost = 0
		}
	}
}

func hideTransferCosts(ctx context.Context, list []resource.Transfer) {
	for i := range list {
		hideLineCosts(ctx, list[i].Lines)
	}
}
