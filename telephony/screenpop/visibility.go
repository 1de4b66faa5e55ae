package screenpop

import (
	"context"
	"strconv"

	"hotline/crm"
)

// TicketVisibility says which of the requests (tickets) ids the agent with
// login may see; the CRM store answers it with the service desk's rules.
type TicketVisibility interface {
	VisibleTickets(ctx context.Context, login string, ids []int64) (map[int64]bool, error)
}

// ticketRef is the request a timeline entry is about, 0 for none.
func ticketRef(it crm.Interaction) int64 {
	if it.RefType != "ticket" {
		return 0
	}
	id, _ := strconv.ParseInt(it.RefID, 10, 64)
	return id
}

// cardFor is card as agent may see it: without the requests the agent may
// not see, nor the timeline entries about them. seen, when not nil, is
// what agent may see of it, read with the card: the requests it answers
// for are not asked about again. The shared card is not changed; when the
// check fails, every request is hidden rather than shown.
func (p *Popper) cardFor(ctx context.Context, agent string, card *Card, seen map[int64]bool) *Card {
	if card == nil || p.opts.Tickets == nil {
		return card
	}
	var ids []int64
	for _, c := range card.Clients {
		for _, t := range c.Tickets {
			ids = append(ids, t.ID)
		}
		for _, it := range c.Recent {
			if it.TicketID != 0 {
				ids = append(ids, it.TicketID)
			}
		}
	}
	if len(ids) == 0 {
		return card
	}
	visible := seen
	if !answers(seen, ids) {
		var err error
		if visible, err = p.opts.Tickets.VisibleTickets(ctx, agent, ids); err != nil {
			p.log.WarnContext(ctx, "ticket visibility for a card failed; hiding its requests", "agent", agent, "err", err)
			visible = map[int64]bool{}
		}
	}
	out := *card
	out.Clients = make([]ClientCard, len(card.Clients))
	for i, c := range card.Clients {
		c.Tickets = keep(c.Tickets, func(t Ticket) bool { return visible[t.ID] })
		c.Recent = keep(c.Recent, func(it Interaction) bool { return it.TicketID == 0 || visible[it.TicketID] })
		out.Clients[i] = c
	}
	return &out
}

// answers reports whether seen says something about every one of ids.
func answers(seen map[int64]bool, ids []int64) bool {
	if seen == nil {
		return false
	}
	for _, id := range ids {
		if _, ok := seen[id]; !ok {
			return false
		}
	}
	return true
}

// seenFor is what agent may see of the call's card, when it was read with
// the card; nil otherwise. c.mu or the build's end orders it.
func (c *call) seenFor(agent string) map[int64]bool {
	if agent == "" || c.seenBy != agent {
		return nil
	}
	return c.seen
}

// keep returns the elements of list that ok accepts, in a new slice.
func keep[T any](list []T, ok func(T) bool) []T {
	var out []T
	for _, v := range list {
		if ok(v) {
			out = append(out, v)
		}
	}
	return out
}
