package aritest

import (
	"context"
	"math/rand"
	"strings"
	"sync"
	"time"
)

// DemoOptions configure RunDemo's traffic.
type DemoOptions struct {
	Agents         []string // "PJSIP/1001" or "1001"; default the server's agents
	Customers      []string // E.164 numbers calling in; default a few Moscow numbers
	CallsPerMinute float64  // in virtual time; default 4
	Names          []string // caller names, matched to Customers by index
	// AgentsNow, when set, is asked before each call for the agents to
	// use, so that agents added while the demo runs get calls too; an
	// empty answer or an error keeps the agents it had.
	AgentsNow func(context.Context) ([]string, error)
}

// RunDemo places a realistic mix of calls until ctx ends: inbound calls to
// agents (some ending in the post-call survey), ring-all queue calls,
// outbound calls, busy and unanswered calls, holds, blind and attended
// transfers, and now and then a call to the self-service status line
// (7010). Each agent handles one call at a time.
func (s *Server) RunDemo(ctx context.Context, o DemoOptions) error {
	agents := s.demoAgents(o.Agents)
	if len(agents) == 0 {
		agents = append(agents, s.opts.Agents...)
	}
	if len(o.Customers) == 0 {
		o.Customers = []string{"+74951234567", "+74957654321", "+74959876543", "+79161234567"}
		o.Names = []string{"Ivan Petrov", "Olga Smirnova", "", "Pavel Sidorov"}
	}
	if o.CallsPerMinute <= 0 {
		o.CallsPerMinute = 4
	}
	d := &demo{s: s, opts: o, agents: agents, busy: map[string]bool{}, rnd: rand.New(rand.NewSource(s.opts.Seed))}
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		gap := time.Duration(float64(time.Minute) / o.CallsPerMinute * (0.5 + d.float()))
		if err := s.clock.Sleep(ctx, gap); err != nil {
			return nil
		}
		if o.AgentsNow != nil {
			if now, err := o.AgentsNow(ctx); err == nil && len(now) > 0 {
				d.setAgents(s.demoAgents(now))
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.call(ctx)
		}()
	}
}

type demo struct {
	s      *Server
	opts   DemoOptions
	agents []string
	mu     sync.Mutex
	busy   map[string]bool
	rnd    *rand.Rand
}

// demoAgents turns "PJSIP/1001" or "1001" into resources and makes sure the
// server has an endpoint for each.
func (s *Server) demoAgents(list []string) []string {
	agents := make([]string, 0, len(list))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range list {
		a = strings.TrimPrefix(a, "PJSIP/")
		if a == "" || strings.Contains(a, "/") {
			continue
		}
		if s.agents[a] == nil {
			s.agents[a] = &agentEndpoint{resource: a}
		}
		agents = append(agents, a)
	}
	return agents
}

// setAgents replaces the agents calls go to; busy ones stay busy.
func (d *demo) setAgents(agents []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.agents = agents
}

func (d *demo) float() float64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rnd.Float64()
}

func (d *demo) sec(lo, hi float64) time.Duration {
	return time.Duration((lo + d.float()*(hi-lo)) * float64(time.Second))
}

// take reserves n free agents, or returns nil.
func (d *demo) take(n int) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, i := range d.rnd.Perm(len(d.agents)) {
		if a := d.agents[i]; !d.busy[a] {
			out = append(out, a)
			if len(out) == n {
				for _, x := range out {
					d.busy[x] = true
				}
				return out
			}
		}
	}
	return nil
}

func (d *demo) release(as []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, a := range as {
		delete(d.busy, a)
	}
}

// call runs one random demo call.
func (d *demo) call(ctx context.Context) {
	ci := int(d.float() * float64(len(d.opts.Customers)))
	from, name := d.opts.Customers[ci], ""
	if ci < len(d.opts.Names) {
		name = d.opts.Names[ci]
	}
	kind := int(d.float() * 100)
	if d.float() < 0.05 { // a customer calls the self-service status line
		_, _ = d.s.InboundCall(ctx, Inbound{Exten: "7010", From: from, Name: name, HangupAfter: d.sec(25, 40)})
		return
	}
	if kind >= 45 && kind < 60 { // outbound
		as := d.take(1)
		if as == nil {
			return
		}
		defer d.release(as)
		_, _ = d.s.OutboundCall(ctx, Outbound{Agent: as[0], To: from, HangupAfter: d.sec(15, 90), Callee: Phone{AnswerAfter: d.sec(2, 8)}})
		return
	}
	in, talk, need := d.plan(kind)
	in.From, in.Name = from, name
	as := d.take(need)
	if as == nil {
		return
	}
	defer d.release(as)
	in.Agent = as[0]
	in.Phones = map[string]Phone{as[0]: talk}
	second := Phone{AnswerAfter: d.sec(2, 5), HangupAfter: d.sec(20, 60)}
	switch {
	case in.Exten == "7000":
		in.QueueMembers = as
		in.Phones = map[string]Phone{as[0]: {AnswerAfter: d.sec(2, 8)}, as[1]: {AnswerAfter: d.sec(9, 14)}}
	case need == 2 && talk.ConsultFor > 0:
		talk.AttendedTransferTo = as[1]
		in.Phones = map[string]Phone{as[0]: talk, as[1]: second}
	case need == 2:
		talk.BlindTransferTo = as[1]
		in.Phones = map[string]Phone{as[0]: talk, as[1]: second}
	}
	_, _ = d.s.InboundCall(ctx, in)
}

// plan picks an inbound call of the given kind (0-99): the customer's
// script, the first agent's phone and how many agents it needs.
func (d *demo) plan(kind int) (Inbound, Phone, int) {
	talk := Phone{AnswerAfter: d.sec(1, 6), HangupAfter: d.sec(20, 120)}
	in := Inbound{Exten: "7001"}
	switch {
	case kind < 30: // direct, survey afterwards: the customer hears the
		// spoken introduction and question (about 8 s), answers it and the
		// 0-10 question typed ahead, and waits for the thanks.
		agent, nps := string(rune('1'+int(d.float()*5))), string(rune('0'+int(d.float()*10)))
		in.SurveyDigit, in.SurveyDigitAfter, in.SurveyHangupAfter = agent+nps+"#", d.sec(9, 12), d.sec(30, 40)
	case kind < 45: // ring-all queue
		in.Exten, in.HangupAfter = "7000", d.sec(20, 120)
		return in, talk, 2
	case kind < 68: // busy agent
		talk = Phone{Busy: true}
	case kind < 76: // nobody answers, the customer gives up
		in.Exten, in.AbandonAfter = "7002", d.sec(5, 9)
		talk = Phone{NeverAnswer: true}
	case kind < 86: // hold
		talk.HoldAfter, talk.HoldFor, talk.HangupAfter = d.sec(10, 20), d.sec(5, 20), 0
		in.HangupAfter = talk.HoldAfter + talk.HoldFor + d.sec(10, 30)
	case kind < 93: // blind transfer
		return in, Phone{AnswerAfter: d.sec(1, 4), TransferAfter: d.sec(10, 30)}, 2
	default: // attended transfer
		in.SurveyHangupAfter = d.sec(5, 8)
		return in, Phone{AnswerAfter: d.sec(1, 4), TransferAfter: d.sec(10, 30), ConsultFor: d.sec(5, 15)}, 2
	}
	return in, talk, 1
}
