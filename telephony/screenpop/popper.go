package screenpop

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// AgentDirectory finds the agent (login) behind a telephony endpoint.
// found is false for endpoints that belong to no agent.
type AgentDirectory interface {
	AgentForEndpoint(ctx context.Context, endpoint string) (login string, found bool, err error)
}

// Options configures a Popper.
type Options struct {
	Cards  *CardBuilder   // required
	Hub    Hub            // required
	Agents AgentDirectory // needed when events carry only endpoints
	Status StatusBoard    // agent statuses; optional
	Now    func() time.Time
	Logger *slog.Logger
	// CallTTL bounds how long a call's card stays cached without an Ended
	// event (a lost event must not leak memory); default 4 hours.
	CallTTL time.Duration
	// FailureText is what agent reads when a click-to-call to number
	// failed (failure: busy, no_answer, no_route, unreachable,
	// agent_no_answer), in the agent's language; nil shows none.
	FailureText func(ctx context.Context, agent, failure, number string) string
	// Tickets hides from each agent's card the requests (and timeline
	// entries about them) the agent may not see; optional (nil: all shown).
	Tickets TicketVisibility
}

// Popper turns call facts into pops: one per agent and call, the card built
// once per call and shared by every agent the call rings.
type Popper struct {
	opts Options
	log  *slog.Logger

	mu    sync.Mutex
	calls map[string]*call
	// absent holds calls found to have no pops to take over (recoverCall),
	// with when, until their end or CallTTL.
	absent map[string]time.Time
	seq    int64
}

// call is a call's cached card and its pops, one per agent.
type call struct {
	id      string
	started time.Time
	built   chan struct{} // closed when card is set
	card    *Card
	// seen is what seenBy may see of card's requests, read with it
	// (CardBuilder.BuildFor); nil when not read.
	seen   map[int64]bool
	seenBy string

	mu   sync.Mutex
	pops map[string]*Pop
}

// NewPopper returns a Popper; it panics on missing required options, which
// is a wiring bug.
func NewPopper(opts Options) *Popper {
	if opts.Cards == nil || opts.Hub == nil {
		panic("screenpop: Options.Cards and Options.Hub are required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.CallTTL <= 0 {
		opts.CallTTL = 4 * time.Hour
	}
	return &Popper{opts: opts, log: opts.Logger.With("component", "screenpop"), calls: map[string]*call{},
		absent: map[string]time.Time{}}
}

// nextSeq returns a sequence number larger than any before, close to the
// clock in nanoseconds so that replicas' numbers order sensibly too.
func (p *Popper) nextSeq() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.opts.Now().UnixNano()
	if n <= p.seq {
		n = p.seq + 1
	}
	p.seq = n
	return n
}

// agent returns the agent login of an event, resolving the endpoint if needed.
func (p *Popper) agent(ctx context.Context, login, endpoint string) (string, error) {
	if login != "" {
		return login, nil
	}
	if endpoint == "" || p.opts.Agents == nil {
		return "", nil
	}
	a, ok, err := p.opts.Agents.AgentForEndpoint(ctx, endpoint)
	if err != nil {
		return "", fmt.Errorf("agent for endpoint %s: %w", endpoint, err)
	}
	if !ok {
		return "", nil
	}
	return a, nil
}

// callFor returns the call's state, building its card once; concurrent
// callers for the same call wait for the one build. The build also reads
// what agent may see of the card, when requests are hidden from agents.
func (p *Popper) callFor(ctx context.Context, id, agent string, r Ringing) (*call, error) {
	p.mu.Lock()
	c, ok := p.calls[id]
	if !ok {
		c = &call{id: id, started: p.opts.Now(), built: make(chan struct{}), pops: map[string]*Pop{}}
		p.calls[id] = c
	}
	p.mu.Unlock()
	if ok {
		select {
		case <-c.built:
			return c, nil
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for card of call %s: %w", id, ctx.Err())
		}
	}
	viewer := ""
	if p.opts.Tickets != nil {
		viewer = agent
	}
	card, seen, err := p.opts.Cards.BuildFor(ctx, r.Caller, r.CallerName, r.Dialled, viewer)
	if err != nil {
		card = &Card{Caller: r.Caller, CallerName: r.CallerName, Dialled: r.Dialled,
			Clients: []ClientCard{}, Error: "client lookup interrupted", BuiltAt: p.opts.Now()}
	}
	c.card, c.seen, c.seenBy = card, seen, viewer
	close(c.built)
	return c, nil
}

// Ringing pops the caller's card on the ringing agent's console. A second
// ringing device of the same agent for the same call adds no second pop.
func (p *Popper) Ringing(ctx context.Context, r Ringing) error {
	received := p.opts.Now()
	agent, err := p.agent(ctx, r.AgentLogin, r.Endpoint)
	if err != nil {
		return err
	}
	if agent == "" {
		return nil // not an agent's endpoint: nobody to pop
	}
	id := callKey(r.CallID, r.Linkedid)
	if id == "" {
		return fmt.Errorf("ringing for agent %s: no call id", agent)
	}
	p.sweep(received)
	c, err := p.callFor(ctx, id, agent, r)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur, ok := c.pops[agent]; ok {
		switch {
		case cur.State == StateRinging:
			return nil // already ringing here (another device of the same agent)
		case cur.State == StateAnswered && !r.Transfer:
			return nil // on the call already
		}
		// missed or ended here before: the call rings this agent again
	}
	pop := &Pop{
		Type: "pop", CallID: id, Agent: agent, State: StateRinging,
		Node: r.Node, Endpoint: r.Endpoint, Transfer: r.Transfer, FromAgent: r.FromAgent,
		ClickToCall: r.ClickToCall, RingingAt: orNow(r.At, received), ReceivedAt: received, Card: p.cardFor(ctx, agent, c.card, c.seenFor(agent)),
	}
	c.pops[agent] = pop
	return p.publish(ctx, pop, received)
}

// Answered starts the answering agent's timer and closes the pops of every
// other agent still ringing for the call.
func (p *Popper) Answered(ctx context.Context, a Answered) error {
	agent, err := p.agent(ctx, a.AgentLogin, a.Endpoint)
	if err != nil {
		return err
	}
	c := p.lookup(a.CallID)
	if c == nil {
		return nil // never popped (not an agent's call, or before a restart)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	at := orNow(a.At, p.opts.Now())
	var errs []error
	for who, pop := range c.pops {
		switch {
		case who == agent && (pop.State == StateRinging || pop.State == StateMissed):
			pop.State, pop.AnsweredAt = StateAnswered, at
			// a call taken during wrap-up ends it; the call's own wrap-up
			// starts when it ends
			p.moveStatus(ctx, who, StatusWrapUp, StatusAvailable)
		case who != agent && pop.State == StateRinging && agent != "":
			pop.State, pop.AnsweredBy = StateTaken, agent
			delete(c.pops, who)
		default:
			continue
		}
		if err := p.publish(ctx, pop, time.Time{}); err != nil {
			errs = append(errs, err)
		}
	}
	return joinErrs(errs)
}

// Ended ends the call, or one agent's leg when the event names the agent:
// answered pops show the talk time and wait for the wrap-up note, ringing
// ones become missed (ended when the end was unseen: Ended.Unseen). The
// cards stay until their agents close them.
func (p *Popper) Ended(ctx context.Context, e Ended) error {
	agent, err := p.agent(ctx, e.AgentLogin, e.Endpoint)
	if err != nil {
		return err
	}
	c := p.lookup(e.CallID)
	if c == nil {
		if agent == "" {
			p.forget(e.CallID)
		}
		return nil
	}
	c.mu.Lock()
	at := orNow(e.At, p.opts.Now())
	var errs []error
	for who, pop := range c.pops {
		if agent != "" && who != agent {
			continue
		}
		switch pop.State {
		case StateAnswered:
			pop.State = StateEnded
			pop.TalkSeconds = int64(at.Sub(pop.AnsweredAt).Round(time.Second) / time.Second)
			p.moveStatus(ctx, who, StatusAvailable, StatusWrapUp)
		case StateRinging:
			pop.State = StateMissed
			if e.Unseen {
				// never seen to stop ringing: the agent may have talked, and
				// a card saying "missed" would have them call back a
				// customer they just spoke to
				pop.State = StateEnded
			}
		default:
			continue
		}
		pop.EndedAt, pop.Cause = at, e.Cause
		if e.Failure != "" {
			pop.ClickToCall = true // also when the ringing was seen before the call was known as one
			pop.Failure = e.Failure
			if p.opts.FailureText != nil {
				number := e.Number
				if number == "" && pop.Card != nil {
					number = firstOf(pop.Card.CallerE164, pop.Card.Caller)
				}
				pop.FailureText = p.opts.FailureText(ctx, who, e.Failure, number)
			}
		}
		if err := p.publish(ctx, pop, time.Time{}); err != nil {
			errs = append(errs, err)
		}
	}
	c.mu.Unlock()
	if agent == "" {
		p.forget(c.id) // the card stays cached while any leg of the call lives
	}
	return joinErrs(errs)
}

func (p *Popper) lookup(id string) *call {
	p.mu.Lock()
	c := p.calls[id]
	p.mu.Unlock()
	if c == nil {
		return nil
	}
	<-c.built
	return c
}

func (p *Popper) forget(id string) {
	p.mu.Lock()
	delete(p.calls, id)
	delete(p.absent, id)
	p.mu.Unlock()
}

// sweep forgets calls older than CallTTL (their Ended event was lost), and
// calls known to have no pops after as long.
func (p *Popper) sweep(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, c := range p.calls {
		if now.Sub(c.started) > p.opts.CallTTL {
			delete(p.calls, id)
		}
	}
	for id, at := range p.absent {
		if now.Sub(at) > p.opts.CallTTL {
			delete(p.absent, id)
		}
	}
}

// publish encodes the pop once and hands it to the hub.
func (p *Popper) publish(ctx context.Context, pop *Pop, popped time.Time) error {
	pop.Seq = p.nextSeq()
	data, err := json.Marshal(pop)
	if err != nil {
		return fmt.Errorf("encode pop: %w", err)
	}
	m := Message{Agent: pop.Agent, Key: pop.CallID, Seq: pop.Seq, Live: pop.State.Live(), Data: data, Popped: popped}
	if err := p.opts.Hub.Publish(ctx, m); err != nil {
		p.log.Warn("publish pop", "call", pop.CallID, "agent", pop.Agent, "state", pop.State, "err", err)
		return fmt.Errorf("publish pop of call %s to %s: %w", pop.CallID, pop.Agent, err)
	}
	return nil
}

func callKey(callID, linkedid string) string {
	if callID != "" {
		return callID
	}
	return linkedid
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

func joinErrs(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return fmt.Errorf("%d publishes failed, first: %w", len(errs), errs[0])
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
