package screenpop

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"hotline/crm"
)

// InteractionSaver saves an entry on a client's timeline; the CRM store
// satisfies it.
type InteractionSaver interface {
	AddInteraction(ctx context.Context, i *crm.Interaction) error
}

// MaxNoteLength bounds a wrap-up note.
const MaxNoteLength = 10000

// LivePop returns the agent's live pop for a call, from the hub's live set
// (so it works on any replica).
func LivePop(ctx context.Context, hub Hub, agent, callID string) (Pop, error) {
	msgs, err := hub.Live(ctx, agent)
	if err != nil && len(msgs) == 0 {
		return Pop{}, &crm.Error{Kind: crm.KindUnavailable, Message: "live pops unavailable", Err: err}
	}
	for _, m := range msgs {
		if m.Key != callID {
			continue
		}
		var pop Pop
		if err := json.Unmarshal(m.Data, &pop); err != nil {
			return Pop{}, fmt.Errorf("decode live pop %s: %w", callID, err)
		}
		return pop, nil
	}
	return Pop{}, crm.Errorf(crm.KindNotFound, "no open card for call %s", callID)
}

// Close removes the agent's card for a call from all of the agent's consoles.
func (p *Popper) Close(ctx context.Context, agent, callID string) error {
	if _, err := LivePop(ctx, p.opts.Hub, agent, callID); err != nil {
		return err
	}
	if c := p.lookup(callID); c != nil {
		c.mu.Lock()
		delete(c.pops, agent)
		c.mu.Unlock()
	}
	pop := &Pop{Type: "pop", CallID: callID, Agent: agent, State: StateClosed}
	p.moveStatus(ctx, agent, StatusWrapUp, StatusAvailable)
	return p.publish(ctx, pop, time.Time{})
}

// WrapUpInput is an agent's wrap-up note for a call.
type WrapUpInput struct {
	Agent    string
	UserID   int64
	CallID   string
	ClientID int64 // one of the card's clients
	Note     string
}

// WrapUp saves the note on the client's timeline as a call interaction and
// updates the card on the agent's consoles. The call must have ended at this
// agent, and the client must be one of the card's.
func (p *Popper) WrapUp(ctx context.Context, in WrapUpInput, saver InteractionSaver) (Pop, error) {
	in.Note = strings.TrimSpace(in.Note)
	if in.Note == "" {
		return Pop{}, crm.Invalid("note", "is required")
	}
	if len(in.Note) > MaxNoteLength {
		return Pop{}, crm.Invalid("note", "must be at most %d characters", MaxNoteLength)
	}
	pop, err := LivePop(ctx, p.opts.Hub, in.Agent, in.CallID)
	if err != nil {
		return Pop{}, err
	}
	if pop.State != StateEnded && pop.State != StateMissed {
		return Pop{}, crm.Errorf(crm.KindConflict, "the call is still %s; wrap up after it ends", pop.State)
	}
	if !cardHasClient(pop.Card, in.ClientID) {
		return Pop{}, crm.Invalid("client_id", "is not a client on this card; create or choose the client first")
	}
	it := &crm.Interaction{
		ClientID: in.ClientID,
		Kind:     crm.InteractionCall,
		At:       pop.RingingAt,
		Summary:  callSummary(pop),
		Body:     in.Note,
		RefType:  "call",
		RefID:    pop.CallID,
	}
	if in.UserID != 0 {
		uid := in.UserID
		it.UserID = &uid
	}
	if err := saver.AddInteraction(ctx, it); err != nil {
		return Pop{}, fmt.Errorf("save wrap-up note of call %s: %w", in.CallID, err)
	}
	p.moveStatus(ctx, in.Agent, StatusWrapUp, StatusAvailable)
	pop.WrapUp = &WrapUp{ClientID: in.ClientID, Note: in.Note, InteractionID: it.ID, SavedAt: p.opts.Now()}
	if err := p.publish(ctx, &pop, time.Time{}); err != nil {
		return pop, err
	}
	return pop, nil
}

func cardHasClient(c *Card, id int64) bool {
	if c == nil || id == 0 {
		return false
	}
	for _, cc := range c.Clients {
		if cc.ID == id {
			return true
		}
	}
	return false
}

func callSummary(pop Pop) string {
	from := pop.Card.Caller
	if pop.Card.CallerE164 != "" {
		from = pop.Card.CallerE164
	}
	if pop.State == StateMissed {
		return fmt.Sprintf("Missed call from %s", from)
	}
	if pop.AnsweredAt.IsZero() { // ended unseen (Ended.Unseen): answered or not is unknown
		return fmt.Sprintf("Call from %s", from)
	}
	d := time.Duration(pop.TalkSeconds) * time.Second
	return fmt.Sprintf("Call from %s answered by %s, talk time %s", from, pop.Agent, d)
}

// Refresh looks the caller of the agent's live pop up again (after the
// agent created the client from the quick form) and updates the card on the
// agent's consoles, and for the rest of the call.
func (p *Popper) Refresh(ctx context.Context, agent, callID string) (Pop, error) {
	pop, err := LivePop(ctx, p.opts.Hub, agent, callID)
	if err != nil {
		return Pop{}, err
	}
	if pop.Card == nil {
		return Pop{}, crm.Errorf(crm.KindConflict, "the card of call %s has no caller to look up", callID)
	}
	viewer := ""
	if p.opts.Tickets != nil {
		viewer = agent
	}
	card, seen, err := p.opts.Cards.BuildFor(ctx, pop.Card.Caller, pop.Card.CallerName, pop.Card.Dialled, viewer)
	if err != nil {
		return Pop{}, fmt.Errorf("refresh card of call %s: %w", callID, err)
	}
	if c := p.lookup(callID); c != nil {
		c.mu.Lock()
		c.card, c.seen, c.seenBy = card, seen, viewer
		for who, other := range c.pops {
			other.Card = p.cardFor(ctx, who, card, c.seenFor(who))
		}
		if mine, ok := c.pops[agent]; ok {
			pop = *mine
		}
		c.mu.Unlock()
	}
	pop.Card = p.cardFor(ctx, agent, card, seen)
	if err := p.publish(ctx, &pop, time.Time{}); err != nil {
		return pop, err
	}
	return pop, nil
}
