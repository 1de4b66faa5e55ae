package screenpop

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"hotline/telephony"
)

// recoverCall makes the popper know a call it has no state for when the
// call's agents have pops of it in the hub's live set: pops another replica
// published before it lost the event stream (fail-over), or this process
// before a restart. Its next events (the answer, the end) then reach those
// cards instead of being ignored as events of a call that never popped.
// Only calls that lived through a gap in the event stream are looked up
// (any other call popped here, if at all), once: a call none of whose
// agents has a pop is remembered as such.
func (p *Popper) recoverCall(ctx context.Context, id string, tc *telephony.Call) error {
	if tc.Gaps == 0 {
		return nil
	}
	agents := legAgents(tc)
	if len(agents) == 0 {
		return nil
	}
	p.mu.Lock()
	_, known := p.calls[id]
	_, absent := p.absent[id]
	p.mu.Unlock()
	if known || absent {
		return nil
	}
	pops, maxSeq, err := p.livePops(ctx, id, agents)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq = max(p.seq, maxSeq) // our updates must replace the stored ones
	if _, ok := p.calls[id]; ok {
		return err // popped meanwhile
	}
	if len(pops) == 0 {
		if err == nil {
			p.absent[id] = p.opts.Now()
		}
		return err
	}
	c := &call{id: id, started: p.opts.Now(), built: make(chan struct{}), pops: pops}
	for _, a := range agents { // the card every pop of the call shares
		if pop, ok := pops[a]; ok && pop.Card != nil {
			c.card = pop.Card
			break
		}
	}
	if c.card == nil {
		c.card = &Card{Caller: tc.Customer, CallerName: tc.CallerName, Dialled: tc.Callee,
			Clients: []ClientCard{}, Error: "card not recovered", BuiltAt: p.opts.Now()}
	}
	close(c.built)
	p.calls[id] = c
	p.log.Info("took over the screen pops of a call in progress", "call", id, "pops", len(pops))
	return err
}

// livePops reads the agents' live pops of call id from the hub, and the
// largest sequence number among them. Agents whose set could not be read
// are reported in the error; the pops read are returned all the same.
func (p *Popper) livePops(ctx context.Context, id string, agents []string) (map[string]*Pop, int64, error) {
	pops := map[string]*Pop{}
	var maxSeq int64
	var errs []error
	for _, a := range agents {
		msgs, err := p.opts.Hub.Live(ctx, a)
		if err != nil {
			errs = append(errs, fmt.Errorf("live pops of %s: %w", a, err))
		}
		for _, m := range msgs {
			if m.Key != id {
				continue
			}
			var pop Pop
			if err := json.Unmarshal(m.Data, &pop); err != nil {
				errs = append(errs, fmt.Errorf("decode live pop of call %s for %s: %w", id, a, err))
				continue
			}
			pop.Seq = m.Seq
			pops[a] = &pop
			maxSeq = max(maxSeq, m.Seq)
		}
	}
	if err := joinErrs(errs); err != nil {
		return pops, maxSeq, fmt.Errorf("recover the pops of call %s: %w", id, err)
	}
	return pops, maxSeq, nil
}

// legAgents returns the agents of the call's legs, each once, in leg order.
func legAgents(call *telephony.Call) []string {
	var out []string
	for _, l := range call.Legs {
		if l.Agent != "" && !slices.Contains(out, l.Agent) {
			out = append(out, l.Agent)
		}
	}
	return out
}
