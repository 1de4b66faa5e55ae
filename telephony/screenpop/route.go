package screenpop

import (
	"context"
	"fmt"
	"sort"

	"hotline/crm"
)

// RouteSource finds, for a number, the best-ranked client's priority class
// and its owner's endpoint. The CRM store satisfies it.
type RouteSource interface {
	RouteByPhone(ctx context.Context, e164 string) (priority, ownerEndpoint string, found bool, err error)
}

// RouteHint is what the dialplan asks before queueing a call: a queue
// priority (higher is answered first, 0 for unknown callers) and the
// owner's endpoint for sticky-agent routing ("" when none).
type RouteHint struct {
	QueuePriority int
	OwnerEndpoint string
	Known         bool
}

// Text is the hint as Asterisk's CURL() reads it: "PRIORITY,ENDPOINT",
// e.g. "4,PJSIP/1001" or "0," for an unknown caller.
func (h RouteHint) Text() string { return fmt.Sprintf("%d,%s", h.QueuePriority, h.OwnerEndpoint) }

// Route answers the routing hint for a number as dialled or received. An
// unknown or malformed number gets the default hint and no error.
func (b *CardBuilder) Route(ctx context.Context, number string) (RouteHint, error) {
	if b.src.Routes == nil {
		return RouteHint{}, nil
	}
	e164, ok := b.src.Phone.Lookup(number)
	if !ok {
		return RouteHint{}, nil
	}
	prio, owner, found, err := b.src.Routes.RouteByPhone(ctx, e164)
	if err != nil || !found {
		return RouteHint{}, err
	}
	h := RouteHint{OwnerEndpoint: owner, Known: true, QueuePriority: 1}
	if b.src.Directory == nil || prio == "" {
		return h, nil
	}
	classes, err := b.priorityClasses(ctx)
	if err != nil {
		return h, nil // a known caller still routes to the owner
	}
	h.QueuePriority = queuePriority(classes, prio)
	return h, nil
}

// queuePriority turns a class into a queue priority: the lowest rank gets
// the highest number, the worst class 1, so every known client is ahead of
// unknown callers (0).
func queuePriority(classes map[string]crm.PriorityClass, code string) int {
	ranks := make([]int, 0, len(classes))
	for _, c := range classes {
		ranks = append(ranks, c.Rank)
	}
	sort.Ints(ranks)
	cls, ok := classes[code]
	if !ok {
		return 1
	}
	worse := 0
	for _, r := range ranks {
		if r > cls.Rank {
			worse++
		}
	}
	return worse + 1
}
